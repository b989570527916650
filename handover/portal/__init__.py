"""The homeowners' portal: their own units and nothing else."""
