"""Reports: gather plain rows from the database, then render them as Excel or PDF."""
