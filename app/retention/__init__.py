"""Data lifecycle: how long partial responses, delivery logs and signals are kept."""
