"""Relation of two articles: verified passages, scores, and the label.

The aligner proposes spans (any two sentences similar enough); verify.py gives each span
its probability of being shared text, and passages.py keeps only passages of verified
spans. Evidence, coverage and every reuse feature count those passages only, so coverage
means "share of the article that is shared text". story_score may use the looser
similarity of the whole alignment, the leads and the anchors.

reuse_score and story_score are logistic models; their weights, the span model and the
label thresholds are fitted on the dev corpora by `newstrace calibrate` and shipped in
data/params.json (see docs/CALIBRATION.md). Nothing here is tuned by hand to an example.
"""

from __future__ import annotations

import hashlib
import json
import math
from collections.abc import Mapping
from dataclasses import asdict, dataclass, field
from functools import lru_cache
from importlib import resources
from typing import Any

import numpy as np

from newstrace.embedding.prepare import Prepared
from newstrace.matching.alignment import (
    Alignment,
    AlignParams,
    Span,
    align_and_reversed,
    align_copies,
    align_rest,
    covered,
)
from newstrace.matching.passages import (
    Evidence,
    PassageParams,
    evidence_alignment,
    minimum,
    passages,
)
from newstrace.matching.story_adapter import StoryAdapter
from newstrace.matching.verify import SpanModel, extend_diagonal, verify
from newstrace.text.entities import common as common_facts
from newstrace.text.entities import compare as compare_facts
from newstrace.text.language import same_language

RELATIONS = ("duplicate", "translation", "rewrite", "partial", "same_story", "unrelated")
REUSE = frozenset({"duplicate", "translation", "rewrite", "partial"})

# Every reuse feature is computed from verified passages (or, lex3, from the words), and
# each is evidence for reuse: its weight is fitted >= 0. same_language is no evidence but
# a prior (its weight is free): within one language, reports of one event share more
# words and passages by chance, so the same passages weigh less there.
REUSE_FEATURES = ("passage", "cov_min", "cov_max", "vshare", "run", "vmean", "lex3",
                  "same_language")
REUSE_FREE = (REUSE_FEATURES.index("same_language"),)
# Story features the calibration chooses among (calibration.STORY_MODELS); the chosen
# ones are the keys of Params.story_weights.
STORY_FEATURES = (
    "lead_cos", "lead_centred", "doc_cos", "raw_cos", "anchor_overlap", "name_overlap",
    "number_overlap", "total_norm", "same_language", "title_best", "bert", "top3",
    "word_jac", "who", "where", "where_country", "where_conflict", "when", "when_conflict",
    "year_conflict", "what_numbers", "event_conflict", "lead_adapted",
)


@dataclass
class Params:
    align: AlignParams = field(default_factory=AlignParams)
    span: SpanModel = field(default_factory=SpanModel)
    passage: PassageParams = field(default_factory=PassageParams)
    reuse_weights: dict[str, float] = field(default_factory=dict)
    reuse_bias: float = 0.0
    story_weights: dict[str, float] = field(default_factory=dict)
    story_bias: float = 0.0
    # Logit added to a pair's story score across languages before the story threshold is
    # applied (labels, grouping): two reports of one event in two languages score lower
    # than two in one, so a threshold set on English would split multilingual stories.
    # story_score itself stays the fitted probability (story_calibration.py).
    story_cross_offset: float = 0.0
    # Learned weighting of the lead vectors' dimensions (story_adapter.py): `lead_adapted`.
    story_adapter: StoryAdapter = field(default_factory=StoryAdapter)
    reuse_threshold: float = 0.5
    story_threshold: float = 0.5
    duplicate_lex3: float = 0.5  # word 3-gram containment of a same-language copy
    partial_coverage: float = 0.5  # verified coverage of either text below this: partial
    translation_one_to_one: float = 0.6
    direction_margin: float = 0.15  # coverage asymmetry needed to guess a direction
    family_min_link: float = 0.0  # grouping.families: share of reuse pairs to merge two
    notes: dict[str, str] = field(default_factory=dict)

    @classmethod
    def from_dict(cls, d: dict) -> Params:
        d = dict(d)
        d["align"] = AlignParams(**d.get("align", {}))
        d["span"] = SpanModel(**d.get("span", {}))
        d["passage"] = PassageParams(**d.get("passage", {}))
        d["story_adapter"] = StoryAdapter(**d.get("story_adapter", {}))
        return cls(**d)

    def to_dict(self) -> dict:
        return asdict(self)


