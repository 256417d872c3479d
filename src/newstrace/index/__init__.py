"""The persistent index: SQLite storage, incremental grouping, LSH bands and vectors."""

from newstrace.index.index import ENCODER_META, AddReport, Index, NotIndexed, StaleIndex, text_hash
from newstrace.index.reader import IndexReader

__all__ = ["ENCODER_META", "AddReport", "Index", "IndexReader", "NotIndexed", "StaleIndex",
           "text_hash"]
