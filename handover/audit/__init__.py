"""The audit log: who changed which record, when, and from what to what."""
