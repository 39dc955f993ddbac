"""Closed-loop analytics: form funnels, lead conversion, speed to lead, score calibration.

Pure calculations (`ranges`, `funnel`, `calibration`, `speed`, `charts`) take counts
and return values; the `*_queries` modules get those counts from aggregate SQL, and
`recording` writes what the funnel counts (views, steps reached). Nothing here
loops over rows in Python: the database groups, Python shapes a handful of totals.
This file imports nothing, so importing a pure module drags in no database code.
"""
