"""`newstrace calibrate`: fit the relation model on the *fit* halves of the dev corpora.

Span model (verify.py; two logistic regressions, same language and across languages):
  sentence pairs of span_pairs.py (translations, paraphrases, copies against sentences on
  the same facts); its threshold is the lowest probability at which the fit pairs'
  precision reaches SPAN_PRECISION: a verified span must be shared text.
Reuse model (logistic regression on REUSE_FEATURES: evidence computed from verified
  passages, each weighted >= 0, and the same-language prior, free):
  positives  FLORES cross-lingual pairs of the same document; Clough & Stevenson task a
             cut / light / heavy answers against their original;
             planted same-language copies and excerpts built from ECB+ fit articles;
             planted passages (planted.py, fit halves): verbatim, edited, translated;
  negatives  FLORES pairs of different documents; ECB+ pairs of different articles on
             one event (independent reports: no shared word 5-gram; pairs sharing wire
             copy are left out) and on the look-alike event of the same topic; Clough
             task a `non` answers; the planted passages' control pairs;
  briefs     2-4-sentence excerpts of the above and of SemEval fit pairs, and runs of
             2-4 newstest lines of the fit years (_short_pairs, _multiway_briefs).
Story model (logistic regression with soft targets; story_calibration.py chooses the
  feature set and ridge strength by leave-one-language-pair-out Pearson on the SemEval fit
  half plus B-cubed on the ECB+ fit topics): SemEval-2022 fit pairs with target
  (4 - Overall) / 3, so story_score is calibrated to human judgements of "same news
  event". (Adding ECB+ pairs as 0/1 targets raised ECB+ AUC from 0.91 to 0.93 but lowered
  the SemEval fit Pearson from 0.76 to 0.73 and pushed cross-lingual same-event pairs
  below 0.5, so ECB+ only chooses among models and sets the grouping threshold.)
Family merge rule (family_min_link): the middle of the plateau of best mean pairwise F1 of
families on FLORES fit documents (20-language translation families) and Clough task a
(one source, many partial copies: families that must still grow spoke by spoke).
Story threshold: the lowest value whose B-cubed F1 of ECB+ fit-topic stories is within
PLATEAU of the best; pairs across languages get the logit offset that puts their median
same-event SemEval fit pair at the same score as the same-language one (ECB+ is English).
The result is written to src/newstrace/data/params.json with these notes.
"""

from __future__ import annotations

import datetime as dt
import itertools
import json
import random
from dataclasses import replace
from pathlib import Path
from typing import Any

import numpy as np

from newstrace.embedding.prepare import Prepared
from newstrace.evaluation import corpora, metrics, planted, span_pairs
from newstrace.evaluation.story_calibration import fit_story_model
from newstrace.evaluation.tasks import CLOUGH_OK, fit_reuse, relate_pairs, relate_prepared
from newstrace.grouping import families
from newstrace.matching import story_adapter
from newstrace.matching.relation import (
    REUSE_FEATURES,
    Params,
    feature_matrix,
    label,
    reuse_probability,
)
from newstrace.matching.story_adapter import StoryAdapter
from newstrace.matching.verify import CROSS_FEATURES, SAME_FEATURES, SpanModel
from newstrace.pipeline import Pipeline, Progress, _quiet
from newstrace.text.article import Article
from newstrace.text.sentences import split_sentences

PARAMS_FILE = Path(__file__).parents[1] / "data" / "params.json"
SPAN_PRECISION = 0.95  # a verified span is shared text at least this often (fit pairs)
EXTEND_PRECISION = 0.80  # a span that extends a passage: at least this often
PLANTED_PER_KIND = 20
PARTIAL_COVERAGE = 0.5  # `partial`: the shared text is not most of one of the articles
MIN_LINKS = (0.0, 0.05, 0.1, 0.15, 0.2, 0.3, 0.4, 0.5)


def _cv_auc(X: np.ndarray, y: np.ndarray, fit: Any = metrics.fit_logistic) -> float:
    """Two-fold cross-validated AUC of a logistic model (folds drawn at random with a fixed
    seed: the pair builders emit positives and negatives in alternation)."""
    scores = np.zeros(len(y))
    fold_of = np.random.default_rng(0).permutation(len(y)) % 2
    for fold in (0, 1):
        train, test = fold_of != fold, fold_of == fold
        w, b = fit(X[train], y[train], l2=1.0)
        scores[test] = metrics.logistic(X[test] @ w + b)
    return float(metrics.roc_auc(scores, y > 0.5))


