"""Grouping: families (shared text) and stories (same event) from scored pairs."""

from newstrace.grouping.families import FAMILY_PARTIAL, Family, families, family_edge
from newstrace.grouping.stories import STORY_WINDOW_DAYS, Story, assign_stories, stories

__all__ = [
    "FAMILY_PARTIAL", "STORY_WINDOW_DAYS", "Family", "Story", "assign_stories", "families",
    "family_edge", "stories",
]
