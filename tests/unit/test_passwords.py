"""The password policy and the sign-in redirect check: pure functions, no app."""

from __future__ import annotations

import pytest

from app.accounts import WeakPassword, check_password, hash_password, password_problem
from app.web.auth import safe_next


@pytest.mark.parametrize(("password", "problem"), [
    ("short", "Use at least 10 characters."),
    ("123456789", "Use at least 10 characters."),
    ("x" * 1025, "Use at most 1024 characters."),
    (" " * 12, "A password cannot be only spaces."),
    ("Ada@Example.com", "Don't use your email address as your password."),
])
def test_weak_passwords_are_refused_with_a_reason(password, problem):
    assert password_problem(password, "ada@example.com") == problem


def test_ten_characters_that_are_not_the_email_are_enough():
    assert password_problem("0123456789", "ada@example.com") is None


def test_hashing_refuses_a_weak_password():
    with pytest.raises(WeakPassword, match="at least 10"):
        hash_password("short")


def test_a_hash_is_scrypt_salted_and_checks_only_its_password():
    first, second = hash_password("correct horse battery"), hash_password("correct horse battery")
    assert first.startswith("scrypt:") and first != second
    assert check_password(first, "correct horse battery")
    assert not check_password(first, "correct horse batterY")


def test_checking_against_no_hash_is_false():
    assert not check_password(None, "correct horse battery")


@pytest.mark.parametrize("target", [
    "/app/acme/", "/app/acme/?tab=forms", "/account/password",
])
def test_same_site_paths_are_safe_next_targets(target):
    assert safe_next(target) == target


@pytest.mark.parametrize("target", [
    None, "", "https://evil.example/", "//evil.example/", "/\\evil.example", "\\\\evil.example",
    "/\t/evil.example", "javascript:alert(1)", "app/acme/", "http:/evil.example",
    "/\n/evil.example", "/\x7f/evil.example",
])
def test_other_targets_are_refused(target):
    assert safe_next(target) is None
