"""Notifications: an inbox per user, an outbox of deliveries through pluggable channels."""
