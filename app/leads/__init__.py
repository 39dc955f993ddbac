"""The database side of qualification: models in force, signals, teams, and leads."""
