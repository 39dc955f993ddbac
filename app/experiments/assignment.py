"""Which variant a visitor gets: a pure, deterministic function of experiment and visitor.

No table remembers the choice: hashing (experiment id, visitor id) gives the same
answer on every request, in every process and after restarts. Each experiment
hashes with its own id, so a visitor's variants in two experiments are independent.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from typing import Literal

Variant = Literal["a", "b"]
VARIANTS: tuple[Variant, Variant] = ("a", "b")
# Buckets per visitor: 10,000 keeps the split exact to 0.01 % and modulo bias negligible.
BUCKETS = 10_000
MIN_SPLIT, MAX_SPLIT = 1, 99


class SplitError(ValueError):
    """A split that would not be an experiment (everyone on one side)."""


@dataclass(frozen=True)
class RunningExperiment:
    """What serving needs of a running experiment: its id, its two versions, its split."""

    id: int
    version_a_id: int
    version_b_id: int
    split_b: int  # percent of visitors that get version B

    def version_for(self, variant: Variant) -> int:
        return self.version_b_id if variant == "b" else self.version_a_id

    def variant_of(self, version_id: int) -> Variant | None:
        """The variant a version is in this experiment, or None if it is neither."""
        if version_id == self.version_a_id:
            return "a"
        if version_id == self.version_b_id:
            return "b"
        return None


def check_split(split_b: int) -> int:
    """The split as a whole percentage to B, 1 to 99; 0 or 100 would test nothing."""
    if isinstance(split_b, bool) or not isinstance(split_b, int):
        raise SplitError("The split is a whole percentage.")
    if not MIN_SPLIT <= split_b <= MAX_SPLIT:
        raise SplitError(f"Send between {MIN_SPLIT} % and {MAX_SPLIT} % of visitors to B: "
                         "with 0 % or 100 % one version gets nobody to compare.")
    return split_b


def bucket_of(experiment_id: int, visitor_id: str) -> int:
    """A visitor's place in 0..BUCKETS-1 for one experiment, uniform over visitors."""
    digest = hashlib.sha256(f"leadform-experiment:{experiment_id}:{visitor_id}".encode()).digest()
    return int.from_bytes(digest[:8], "big") % BUCKETS


def assign_variant(experiment_id: int, visitor_id: str, split_b: int) -> Variant:
    """'b' for `split_b` percent of visitors, 'a' for the others; always the same per visitor."""
    check_split(split_b)
    if not visitor_id:
        raise ValueError("a visitor id is needed to assign a variant")
    return "b" if bucket_of(experiment_id, visitor_id) < split_b * BUCKETS // 100 else "a"
