"""The password policy and hashing (scrypt, via werkzeug). Pure: no database, no Flask."""

from __future__ import annotations

from functools import lru_cache

from werkzeug.security import check_password_hash, generate_password_hash

MIN_LENGTH = 10
# Long enough for any passphrase or manager-generated password; short enough that
# hashing a posted value never becomes a way to burn CPU.
MAX_LENGTH = 1024
METHOD = "scrypt"


class WeakPassword(ValueError):
    """The password breaks the policy; the message says how, in plain English."""


def password_problem(password: str, email: str = "") -> str | None:
    """Why this password is refused, or None when it is acceptable."""
    if len(password) < MIN_LENGTH:
        return f"Use at least {MIN_LENGTH} characters."
    if len(password) > MAX_LENGTH:
        return f"Use at most {MAX_LENGTH} characters."
    if not password.strip():
        return "A password cannot be only spaces."
    if email and password.strip().casefold() == email.strip().casefold():
        return "Don't use your email address as your password."
    return None


def hash_password(password: str, email: str = "") -> str:
    """The stored hash of an acceptable password; raises WeakPassword otherwise."""
    problem = password_problem(password, email)
    if problem:
        raise WeakPassword(problem)
    return generate_password_hash(password, method=METHOD)


@lru_cache(maxsize=1)
def _dummy_hash() -> str:
    return generate_password_hash("not-a-password-anyone-has", method=METHOD)


def check_password(stored_hash: str | None, password: str) -> bool:
    """Whether `password` matches; costs one hash check even when there is no hash.

    So that "no such user" and "wrong password" take about the same time.
    """
    if len(password) > MAX_LENGTH:
        check_password_hash(_dummy_hash(), "")
        return False
    if not stored_hash:
        check_password_hash(_dummy_hash(), password)
        return False
    return check_password_hash(stored_hash, password)
