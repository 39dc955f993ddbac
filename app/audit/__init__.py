"""The audit log of back office actions: `record` writes, `search_entries` reads."""

from app.audit.log import ACTIONS, AuditPage, AuditQuery, record, search_entries

__all__ = ["ACTIONS", "AuditPage", "AuditQuery", "record", "search_entries"]
