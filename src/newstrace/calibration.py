"""`newstrace calibrate`: fit the relation model on the *fit* halves of the dev corpora.

Reuse model (logistic regression on REUSE_FEATURES):
  positives  FLORES cross-lingual pairs of the same document; Clough & Stevenson task a
             cut / light / heavy answers against their original;
  negatives  FLORES pairs of different documents that are nearest neighbours (hard);
             ECB+ pairs of different articles on one event (independent reports) and on
             the look-alike event of the same topic; Clough task a `non` answers.
Story model (logistic regression with soft targets on STORY_FEATURES):
  SemEval-2022 fit pairs with target (4 - Overall) / 3; ECB+ fit pairs, 1 for the same
  event and 0 for the other event of the topic.
Story threshold: the value maximising B-cubed F1 of ECB+ fit-topic stories.
The result is written to src/newstrace/data/params.json with these notes.
"""

from __future__ import annotations

import datetime as dt
import itertools
import json
import random
from dataclasses import replace
from pathlib import Path

import numpy as np

from . import corpora, metrics
from .article import Article
from .evaluation import relate_pairs
from .grouping import families, stories
from .pipeline import Pipeline, Progress, _quiet
from .relation import REUSE_FEATURES, STORY_FEATURES, Params, feature_matrix

PARAMS_FILE = Path(__file__).parent / "data" / "params.json"


def _reuse_pairs(data: Path, rng: random.Random) -> list[tuple[Article, Article, int]]:
    out: list[tuple[Article, Article, int]] = []
    docs = corpora.flores(data, "fit", max_docs=60)
    langs = list(corpora.FLORES_LANGS.values())
    for idx, doc in docs:
        for _ in range(4):
            la, lb = rng.sample(langs, 2)
            out.append((doc.article(la, idx), doc.article(lb, idx), 1))
    for (i, d1), (j, d2) in zip(docs, docs[1:] + docs[:1]):
        for _ in range(2):
            la, lb = rng.sample(langs, 2)
            out.append((d1.article(la, i), d2.article(lb, j), 0))
    for item in corpora.clough(data, "fit"):
        out.append((item.answer, item.source, int(item.category != "non")))
    arts, gold = corpora.ecbplus(data, "fit")
    by_topic: dict[str, list[Article]] = {}
    for a in arts:
        by_topic.setdefault(a.id.split("_")[0], []).append(a)
    for group in by_topic.values():
        pairs = list(itertools.combinations(group, 2))
        for a, b in rng.sample(pairs, min(30, len(pairs))):
            out.append((a, b, 0))
    return out


def _story_pairs(data: Path, rng: random.Random) -> list[tuple[Article, Article, float]]:
    out = [(p.a, p.b, (4.0 - p.overall) / 3.0) for p in corpora.semeval(data, "fit")]
    arts, gold = corpora.ecbplus(data, "fit")
    by_topic: dict[str, list[Article]] = {}
    for a in arts:
        by_topic.setdefault(a.id.split("_")[0], []).append(a)
    for group in by_topic.values():
        pairs = list(itertools.combinations(group, 2))
        for a, b in rng.sample(pairs, min(40, len(pairs))):
            out.append((a, b, float(gold[a.id] == gold[b.id])))
    return out


def calibrate(pipeline: Pipeline, data: Path, progress: Progress = _quiet,
              write: bool = True) -> tuple[Params, dict]:
    rng = random.Random(13)
    params = pipeline.params
    report: dict = {}

    reuse_set = _reuse_pairs(data, rng)
    res = relate_pairs(pipeline, [(a, b) for a, b, _ in reuse_set], progress)
    X = feature_matrix([r.features for r in res], REUSE_FEATURES)
    y = np.array([t for _, _, t in reuse_set], dtype=float)
    w, b = metrics.fit_logistic(X, y, l2=1.0)
    params = replace(params, reuse_weights=dict(zip(REUSE_FEATURES, map(float, w))),
                     reuse_bias=float(b))
    fitted = metrics.logistic(X @ w + b)
    report["reuse"] = {"pairs": len(y), "positives": int(y.sum()),
                       "fit_auc": round(metrics.roc_auc(fitted, y > 0.5), 4)}
    t, f1 = metrics.best_threshold_f1(fitted, y > 0.5)
    report["reuse"]["best_threshold_f1"] = [round(t, 4), round(f1, 4)]

    story_set = _story_pairs(data, rng)
    res_s = relate_pairs(pipeline, [(a, b) for a, b, _ in story_set], progress)
    Xs = feature_matrix([r.features for r in res_s], STORY_FEATURES)
    ys = np.array([t for _, _, t in story_set])
    ws, bs = metrics.fit_logistic(Xs, ys, l2=1.0)
    params = replace(params, story_weights=dict(zip(STORY_FEATURES, map(float, ws))),
                     story_bias=float(bs))
    semeval_n = sum(1 for _ in corpora.semeval(data, "fit"))
    pred = metrics.logistic(Xs @ ws + bs)
    report["story"] = {"pairs": len(ys),
                       "fit_pearson_semeval": round(metrics.pearson(pred[:semeval_n],
                                                                    ys[:semeval_n]), 4)}

    # Story threshold: B-cubed on the ECB+ fit topics, grouping re-run per threshold.
    pipeline.params = params
    arts, gold = corpora.ecbplus(data, "fit")
    scan = pipeline.scan(arts, progress)
    scored = scan.scored
    fams = families(arts, scored)
    best = (0.0, params.story_threshold)
    for thr in np.arange(0.3, 0.91, 0.025):
        sts = stories(arts, scored, fams, float(thr))
        pred_map = {x: s.id for s in sts for x in s.articles}
        f1 = metrics.bcubed(pred_map, gold)["f1"]
        if f1 > best[0]:
            best = (f1, float(round(thr, 3)))
    params = replace(params, story_threshold=best[1])
    report["story"]["threshold"] = best[1]
    report["story"]["fit_bcubed_f1"] = round(best[0], 4)

    params = replace(params, notes={
        "fitted": dt.date.today().isoformat(),
        "how": "newstrace calibrate on the fit halves of ../shared/data (see calibration.py)",
        "report": json.dumps(report),
    })
    pipeline.params = params
    if write:
        PARAMS_FILE.write_text(json.dumps(params.to_dict(), indent=2) + "\n", encoding="utf-8")
    return params, report

