"""Contacts, identity and progressive profiling: never ask twice, never tell the wrong person."""