def model_version(params: Params) -> str:
    """A short fingerprint of the calibrated relation model (every threshold and weight,
    not the notes): an index records it, so verdicts stored by another model show."""
    d = params.to_dict()
    d.pop("notes", None)
    canon = json.dumps(d, sort_keys=True, separators=(",", ":"))
    return hashlib.blake2b(canon.encode("utf-8"), digest_size=6).hexdigest()


@lru_cache(maxsize=1)
def default_params() -> Params:
    ref = resources.files("newstrace").joinpath("data/params.json")
    return Params.from_dict(json.loads(ref.read_text(encoding="utf-8")))


@dataclass
class PairResult:
    a: str
    b: str
    relation: str
    reuse_score: float
    story_score: float
    direction: str | None
    alignment: Alignment  # the verified passages' spans (score = probability shared)
    features: dict[str, float]
    direction_reason: str | None = None
    via: str | None = None  # set when the relation was inferred through a pivot article
    # The score the story threshold was applied to, where it differs from story_score
    # (a pair across languages that agree on where: see story_link).
    story_link: float | None = None
    # Why the label: which rule decided it, with the figures it compared (relation.label).
    reason: str | None = None
    # The most probable aligned spans in no passage, for a reader checking the verdict.
    near: list[Span] = field(default_factory=list)

    @property
    def link(self) -> float:
        return self.story_score if self.story_link is None else self.story_link

    def to_dict(self, with_features: bool = False) -> dict:
        d = {
            "a": self.a,
            "b": self.b,
            "relation": self.relation,
            "reuse_score": round(self.reuse_score, 4),
            "story_score": round(self.story_score, 4),
            "direction": self.direction,
            "coverage": {
                "a": round(self.alignment.coverage_a, 4),
                "b": round(self.alignment.coverage_b, 4),
            },
            "evidence": [s.to_dict() for s in self.alignment.spans] if self.is_reuse else [],
        }
        if self.via:
            d["via"] = self.via
        if self.story_link is not None:
            d["story_link"] = round(self.story_link, 4)
        if self.direction_reason:
            d["direction_reason"] = self.direction_reason
        if self.reason:
            d["reason"] = self.reason
        if self.near:
            d["not_evidence"] = [s.to_dict() for s in self.near]
        if with_features:
            d["features"] = {k: round(v, 4) for k, v in self.features.items()}
        return d

    @classmethod
    def from_dict(cls, d: Mapping[str, Any]) -> PairResult:
        """A pair back from its JSON (to_dict): the index's stored pairs, a story's pairs
        in the service. Scores are as rounded there; features only if stored."""
        def spans(key: str) -> list[Span]:
            return [Span((e["a"][0], e["a"][1]), (e["b"][0], e["b"][1]), e["score"])
                    for e in d.get(key) or []]

        cov = d.get("coverage") or {}
        al = Alignment(spans=spans("evidence"), coverage_a=cov.get("a", 0.0),
                       coverage_b=cov.get("b", 0.0))
        return cls(str(d["a"]), str(d["b"]), d["relation"], float(d["reuse_score"]),
                   float(d["story_score"]), d.get("direction"), al,
                   dict(d.get("features") or {}), d.get("direction_reason"), d.get("via"),
                   d.get("story_link"), d.get("reason"), spans("not_evidence"))

    @property
    def is_reuse(self) -> bool:
        return self.relation in REUSE


def _jaccard(x: frozenset[str], y: frozenset[str]) -> float:
    return len(x & y) / len(x | y) if x and y else 0.0


def _overlap(x: frozenset[str], y: frozenset[str]) -> float:
    if not x or not y:
        return 0.0
    return len(x & y) / min(len(x), len(y))


def _views(pa: Prepared, pb: Prepared) -> dict[str, float]:
    """Document views beyond the lead: the best-matching sentences of the two texts."""
    a, b = pa.side.vectors, pb.side.vectors
    if not len(a) or not len(b):
        return {"title_best": 0.0, "bert": 0.0, "top3": 0.0}
    sim = a @ b.T
    return {
        # The title (or first sentence) against its best match in the other text, both ways.
        "title_best": float(sim[0].max() + sim[:, 0].max()) / 2,
        # Greedy sentence matching both ways (BERTScore-like F over sentences).
        "bert": float(sim.max(axis=1).mean() + sim.max(axis=0).mean()) / 2,
        "top3": float(np.sort(sim, axis=None)[::-1][:3].mean()),
    }


