"""Grouping: families (shared text) and stories (same event) from scored pairs; outlets
ranked by whose text they reuse."""

from newstrace.grouping.families import (
    FAMILY_PARTIAL,
    ORIGIN_STATUSES,
    Derivation,
    Family,
    derivations,
    families,
    family_edge,
    origin_status,
    origin_text,
)
from newstrace.grouping.stories import (
    STORY_WINDOW_DAYS,
    Story,
    assign_stories,
    stories,
    timelines,
)

__all__ = [
    "FAMILY_PARTIAL", "ORIGIN_STATUSES", "STORY_WINDOW_DAYS", "Derivation", "Family", "Story",
    "assign_stories", "derivations", "families", "family_edge", "origin_status", "origin_text",
    "stories", "timelines",
]
