"""The retry schedule and Standard Webhooks signatures (pure, no app)."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta

import pytest
import standardwebhooks

from app.alerts.retry import MAX_ATTEMPTS, SCHEDULE, next_delay, retry_after
from app.alerts.signing import is_secret, new_secret, sign, webhook_headers

NOW = datetime(2026, 11, 25, 12, 0, tzinfo=UTC)


def test_the_schedule_is_the_standard_webhooks_example():
    assert [delay.total_seconds() for delay in SCHEDULE] == [
        5, 300, 1800, 7200, 18000, 36000, 50400, 72000, 86400]
    assert MAX_ATTEMPTS == 10


@pytest.mark.parametrize("attempts", range(1, MAX_ATTEMPTS))
def test_each_retry_waits_its_scheduled_time_within_ten_percent_jitter(attempts):
    rng = random.Random(attempts)
    delays = [next_delay(attempts, rng) for _ in range(200)]
    base = SCHEDULE[attempts - 1]
    assert all(base * 0.9 <= delay <= base * 1.1 for delay in delays)
    assert len({delay for delay in delays}) > 1  # jitter spreads receivers' load


def test_after_the_tenth_attempt_the_delivery_is_dead():
    assert next_delay(MAX_ATTEMPTS) is None
    assert next_delay(MAX_ATTEMPTS + 5) is None


@pytest.mark.parametrize(("header", "seconds"), [
    ("120", 120), (" 0 ", 0), ("Wed, 25 Nov 2026 12:05:00 GMT", 300),
    ("Wed, 25 Nov 2026 11:00:00 GMT", 0), ("999999999", 86400),
])
def test_retry_after_takes_seconds_or_a_date_and_is_capped(header, seconds):
    assert retry_after(header, NOW) == timedelta(seconds=seconds)


@pytest.mark.parametrize("header", [None, "", "soon", "-5", "Wed, 99 Nov"])
def test_a_bad_retry_after_is_ignored(header):
    assert retry_after(header, NOW) is None


def test_signatures_verify_with_the_standardwebhooks_package():
    secret = new_secret()
    assert is_secret(secret) and not is_secret("whsec_") and not is_secret("nope")
    body = b'{"id":"evt_1","type":"lead.qualified"}'
    timestamp = int(datetime.now(UTC).timestamp())
    headers = webhook_headers([secret], "evt_1", timestamp, body)
    assert headers["webhook-signature"].startswith("v1,")
    assert standardwebhooks.Webhook(secret).verify(body, headers)["id"] == "evt_1"
    with pytest.raises(standardwebhooks.webhooks.WebhookVerificationError):
        standardwebhooks.Webhook(new_secret()).verify(body, headers)
    with pytest.raises(standardwebhooks.webhooks.WebhookVerificationError):
        standardwebhooks.Webhook(secret).verify(body + b" ", headers)


def test_during_a_rotation_both_secrets_sign():
    old, new = new_secret(), new_secret()
    body, timestamp = b"{}", int(datetime.now(UTC).timestamp())
    headers = webhook_headers([new, old], "evt_2", timestamp, body)
    assert headers["webhook-signature"] == (
        f"{sign(new, 'evt_2', timestamp, body)} {sign(old, 'evt_2', timestamp, body)}")
    for secret in (old, new):  # receivers on either secret accept it
        standardwebhooks.Webhook(secret).verify(body, headers)
