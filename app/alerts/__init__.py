"""Alerts: events written to the outbox with their cause, delivered at least once."""
