"""The story model on SemEval-2022 report pairs (held out from calibration): it must beat
its plainest in-run baseline, and reports of one event across languages must stay one
story. Skips without ../shared/data."""

from __future__ import annotations

import numpy as np

from newstrace.evaluation import corpora, metrics
from newstrace.evaluation.tasks import relate_pairs

SAMPLE = 60  # report pairs (about 120 articles to encode on a cold cache)


def test_story_score_beats_whole_text_cosine_on_report_pairs(pipeline, shared_data) -> None:
    items = corpora.semeval(shared_data, "report")[:SAMPLE]
    results = relate_pairs(pipeline, [(p.a, p.b) for p in items])
    gold = -np.array([p.overall for p in items])
    story = metrics.pearson([r.story_score for r in results], gold)
    whole = metrics.pearson([r.features["lead_cos"] for r in results], gold)
    assert story > whole + 0.03 and story > 0.6, (story, whole)


def test_one_event_across_languages_is_one_story(pipeline, shared_data) -> None:
    """de–en report pairs that annotators judged the same event (Overall <= 2): most are
    `same_story` (or reuse); pairs judged unrelated (Overall >= 3.5) mostly are not."""
    items = [p for p in corpora.semeval(shared_data, "report") if p.a.lang != p.b.lang]
    same = [p for p in items if p.overall <= 2.0]
    apart = [p for p in items if p.overall >= 3.5]
    res = relate_pairs(pipeline, [(p.a, p.b) for p in same + apart])
    linked = [r.relation != "unrelated" for r in res]
    assert np.mean(linked[: len(same)]) >= 0.8, linked[: len(same)]
    assert np.mean(linked[len(same):]) <= 0.2, linked[len(same):]