NOT_REUSE = frozenset({"same_story", "unrelated"})


def _reuse_pairs(data: Path, rng: random.Random) -> list[tuple[Article, Article, int, frozenset]]:
    """(a, b, shares text?, the labels that count as right for the pair)."""
    out: list[tuple[Article, Article, int, frozenset]] = []
    translation = frozenset({"translation"})
    docs = corpora.flores(data, "fit", max_docs=60)
    langs = list(corpora.FLORES_LANGS.values())
    for idx, doc in docs:
        for _ in range(4):
            la, lb = rng.sample(langs, 2)
            out.append((doc.article(la, idx), doc.article(lb, idx), 1, translation))
    for (i, d1), (j, d2) in zip(docs, docs[1:] + docs[:1]):
        for _ in range(2):
            la, lb = rng.sample(langs, 2)
            out.append((d1.article(la, i), d2.article(lb, j), 0, NOT_REUSE))
    for item in corpora.clough(data, "fit"):
        out.append((item.answer, item.source, int(item.category != "non"),
                    frozenset(CLOUGH_OK[item.category])))
    arts, gold = corpora.ecbplus(data, "fit")
    for pairs in _topic_pairs(arts):
        for a, b in rng.sample(pairs, min(30, len(pairs))):
            # Reports of one event may share wire copy: such a pair is not a negative (nor a
            # labelled positive). Independent means no shared word 5-gram, as the span
            # model's negatives and the ECB+ evaluation define it.
            if planted.containment(a.text, b.text) < planted.CONTAINMENT_INDEPENDENT:
                out.append((a, b, 0, NOT_REUSE))
    out += _planted_copies(arts, rng)
    out += _short_pairs(data, docs, arts, rng)
    for case in planted.cases(data, "fit", PLANTED_PER_KIND):
        out.append((case.source, case.host, 1, frozenset({"partial"})))
        out.append((case.source, case.control, 0, NOT_REUSE))
    return out


def _span_model(pipeline: Pipeline, data: Path, report: dict) -> SpanModel:
    """Fit the span model on the fit sentence pairs; levels for SPAN_PRECISION and
    EXTEND_PRECISION (see the comment on the levels below)."""
    pairs = span_pairs.build(data, "fit", pipeline.encoder)
    feats = span_pairs.featurize(pairs, pipeline.encoder)
    model = SpanModel()
    y_all = np.array([p.shared for p in pairs], dtype=float)
    same_pair = np.array([p.same_language for p in pairs])

    def fit(mask: np.ndarray, names: tuple[str, ...]) -> tuple[np.ndarray, float, np.ndarray,
                                                               float]:
        X = feature_matrix([f for f, m in zip(feats, mask) if m], names)
        w, b = metrics.fit_logistic(X, y_all[mask], l2=1.0)
        return w, float(b), metrics.logistic(X @ w + b), round(_cv_auc(X, y_all[mask]), 4)

    probs = np.zeros(len(pairs))
    cv: dict[str, float] = {}
    w, b, probs[same_pair], cv["same"] = fit(same_pair, SAME_FEATURES)
    model.same_weights, model.same_bias = dict(zip(SAME_FEATURES, map(float, w))), b
    w, b, probs[~same_pair], cv["cross"] = fit(~same_pair, CROSS_FEATURES)
    model.cross_weights, model.cross_bias = dict(zip(CROSS_FEATURES, map(float, w))), b
    # The same-language model with the cross model as it was before pair_margin: what
    # places the same-language levels (below).
    pooled = probs.copy()
    base_cross = tuple(f for f in CROSS_FEATURES if f != "pair_margin")
    _, _, pooled[~same_pair], cv["cross_without_pair_margin"] = fit(~same_pair, base_cross)

    def lowest(precision: float, scores: np.ndarray, mask: np.ndarray) -> float:
        for t in np.arange(0.05, 0.96, 0.01):
            pred = (scores >= t) & mask
            if pred.sum() and (y_all[pred] == 1).mean() >= precision:
                return float(round(t, 2))
        return 0.95

    # Levels. Across languages: where the cross model's own fit pairs reach the precision
    # asked. Within one language: where all fit pairs together reach it, scored with the
    # cross model as it was before pair_margin (docs/CALIBRATION.md 0): a cross-language
    # feature must not move same-language verdicts. Pooled with the new cross model the
    # levels fell (0.74/0.22 -> 0.71/0.18); on the same-language pairs alone they rose to
    # 0.80/0.30, which on the fit half only dropped ECB+ reuse pairs that share wire copy.
    everyone = np.ones(len(pairs), bool)
    model.threshold = lowest(SPAN_PRECISION, pooled, everyone)
    model.extend_threshold = lowest(EXTEND_PRECISION, pooled, everyone)
    model.cross_threshold = lowest(SPAN_PRECISION, probs, ~same_pair)
    model.cross_extend_threshold = lowest(EXTEND_PRECISION, probs, ~same_pair)
    seed = np.where(same_pair, model.threshold, model.cross_threshold)
    ext = np.where(same_pair, model.extend_threshold, model.cross_extend_threshold)
    seed_share, extend_share = {}, {}
    for src in sorted({p.source for p in pairs}):
        idx = [i for i, p in enumerate(pairs) if p.source == src]
        seed_share[src] = [len(idx), round(float((probs[idx] >= seed[idx]).mean()), 4)]
        extend_share[src] = round(float((probs[idx] >= ext[idx]).mean()), 4)
    pred = probs >= seed
    report["span"] = {
        "pairs": len(pairs), "positives": int(y_all.sum()), "cv_auc": cv,
        "fit_auc": round(metrics.roc_auc(probs, y_all > 0.5), 4),
        "threshold": model.threshold, "extend_threshold": model.extend_threshold,
        "cross_threshold": model.cross_threshold,
        "cross_extend_threshold": model.cross_extend_threshold,
        "extend_share_by_source": extend_share,
        "fit_precision": round(float((y_all[pred] == 1).mean()), 4),
        "fit_recall": round(float(pred[y_all == 1].mean()), 4),
        "verified_share_by_source": seed_share,
    }
    return model


