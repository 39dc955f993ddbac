"""Lead conversion: lead → MQL → SQL → booked → accepted → won, per group. Pure.

The database counts, per group, the leads that ever reached each milestone (the
milestone timestamps stay set when a stage moves back, so a count never shrinks);
here those counts become rates, and the groups that did not make the table are
summed up as "everything else" from the total.
"""

from __future__ import annotations

from dataclasses import dataclass

from app.analytics.calibration import share

MILESTONES: tuple[tuple[str, str], ...] = (
    ("mql", "MQL"), ("sql", "SQL"), ("booked", "Booked"), ("accepted", "Accepted"),
    ("won", "Won"),
)
GROUPS: dict[str, str] = {
    "source": "Source", "campaign": "Campaign", "form": "Form", "version": "Form version",
}
DEFAULT_GROUP = "source"


@dataclass(frozen=True)
class ConversionRow:
    key: str  # the group's value as text ("" for leads without one)
    label: str
    leads: int
    mql: int
    sql: int
    booked: int
    accepted: int
    won: int

    def count(self, milestone: str) -> int:
        return int(getattr(self, milestone))

    def rate(self, milestone: str) -> float | None:
        """Of this group's leads, the share that reached `milestone`."""
        return share(self.count(milestone), self.leads)


@dataclass(frozen=True)
class ConversionTable:
    group: str
    rows: list[ConversionRow]
    others: ConversionRow | None  # groups beyond the table's limit, together
    total: ConversionRow

    @property
    def is_empty(self) -> bool:
        return not self.total.leads


def remainder(total: ConversionRow, shown: list[ConversionRow], label: str
              ) -> ConversionRow | None:
    """What the total has beyond the shown rows (None when they are everything)."""
    counts = {name: total.count(name) - sum(row.count(name) for row in shown)
              for name in ("leads", *(name for name, _ in MILESTONES))}
    if counts["leads"] <= 0:
        return None
    return ConversionRow(key="", label=label, **counts)
