"""The API's blueprints, one per resource (one OpenAPI tag each)."""