def _words(p: Prepared) -> frozenset[str]:
    return frozenset().union(*p.side.words) if p.side.words else frozenset()


def features(pa: Prepared, pb: Prepared, params: Params
             ) -> tuple[dict[str, float], Evidence]:
    same = same_language(pa.article.lang, pb.article.lang)
    doc_cos = float(pa.doc_vector @ pb.doc_vector)
    raw_cos = float(pa.raw_vector @ pb.raw_vector)
    lead_cos = float(pa.lead_vector @ pb.lead_vector)
    lead_centred = float(pa.lead_centred @ pb.lead_centred)
    n, m = len(pa.side.vectors), len(pb.side.vectors)
    short = max(1, min(n, m))
    # Every candidate pair is aligned, however unlike the two documents are: a translated
    # paragraph pasted into a long article of other news leaves the documents' mean
    # vectors at a cosine below zero.
    if not n or not m:
        loose = Alignment(sentences_a=n, sentences_b=m)
        rev_total = 0.0
    else:
        loose, rev_total = align_and_reversed(pa.side, pb.side, same, params.align)
    scored = extend_diagonal(pa.side, pb.side,
                             verify(pa.side, pb.side, loose.spans, same, params.span),
                             same, params.span)
    seed_level, extend_level = params.span.levels(same)
    ev = passages(scored, seed_level, pa.side.lengths, pb.side.lengths,
                  params.passage, extend_level, same_language=same)
    if ev.found and max(ev.alignment.coverage_a, ev.alignment.coverage_b) \
            >= params.partial_coverage:
        ev = _out_of_order(pa, pb, ev, same, params)
    if same:
        ev = _copies(pa, pb, ev, params)
    al = ev.alignment
    names = lambda p: frozenset(x for x in p.doc_anchors if x[0] == "@")  # noqa: E731
    nums = lambda p: frozenset(x for x in p.doc_anchors if x[0] == "#")  # noqa: E731
    lex3 = _overlap(pa.shingles, pb.shingles) if same else 0.0
    f = {
        # Reuse: verified passages only.
        "passage": float(ev.found),
        "cov_min": min(al.coverage_a, al.coverage_b),
        "cov_max": max(al.coverage_a, al.coverage_b),
        "vshare": sum(p.sentences() for p in ev.passages) / short,
        "run": min(max((p.sentences() for p in ev.passages), default=0), 10) / 10,
        "vmean": al.mean_score,
        "one_to_one": al.one_to_one_share(),
        "lex3": lex3,
        # Story: looser similarity.
        "order_gain": max(0.0, loose.total - rev_total) / short,
        "total_norm": loose.total / short,
        "doc_cos": doc_cos,
        "raw_cos": raw_cos,
        "lead_cos": lead_cos,
        "lead_centred": lead_centred,
        "lead_adapted": params.story_adapter.score(pa.lead_centred, pb.lead_centred),
        "anchor_overlap": _overlap(pa.doc_anchors, pb.doc_anchors),
        "name_overlap": _overlap(names(pa), names(pb)),
        "number_overlap": _overlap(nums(pa), nums(pb)),
        "same_language": float(same),
        "word_jac": _jaccard(_words(pa), _words(pb)),
        **_views(pa, pb),
        **compare_facts(pa.facts, pb.facts),
        "verified_spans": float(ev.verified),
        "verified_quotations": float(ev.quotations),
        "aligned_spans": float(len(loose.spans)),
        "no_event": float(not _has_event(pa) or not _has_event(pb)),
        # A page whose text is all site furniture (prepare.analyse: a bot check, paywall or
        # consent wall scraped in place of the article) leaves nothing to judge.
        "no_text": float(not n or not m),
    }
    return f, ev


def _out_of_order(pa: Prepared, pb: Prepared, ev: Evidence, same: bool, params: Params
                  ) -> Evidence:
    """Passages that the monotone alignment left out because they sit in another order
    (alignment.align_rest), added to the evidence of a pair whose passages already cover
    most of one text (a copy whose paragraphs were moved): text is looked for out of order
    only where most of a text is shared already. Asked of every pair with a passage, it
    found paraphrased quotes and datelines between independent reports of one event
    around a pasted passage (fit half, `picked` kind: evidence precision 0.982 -> 0.957).
    The evidence is then sorted by A's sentences, and B's may go back where a block was
    moved."""
    used_a, used_b = covered(ev.spans)
    rest = align_rest(pa.side, pb.side, same, params.align, used_a, used_b)
    return _with(pa, pb, ev, rest.spans, same, params)


