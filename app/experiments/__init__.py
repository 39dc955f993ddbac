"""A/B tests: a form serves two published versions with a traffic split.

`assignment` and `statistics` are pure (no Flask, no SQLAlchemy); `service` starts
and stops experiments, `serving` picks the version a visitor gets, `results`
counts each variant in the database.
"""