def _topic_pairs(arts: list[Article]) -> list[list[tuple[Article, Article]]]:
    """ECB+ article pairs within each topic (reports of one event or of its look-alike)."""
    by_topic: dict[str, list[Article]] = {}
    for a in arts:
        by_topic.setdefault(a.id.split("_")[0], []).append(a)
    return [list(itertools.combinations(g, 2)) for g in by_topic.values()]


def _excerpt(a: Article, k: int, tag: str) -> Article:
    """The first k sentences of an article: a news brief."""
    return Article(id=f"{a.id}-{tag}{k}", text="\n".join(split_sentences(a.text)[:k]),
                   lang=a.lang)


def _short_pairs(data: Path, docs: list, ecb: list[Article], rng: random.Random) -> list:
    """Briefs of 2-4 sentences. Between short texts one loosely similar sentence pair is
    a third to a half of each text, which long documents never taught the model.

    positive  the same FLORES fit document in two languages;
    negative  two ECB+ articles on one event (same story, own words); SemEval fit pairs
              not judged near-identical (Overall > 1.5), within and across languages;
              two FLORES documents on neighbouring topics.
    """
    out = []
    langs = list(corpora.FLORES_LANGS.values())
    for idx, doc in rng.sample(docs, min(40, len(docs))):
        la, lb = rng.sample(langs, 2)
        k = rng.randint(2, 4)
        out.append((_excerpt(doc.article(la, idx), k, "brief"),
                    _excerpt(doc.article(lb, idx), k, "brief"), 1,
                    frozenset({"translation"})))
    for (i, d1), (j, d2) in rng.sample(list(zip(docs, docs[1:])), min(30, len(docs) - 1)):
        la, lb = rng.sample(langs, 2)
        out.append((_excerpt(d1.article(la, i), rng.randint(2, 4), "brief"),
                    _excerpt(d2.article(lb, j), rng.randint(2, 4), "brief"), 0, NOT_REUSE))
    same_event = [p for pairs in _topic_pairs(ecb) for p in pairs]
    for a, b in rng.sample(same_event, min(60, len(same_event))):
        out.append((_excerpt(a, rng.randint(2, 4), "brief"),
                    _excerpt(b, rng.randint(2, 4), "brief"), 0, NOT_REUSE))
    sem = [p for p in corpora.semeval(data, "fit") if p.overall > 1.5]
    for p in rng.sample(sem, min(60, len(sem))):
        out.append((_excerpt(p.a, rng.randint(2, 4), "brief"),
                    _excerpt(p.b, rng.randint(2, 4), "brief"), 0, NOT_REUSE))
    return out + _multiway_briefs(data, rng)


