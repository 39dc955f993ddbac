"""Email addresses as contact keys: one normal form per person."""

from __future__ import annotations

from email_validator import EmailNotValidError, validate_email


class InvalidEmail(ValueError):
    """Not an address we can key a contact on; the message says why, in plain English."""


def normalise_email(raw: str) -> str:
    """The contact key: syntax checked, domain case-folded (and IDNA-normalised).

    The local part keeps its case, as RFC 5321 allows servers to treat it as
    case-sensitive. No DNS lookups: imports and submits must not wait on the network.
    """
    if not isinstance(raw, str) or not raw.strip():
        raise InvalidEmail("The email address is empty.")
    try:
        result = validate_email(raw.strip(), check_deliverability=False)
    except EmailNotValidError as error:
        raise InvalidEmail(str(error)) from None
    return f"{result.local_part}@{result.domain.lower()}"


def domain_of(email: str) -> str:
    return email.rsplit("@", 1)[-1].lower()
