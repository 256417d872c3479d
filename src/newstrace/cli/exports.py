"""Exports for the CLI: `scan --export DIR` and `index export`. The flattening and
writing live in pipeline/tables.py and the index's tables in index/provenance.py, shared
with the service's downloads."""

from __future__ import annotations

from newstrace.index import Index
from newstrace.index.provenance import records
from newstrace.pipeline.tables import (
    FIELDS,
    FORMATS,
    TABLES,
    scan_tables,
    source_records,
    write_all,
    write_table,
)

__all__ = ["FIELDS", "FORMATS", "TABLES", "index_records", "scan_tables", "source_records",
           "write_all", "write_table"]


def index_records(index: Index, table: str, only: set[str] | None = None) -> list[dict]:
    """One table of an index (index/provenance.records); `only`: the article ids a filter
    matched (None: all)."""
    return records(index, table, only)
