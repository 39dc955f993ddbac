"""People who log in: passwords, authentication and memberships.

No Flask in here: callers pass a session (and, for sign-in tokens, the secret),
and the functions flush but never commit; the caller owns the transaction.
"""

from app.accounts.passwords import (
    MAX_LENGTH,
    MIN_LENGTH,
    WeakPassword,
    check_password,
    hash_password,
    password_problem,
)
from app.accounts.users import (
    AccountError,
    InvalidEmail,
    UserExists,
    WrongPassword,
    add_membership,
    authenticate,
    change_password,
    create_user,
    find_user,
    memberships_of,
    normalise_login_email,
    set_password,
    sign_in_token,
    user_for_token,
)

__all__ = [
    "MAX_LENGTH",
    "MIN_LENGTH",
    "AccountError",
    "InvalidEmail",
    "UserExists",
    "WeakPassword",
    "WrongPassword",
    "add_membership",
    "authenticate",
    "change_password",
    "check_password",
    "create_user",
    "find_user",
    "hash_password",
    "memberships_of",
    "normalise_login_email",
    "password_problem",
    "set_password",
    "sign_in_token",
    "user_for_token",
]