def _multiway_briefs(data: Path, rng: random.Random, n: int = 80) -> list:
    """Runs of 2-4 consecutive newstest lines (fit years): the same run in two languages
    is a translation; the next run of the same article, in any language, is the same
    story in other words (the hardest negative for short texts); a run from elsewhere is
    unrelated."""
    out = []
    years = corpora.multiway(data, "fit")

    def run(year: int, lang: str, start: int, k: int, tag: str) -> Article:
        text = "\n".join(x for x in years[year][lang][start : start + k] if x.strip())
        return Article(id=f"mw{year}_{start}_{lang}-{tag}", text=text, lang=lang)

    for i in range(n):
        year = rng.choice(sorted(years))
        langs = sorted(years[year])
        size = min(len(v) for v in years[year].values())
        start, k, k2 = rng.randrange(size - 10), rng.randint(2, 4), rng.randint(2, 4)
        la, lb = rng.sample(langs, 2)
        out.append((run(year, la, start, k, "a"), run(year, lb, start, k, "b"), 1,
                    frozenset({"translation"})))
        lb = rng.choice(langs)
        out.append((run(year, la, start, k, "a"), run(year, lb, start + k, k2, "next"), 0,
                    NOT_REUSE))
        if i % 2 == 0:
            far = (start + size // 2) % (size - 10)
            out.append((run(year, la, start, k, "a"), run(year, lb, far, k2, "far"), 0,
                        NOT_REUSE))
    return out


def _planted_copies(arts: list[Article], rng: random.Random) -> list:
    """Same-language copies and excerpts, which the dev corpora hardly contain.

    From ECB+ fit articles: a light copy (one sentence dropped, a footer added) is a
    `duplicate`; a block of 3-4 consecutive sentences pasted into an article of another
    topic is `partial` reuse.
    """
    out = []
    long = [a for a in arts if len(split_sentences(a.text)) >= 8]
    for a in rng.sample(long, min(40, len(long))):
        sents = split_sentences(a.text)
        drop = rng.randrange(len(sents))
        copy = sents[:drop] + sents[drop + 1 :] + ["Share this article on Facebook."]
        out.append((a, Article(id=f"{a.id}-copy", text="\n".join(copy), lang="en"), 1,
                    frozenset({"duplicate"})))
        host = rng.choice([x for x in long if x.id.split("_")[0] != a.id.split("_")[0]])
        hs = split_sentences(host.text)
        k, start = rng.choice((3, 4)), rng.randrange(len(sents) - 4)
        mid = len(hs) // 2
        text = "\n".join(hs[:mid] + sents[start : start + k] + hs[mid:])
        out.append((a, Article(id=f"{host.id}-quoting-{a.id}", text=text, lang="en"), 1,
                    frozenset({"partial"})))
    return out


ADAPTER_L2 = (0.003, 0.01, 0.03, 0.1, 0.3)
# Ridge strengths whose CV Pearsons differ by less than this are a tie, and the stronger
# ridge wins: a fourth-decimal difference once flipped the adapter (and the story model
# chosen after it) when a few fit pages lost their furniture.
ADAPTER_L2_TIE = 0.001


def pick_l2(cv_pearson: dict[float, float], tie: float = ADAPTER_L2_TIE) -> float:
    """The strongest ridge whose CV Pearson is within `tie` of the best."""
    top = max(cv_pearson.values())
    return max(l2 for l2, r in cv_pearson.items() if r >= top - tie)


def _story_adapter(prepared: list[Prepared], story_set: list[tuple[Article, Article, float]],
                   report: dict) -> tuple[StoryAdapter, np.ndarray]:
    """The lead adapter, its ridge strength chosen by Pearson of out-of-group scores
    (grouped by language pair); returns it and those scores for the story model's fit.
    `prepared`: the pairs' articles, prepared, in the order a0, b0, a1, b1, ..."""
    a = np.stack([p.lead_centred for p in prepared[0::2]])
    b = np.stack([p.lead_centred for p in prepared[1::2]])
    y = np.array([t for _, _, t in story_set])
    groups = [f"{x.lang}-{z.lang}" for x, z, _ in story_set]
    cv = {l2: story_adapter.out_of_group(a, b, y, groups, l2) for l2 in ADAPTER_L2}
    pearson = {l2: metrics.pearson(s, y) for l2, s in cv.items()}
    best = pick_l2(pearson)
    report["story_adapter"] = {
        "pairs": len(y), "l2": best,
        "cv_pearson_by_l2": {str(k): round(v, 4) for k, v in pearson.items()},
        "cv_pearson_plain_cosine": round(metrics.pearson((a * b).sum(axis=1), y), 4)}
    return story_adapter.fit(a, b, y, best), cv[best]


def _story_pairs(data: Path) -> list[tuple[Article, Article, float]]:
    """SemEval fit pairs with the human similarity as a soft target in [0, 1]."""
    return [(p.a, p.b, (4.0 - p.overall) / 3.0) for p in corpora.semeval(data, "fit")]


def _label_thresholds(params: Params, pairs: list, results: list, report: dict) -> Params:
    """Grid-search the label thresholds for label accuracy on the reuse fit pairs.

    Right labels: Clough cut -> duplicate/partial, light -> duplicate/rewrite/partial,
    heavy -> rewrite/partial, non -> no reuse label; FLORES same document -> translation,
    different documents -> no reuse label.
    """
    best = (-1.0, params)
    # partial_coverage is not searched: `partial` means "one text is mostly its own", so
    # it is 0.5 by definition (grouping.FAMILY_PARTIAL uses the same line).
    for dup, one in itertools.product((0.3, 0.4, 0.5, 0.6, 0.7, 0.8),
                                      (0.4, 0.5, 0.6, 0.7, 0.8)):
        cand = replace(params, duplicate_lex3=dup, partial_coverage=PARTIAL_COVERAGE,
                       translation_one_to_one=one)
        right = [label(r.features, reuse_probability(r.features, cand), 0.0, cand) in ok
                 for (_, _, _, ok), r in zip(pairs, results)]
        acc = sum(right) / len(right)
        if acc > best[0]:
            best = (acc, cand)
    report["labels"] = {"fit_label_accuracy": round(best[0], 4),
                        "duplicate_lex3": best[1].duplicate_lex3,
                        "partial_coverage": best[1].partial_coverage,
                        "translation_one_to_one": best[1].translation_one_to_one}
    return best[1]


def _family_rule(pipeline: Pipeline, data: Path, params: Params, report: dict,
                 progress: Progress) -> Params:
    """Pick family_min_link by pairwise family F1 on two kinds of fit families."""
    arts, gold = corpora.flores_families(corpora.flores(data, "fit", max_docs=30))
    sets = [arts]
    items = corpora.clough(data, "fit")
    src = items[0].source
    gold[src.id] = "clough"
    for i in items:
        if i.category != "non":
            gold[i.answer.id] = "clough"
    sets.append([src] + [i.answer for i in items])
    scans = [(arts, pipeline.scan(arts, progress).scored) for arts in sets]
    curve = {}
    for link in MIN_LINKS:
        f1s = []
        for arts, scored in scans:
            fams = families(arts, scored, link)
            ids = {a.id for a in arts}
            pred = metrics.pairs_from_clusters(f.articles for f in fams)
            want = metrics.pairs_from_clusters(corpora.events_to_clusters(
                {k: v for k, v in gold.items() if k in ids}))
            f1s.append(metrics.pairwise_prf(pred, want)["f1"])
        curve[link] = (float(np.mean(f1s)), f1s)
    # The optimum is a plateau: take its middle value, the one furthest from both edges.
    top = max(v[0] for v in curve.values())
    plateau = [k for k in MIN_LINKS if curve[k][0] >= top - 0.002]
    best = plateau[len(plateau) // 2]
    report["families"] = {"min_link_mean_f1": {str(k): [round(v[0], 4)] + [round(x, 4)
                                                                           for x in v[1]]
                                               for k, v in curve.items()},
                          "columns": "mean, FLORES fit, Clough task a", "min_link": best}
    return replace(params, family_min_link=best)


def calibrate(pipeline: Pipeline, data: Path, progress: Progress = _quiet,
              write: bool = True) -> tuple[Params, dict]:
    rng = random.Random(13)
    params = pipeline.params
    report: dict = {}

    # Start from a neutral reuse model: the shipped weights may name features of an
    # earlier version (reuse_probability is 0.5 until the refit below).
    params = replace(params, span=_span_model(pipeline, data, report), reuse_weights={},
                     reuse_bias=0.0)
    pipeline.params = params
    reuse_set = _reuse_pairs(data, rng)
    y = np.array([t for _, _, t, _ in reuse_set], dtype=float)
    # The aligner's own threshold stays at 0.4 (chosen by cross-validated reuse AUC before
    # spans were verified): it only proposes spans now, and the span model decides.
    res = relate_pairs(pipeline, [(a, b) for a, b, _, _ in reuse_set], progress)
    X = feature_matrix([r.features for r in res], REUSE_FEATURES)
    # Every reuse feature measures shared text, so no weight may be negative (relation.py):
    # unconstrained, word-3-gram containment came out negative, and among pairs with no
    # passage more shared words then ranked lower.
    cv_auc = _cv_auc(X, y, fit_reuse)
    w, b = fit_reuse(X, y)
    params = replace(params, reuse_weights=dict(zip(REUSE_FEATURES, map(float, w))),
                     reuse_bias=float(b))
    pipeline.params = params
    fitted = metrics.logistic(X @ w + b)
    report["reuse"] = {"pairs": len(y), "positives": int(y.sum()),
                       "cv_auc": round(cv_auc, 4),
                       "fit_auc": round(metrics.roc_auc(fitted, y > 0.5), 4)}
    t, f1 = metrics.best_threshold_f1(fitted, y > 0.5)
    report["reuse"]["best_threshold_f1"] = [round(t, 4), round(f1, 4)]
    params = _label_thresholds(params, reuse_set, res, report)

    pipeline.params = params
    params = _family_rule(pipeline, data, params, report, progress)
    pipeline.params = params

    # Story model and threshold: chosen among STORY_MODELS (story_calibration.py), after
    # the lead adapter it may stack on (story_adapter.py).
    story_set = _story_pairs(data)
    # Prepared once for the adapter and the pairs (a Prepared does not depend on params).
    prepared = pipeline.prepare_all([x for a, b, _ in story_set for x in (a, b)], progress)
    # A pair where one text is all site furniture (a bot check scraped in place of the
    # article) is not judged (relation.py `no_text`); its gold score is no target.
    judged = [k for k in range(len(story_set))
              if prepared[2 * k].article.sentences and prepared[2 * k + 1].article.sentences]
    report["story_pairs_not_judged"] = len(story_set) - len(judged)
    story_set = [story_set[k] for k in judged]
    prepared = [x for k in judged for x in (prepared[2 * k], prepared[2 * k + 1])]
    adapter, held_out = _story_adapter(prepared, story_set, report)
    params = replace(params, story_adapter=adapter)
    pipeline.params = params
    res_s = relate_prepared(list(zip(prepared[0::2], prepared[1::2])), params, progress)
    for r, score in zip(res_s, held_out):
        # The adapter was fitted on these very pairs: the story model sees the scores of
        # adapters fitted without each pair's language pair instead.
        r.features["lead_adapted"] = float(score)
    arts, gold = corpora.ecbplus(data, "fit")
    scored = pipeline.scan(arts, progress).scored
    fams = families(arts, scored, params.family_min_link)
    fit = fit_story_model(story_set, res_s, (arts, gold, scored, fams))
    params = replace(params, story_weights=fit.weights, story_bias=fit.bias,
                     story_cross_offset=fit.cross_offset, story_threshold=fit.threshold)
    report["story"] = fit.report

    params = replace(params, notes={
        "fitted": dt.date.today().isoformat(),
        "how": "newstrace calibrate on the fit halves of ../shared/data (see calibration.py)",
        "report": json.dumps(report),
    })
    pipeline.params = params
    if write:
        PARAMS_FILE.write_text(json.dumps(params.to_dict(), indent=2) + "\n", encoding="utf-8")
    return params, report

