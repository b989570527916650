"""Master data: projects, handover batches, buildings, units, owners, contracts, contractors."""