def _copies(pa: Prepared, pb: Prepared, ev: Evidence, params: Params) -> Evidence:
    """Passages of near-verbatim sentences (within one language, content-word Dice at
    least `passage.picked_lex`) that the first alignment left out: it maximises its total
    over every pair on the same facts, and a sentence pasted into an independent report of
    one event can lose there to the host's own sentences it would cross (a copied sentence
    of 20+ words, planted: 2 of 40 missed on the fit half). The passage rules are the same."""
    used_a, used_b = covered(ev.spans)
    rest = align_copies(pa.side, pb.side, params.align, params.passage.picked_lex,
                        used_a, used_b)
    return _with(pa, pb, ev, rest.spans, True, params)


def _with(pa: Prepared, pb: Prepared, ev: Evidence, spans: list[Span], same: bool,
          params: Params) -> Evidence:
    """The evidence with the passages that `spans` (off ev's passages) form added."""
    if not spans:
        return ev
    seed_level, extend_level = params.span.levels(same)
    more = passages(verify(pa.side, pb.side, spans, same, params.span), seed_level,
                    pa.side.lengths, pb.side.lengths, params.passage, extend_level,
                    same_language=same)
    if not more.found:
        return ev
    kept = ev.passages + more.passages
    al = evidence_alignment(kept, pa.side.lengths, pb.side.lengths)
    inside = {(s.a, s.b) for s in al.spans}
    near = [s for s in ev.near if (s.a, s.b) not in inside]
    return Evidence(kept, al, ev.verified + more.verified, near,
                    ev.quotations + more.quotations)


def _has_event(p: Prepared) -> bool:
    """Whether the text names anything an event is told apart by: a person or organisation,
    a place, a date, a year or a number (anchors.py, entities.py)."""
    return bool(p.doc_anchors) or p.facts.named()


def _logit(weights: dict[str, float], bias: float, f: dict[str, float]) -> float:
    z = bias + sum(w * f[k] for k, w in weights.items())
    return 1.0 / (1.0 + math.exp(-max(-50.0, min(50.0, z))))


def reuse_probability(f: dict[str, float], params: Params) -> float:
    return _logit(params.reuse_weights, params.reuse_bias, f)


def story_probability(f: dict[str, float], params: Params) -> float:
    return _logit(params.story_weights, params.story_bias, f)


def story_link(story: float, f: dict[str, float], cross_offset: float) -> float:
    """The score the story threshold is applied to: story_score, shifted by cross_offset
    (in logits) for a pair across languages whose texts place the event in a common
    country. The lift makes up for the encoder's lower scores across languages; without a
    shared place it would also lift pages on one subject in two languages (two recipes,
    two fashion posts) into one story. A pair where one text names no event (no person,
    place, date or number) scores 0: it joins no story, as pairs outside the time window;
    so does a pair where one text holds no article text (`no_text`): it is not judged."""
    if f.get("no_event") or f.get("no_text"):
        return 0.0
    if f.get("same_language", 1.0) or not cross_offset or not f.get("where_country", 0.0):
        return story
    p = min(max(story, 1e-9), 1 - 1e-9)
    return 1.0 / (1.0 + math.exp(-(math.log(p / (1 - p)) + cross_offset)))


def label(f: dict[str, float], reuse: float, link: float, params: Params) -> str:
    return label_and_reason(f, reuse, link, params)[0]


