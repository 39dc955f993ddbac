"""Blueprints, one per audience: public (prospects), api, auth and backoffice (the
team); builder and sales hang off the back office via `app.web.access`."""
