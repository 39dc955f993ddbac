"""Data lifecycle: how long partial responses, delivery logs, signals and audit entries are kept."""