def label_and_reason(f: dict[str, float], reuse: float, link: float, params: Params
                     ) -> tuple[str, str]:
    """Reuse needs a verified passage (passages.py) and a reuse score over the threshold.
    Then: either text mostly its own (a quoted block, an excerpt of a longer text, a short
    report pasted into a long one) -> partial; both mostly shared -> by language, lexical
    share and span shapes. The reason names the rule and the figures it compared."""
    if f["passage"] and reuse >= params.reuse_threshold:
        shared = (f"shared text: verified passages, reuse score {reuse:.2f} >= "
                  f"{params.reuse_threshold:.2f}; ")
        if f["cov_min"] < params.partial_coverage:
            return "partial", shared + (
                f"they cover {f['cov_min']:.0%} of one text (< {params.partial_coverage:.0%})")
        if f["same_language"]:
            if f["lex3"] >= params.duplicate_lex3:
                return "duplicate", shared + (
                    f"same language, word 3-gram overlap {f['lex3']:.2f} >= "
                    f"{params.duplicate_lex3:.2f}")
            return "rewrite", shared + (f"same language, word 3-gram overlap "
                                        f"{f['lex3']:.2f} < {params.duplicate_lex3:.2f}")
        if f["one_to_one"] >= params.translation_one_to_one:
            return "translation", shared + (
                f"two languages, {f['one_to_one']:.0%} of spans one sentence to one")
        return "rewrite", shared + (f"two languages, {f['one_to_one']:.0%} of spans one "
                                    "sentence to one (condensed or restructured)")
    if f["passage"]:
        why = (f"a verified passage, but reuse score {reuse:.2f} < "
               f"{params.reuse_threshold:.2f}")
    elif f.get("verified_spans"):
        n = int(f["verified_spans"])
        q = int(f.get("verified_quotations", 0))
        quotes = (f", {'all' if q == n else q} quoted speech (the speaker's words, which "
                  "independent reports share)" if q else "")
        why = (f"{n} verified sentence pair{'s' if n > 1 else ''} in no passage{quotes} (a "
               f"passage needs {minimum(params.passage)})")
    elif f.get("aligned_spans"):
        why = "no aligned sentence pair verified as shared text"
    else:
        why = "no sentence pair aligned"
    if f.get("no_text"):
        return "unrelated", ("not judged: a text holds no article text (all of it is site "
                             "furniture: a bot check, paywall or consent wall scraped in "
                             "place of the article?); see the article's warnings")
    if f.get("no_event"):
        # A story is one news event. Two generic sentences ("Some text long enough to be
        # analysed") sit close in e5's narrow band without telling of any event.
        return "unrelated", (f"not shared text: {why}; no story: a text names no person, "
                             "place, date or number, so there is no event to match")
    rel = "same_story" if link >= params.story_threshold else "unrelated"
    cmp = ">=" if rel == "same_story" else "<"
    # Three decimals: thresholds such as 0.625 must not print as equal to the score.
    return rel, (f"not shared text: {why}; story score {link:.3f} {cmp} "
                 f"{params.story_threshold:.3f}")


def direction(
    pa: Prepared, pb: Prepared, al: Alignment, params: Params
) -> tuple[str | None, str | None]:
    """Which came first: 'a>b' means b derives from a. Returns (direction, reason)."""
    ta, tb = pa.article.published, pb.article.published
    if ta and tb and ta != tb:
        return ("a>b", "published earlier") if ta < tb else ("b>a", "published earlier")
    # A credit points at the other article only when it names the other's publisher;
    # crediting an outside source (the BBC, when no BBC article is here) says nothing.
    credit_a, credit_b = pa.article.attributed_source, pb.article.attributed_source
    if credit_a and _same_source(credit_a, pb.article.source):
        return "b>a", f"a credits {credit_a}"
    if credit_b and _same_source(credit_b, pa.article.source):
        return "a>b", f"b credits {credit_b}"
    # A condensed copy or excerpt covers its source less than the source covers it.
    diff = al.coverage_b - al.coverage_a
    if abs(diff) >= params.direction_margin:
        return ("a>b", "b is contained in a") if diff > 0 else ("b>a", "a is contained in b")
    return None, None


def _same_source(credit: str, source: str | None) -> bool:
    return bool(source) and credit.casefold() in source.casefold()  # type: ignore[union-attr]


def relate(pa: Prepared, pb: Prepared, params: Params | None = None) -> PairResult:
    params = params or default_params()
    f, ev = features(pa, pb, params)
    al = ev.alignment
    reuse = reuse_probability(f, params)
    story = story_probability(f, params)
    link = story_link(story, f, params.story_cross_offset)
    rel, reason = label_and_reason(f, reuse, link, params)
    if rel == "same_story" and (alike := common_facts(pa.facts, pb.facts, pa.article.text,
                                                      pa.article.lang)):
        reason = f"{reason}; {alike}"  # what a reader checks: who, where, when agree
    if rel in REUSE:
        story = link = max(story, reuse)  # shared text is the same story by construction
    d, why = direction(pa, pb, al, params) if rel in REUSE else (None, None)
    return PairResult(pa.id, pb.id, rel, reuse, story, d, al, f, why,
                      story_link=link if link != story else None, reason=reason,
                      near=ev.near)


def feature_matrix(rows: list[dict[str, float]], names: tuple[str, ...]) -> np.ndarray:
    return np.array([[r[k] for k in names] for r in rows], dtype=np.float64)
