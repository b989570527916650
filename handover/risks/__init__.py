"""Pre-handover risk self-check, sales promises, public areas, transfer to the property company, readiness."""
