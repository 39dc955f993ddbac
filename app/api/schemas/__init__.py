"""Marshmallow schemas of the API: what it reads and writes, and what the OpenAPI document says."""
