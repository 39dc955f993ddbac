"""Say up front whether `make test` will run the PostgreSQL pass."""

import os
import sys

from tests.conftest import postgres_server_url, postgres_unavailable_reason

if __name__ == "__main__":
    reason = postgres_unavailable_reason()
    if reason is None:
        print(f"PostgreSQL pass: ON (server {postgres_server_url().rsplit('@', 1)[-1]})")
    elif os.environ.get("LEADFORM_REQUIRE_POSTGRES") == "1":
        print(f"PostgreSQL pass: REQUIRED but {reason}", file=sys.stderr)
        sys.exit(1)
    else:
        print(f"SKIPPED PostgreSQL pass: {reason} (database tests run on SQLite only)")
