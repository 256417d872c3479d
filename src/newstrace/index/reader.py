"""The read side of an index on a connection of its own.

SQLite in WAL mode lets any number of readers query the last committed state while one
writer commits, so a reader that does not share the writer's connection (or thread)
never waits for an add: the service answers kin, articles, stories and families from
readers while its single writer adds. What needs the writer's parts stays on the Index:
kin of a new text (the encoder, candidate search); stats from a reader leave out the
in-memory vector and LSH indexes, which the Index adds.
"""

from __future__ import annotations

from pathlib import Path

from newstrace.embedding.encoder import ENCODER_VERSION
from newstrace.grouping import STORY_WINDOW_DAYS
from newstrace.index.index import ENCODER_META
from newstrace.index.queries import Reads
from newstrace.index.store import Store
from newstrace.text.article import Article


class IndexReader(Reads):
    """Stored kin, articles, stories, families and export rows of the index at `path`
    (which must exist). One per thread: a Store is not shared across threads."""

    def __init__(self, path: str | Path):
        self.path = Path(path)
        self.store = Store(self.path, create=False)
        self.encoder_version = self.store.get_meta(ENCODER_META)
        stored = self.store.get_meta("window_days")
        self.window_days = float(stored) if stored else STORY_WINDOW_DAYS

    @property
    def stale(self) -> bool:  # type: ignore[override]
        return self.encoder_version != ENCODER_VERSION

    def kin(self, article_or_id: Article | str, with_features: bool = False) -> list[dict]:
        if not isinstance(article_or_id, str):
            raise TypeError("kin of a new text needs the encoder: ask the Index")
        return super().kin(article_or_id, with_features)

    def close(self) -> None:
        self.store.close()

    def __enter__(self) -> IndexReader:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
