"""Blueprints, one per audience: public (prospects), api, and later builder, sales, auth."""
