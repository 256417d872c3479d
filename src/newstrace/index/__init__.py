"""The persistent index: SQLite storage, incremental grouping, LSH bands and vectors."""

from newstrace.index.index import ENCODER_META, AddReport, Index, NotIndexed, StaleIndex, text_hash

__all__ = ["ENCODER_META", "AddReport", "Index", "NotIndexed", "StaleIndex", "text_hash"]
