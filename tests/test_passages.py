"""Verified passages: pasted and translated paragraphs are found as `partial`, with the
evidence on exactly those sentences, and independent coverage is never called reuse."""

from __future__ import annotations

import json
import math
import random

import numpy as np
import pytest

from conftest import FIXTURES, SEEDS
from newstrace import Article
from newstrace.evaluation.planted import PlantedCase, light_edit
from newstrace.matching.alignment import Span, align_and_reversed
from newstrace.matching.passages import PassageParams, passages
from newstrace.matching.relation import REUSE
from newstrace.matching.verify import extend_diagonal, verify
from newstrace.text.readers import read_paths
from newstrace.text.sentences import split_sentences


def _lines(prefix: str) -> list[str]:
    path = next(SEEDS.glob(f"{prefix}_*"))
    return [x for x in path.read_text(encoding="utf-8").splitlines() if x.strip()]


@pytest.fixture(scope="module")
def bbc_guardian(pipeline, tmp_path_factory):
    """The issue's case: 003 (The Guardian) with lines 9-12 of 001 (BBC) pasted after its
    line 3, scanned with 001, 003 and a light edit of 001."""
    l1, l3 = _lines("001"), _lines("003")
    pasted = l1[8:12]
    rng = random.Random(1)
    edit = l1[:5] + [light_edit(x, rng) if len(x.split()) > 8 else x for x in l1[5:]]
    folder = tmp_path_factory.mktemp("bbc")
    for name, lines in (("001", l1), ("003", l3), ("001edit", edit),
                        ("planted", l3[:3] + pasted + l3[3:])):
        (folder / f"{name}.txt").write_text("\n".join(lines) + "\n", encoding="utf-8")
    arts = [a for a in read_paths([folder]) if isinstance(a, Article)]
    scan = pipeline.scan(arts)
    rel = {frozenset((p.a, p.b)): p for p in scan.pairs}
    return scan, rel, {a.id: a for a in arts}, pasted


def _host_sentences(pair, host_id: str) -> set[int]:
    side = "b" if pair.b == host_id else "a"
    return {i for s in pair.alignment.spans for i in range(getattr(s, side)[0],
                                                           getattr(s, side)[1] + 1)}


def test_pasted_bbc_paragraphs_are_partial_with_evidence_on_them(bbc_guardian):
    scan, rel, arts, pasted = bbc_guardian
    pair = rel[frozenset(("001", "planted"))]
    assert pair.relation == "partial"
    case = PlantedCase("verbatim", arts["001"], arts["planted"], arts["003"], pasted)
    gold = case.planted_sentences()
    pred = _host_sentences(pair, "planted")
    assert pred and pred <= gold, (pred, gold)
    assert len(pred & gold) / len(gold) >= 0.75
    # Coverage is the shared share: the four pasted lines, not the whole host.
    assert max(pair.alignment.coverage_a, pair.alignment.coverage_b) < 0.5


def test_no_false_accusation_through_the_pivot(bbc_guardian):
    scan, rel, _, _ = bbc_guardian
    bbc_guardian_pair = rel.get(frozenset(("001", "003")))
    assert bbc_guardian_pair is not None
    assert bbc_guardian_pair.relation == "same_story"
    assert bbc_guardian_pair.via is None
    assert rel[frozenset(("003", "planted"))].relation in {"duplicate", "partial"}
    assert rel[frozenset(("001", "001edit"))].relation == "duplicate"
    family_of = {x: f.id for f in scan.families for x in f.articles}
    assert family_of.get("001") != family_of.get("planted")


def test_unrelated_one_liners_are_not_reuse(pipeline):
    a = Article(id="a", text="Short text here that is just long enough to pass the length check.")
    b = Article(id="b", text="Some text long enough to be analysed, written for the test.")
    r = pipeline.compare(a, b)
    assert r.relation not in REUSE
    assert r.alignment.spans == []
    # Nor one story: neither names a person, place, date or number (they scored 0.64 with
    # the story threshold at 0.625).
    assert r.relation == "unrelated" and r.link == 0.0
    assert r.reason.endswith("no story: a text names no person, place, date or number, so "
                             "there is no event to match")


def test_two_headlines_of_one_event_are_one_story(pipeline):
    a = Article(id="a", text="Putin and Kim Jong Un sign a mutual defence pact in Pyongyang.")
    b = Article(id="b", text="Kim Jong Un hosts Vladimir Putin in Pyongyang and pledges "
                             "mutual defence.")
    r = pipeline.compare(a, b)
    # py3langid alone read the second as Bikol (0.24, English second): unsure verdicts are
    # settled by lingua among its top three.
    assert (a.lang, b.lang) == ("en", "en")
    assert r.features["no_event"] == 0.0
    assert r.relation == "same_story"


@pytest.fixture(scope="module")
def planted_fixture() -> dict:
    return json.loads((FIXTURES / "planted.json").read_text(encoding="utf-8"))


def _ecb_case(fx: dict, edited: bool) -> PlantedCase:
    src, host = fx["ecb"]
    rng = random.Random(3)
    from newstrace.text.sentences import split_sentences

    ss = [s for s in split_sentences(src["text"]) if len(s.split()) >= 6]
    hs = split_sentences(host["text"])
    passage = ss[2:5]
    if edited:
        passage = [light_edit(s, rng) for s in passage]
    mid = len(hs) // 2
    tag = "edited" if edited else "verbatim"
    return PlantedCase(
        tag, Article(id=src["id"], text=src["text"], lang="en"),
        Article(id=f"{host['id']}+{tag}", text="\n".join(hs[:mid] + passage + hs[mid:]),
                lang="en"),
        Article(id=host["id"], text=host["text"], lang="en"), passage)


def _flores_case(fx: dict) -> PlantedCase:
    docs = fx["flores"]
    source = [x for d in docs[:3] for x in d["en"]]
    passage = docs[1]["de"][:3]
    host = [x for d in docs[3:] for x in d["de"]]
    mid = len(host) // 2
    return PlantedCase(
        "translated", Article(id="src-en", text="\n".join(source), lang="en"),
        Article(id="host-de+translated", text="\n".join(host[:mid] + passage + host[mid:]),
                lang="de"),
        Article(id="host-de", text="\n".join(host), lang="de"), passage)


@pytest.mark.parametrize("kind", ["verbatim", "edited", "translated"])
def test_planted_passage_from_dev_data(pipeline, planted_fixture, kind):
    case = (_flores_case(planted_fixture) if kind == "translated"
            else _ecb_case(planted_fixture, kind == "edited"))
    r = pipeline.compare(case.source, case.host)
    assert r.relation == "partial", (r.relation, r.reuse_score, r.features)
    gold = case.planted_sentences()
    pred = _host_sentences(r, case.host.id)
    assert len(pred & gold) / len(pred) >= 0.75
    assert len(pred & gold) / len(gold) >= 0.66
    control = pipeline.compare(case.source, case.control)
    assert control.relation not in REUSE
    assert max(control.alignment.coverage_a, control.alignment.coverage_b) < 0.1


def test_translated_lines_in_a_host_unlike_the_source_are_found(pipeline):
    """newstest 2010 (fit half): three Spanish lines pasted into other Spanish news, against
    the Czech article they translate. The documents' centred means are at a negative cosine;
    every candidate pair is aligned all the same, and the pasted lines are the evidence."""
    fx = json.loads((FIXTURES / "unlike_host.json").read_text(encoding="utf-8"))
    source, host, control = (Article(id=fx[k]["id"], text=fx[k]["text"], lang=fx[k]["lang"])
                             for k in ("source", "host", "control"))
    case = PlantedCase("translated", source, host, control, fx["passage"])
    r = pipeline.compare(source, host)
    assert r.features["doc_cos"] < 0
    assert r.relation == "partial"
    gold = case.planted_sentences()
    pred = _host_sentences(r, host.id)
    assert pred and pred <= gold and len(pred) >= 2
    assert pipeline.compare(source, control).relation not in REUSE


# --- seed -> extend -> filter, on spans with known probabilities -------------------------

def _span(a, b, p, words, lex=None):
    """A span as the span model hands it to passages(): probability and content words
    (and the content-word Dice within one language, where given)."""
    f = {"words": math.log1p(words)} | ({} if lex is None else {"lex": lex})
    return Span(a, b, 0.5), p, f


def _scored(spans, words=10.0, p=0.9, lex=None):
    return [_span(a, b, p, words, lex) for a, b in spans]


def test_passage_minimum_two_verified_sentences_or_one_long():
    lengths = np.full(30, 100.0)
    one = passages(_scored([((3, 3), (7, 7))]), 0.5, lengths, lengths)
    assert not one.found  # one ordinary verified sentence is not a passage
    two = passages(_scored([((3, 3), (7, 7)), ((4, 4), (8, 8))]), 0.5, lengths, lengths)
    assert two.found and len(two.passages) == 1
    assert two.alignment.coverage_a == 2 / 30
    long_one = passages(_scored([((3, 3), (7, 7))], words=22, lex=0.95), 0.5, lengths,
                        lengths)
    assert long_one.found
    # Within one language the lone long sentence must keep its words: a verified
    # paraphrase of one statement (Dice 0.6-0.77 between independent ECB+ reports) is not
    # enough on its own; across languages, where no words are shared, verification is.
    paraphrase = _scored([((3, 3), (7, 7))], words=22, lex=0.7)
    assert not passages(paraphrase, 0.5, lengths, lengths).found
    assert passages(paraphrase, 0.5, lengths, lengths, same_language=False).found
    # Gaps of more than three sentences split passages; each must then stand on its own.
    apart = passages(_scored([((3, 3), (7, 7)), ((9, 9), (13, 13))]), 0.5, lengths, lengths)
    assert not apart.found
    # Stock phrases (too few content words) never seed a passage.
    short = passages(_scored([((3, 3), (7, 7)), ((4, 4), (8, 8))], words=2), 0.5,
                     lengths, lengths)
    assert not short.found
    # Spans under the threshold are not evidence at all.
    weak = passages(_scored([((3, 3), (7, 7)), ((4, 4), (8, 8))], p=0.3), 0.5,
                    lengths, lengths)
    assert not weak.found and weak.verified == 0


def test_a_run_of_short_verified_lines_is_a_passage_if_it_holds_enough_words():
    """Translated short lines ("Tom is here.") never seed, but four verified in a row with
    10+ content words between them are shared text; four ingredient lines ("2 eggs") with
    a word each are not, nor are three lines however long their words."""
    from newstrace.matching.passages import PassageParams

    lengths = np.full(30, 100.0)
    params = PassageParams(verified_run=4, run_words=10)
    four = [((i, i), (i + 4, i + 4)) for i in range(3, 7)]
    dialogue = passages(_scored(four, words=2.5), 0.5, lengths, lengths, params)
    assert dialogue.found and len(dialogue.spans) == 4
    assert not passages(_scored(four, words=1), 0.5, lengths, lengths, params).found
    assert not passages(_scored(four[:3], words=2.9), 0.5, lengths, lengths, params).found
    assert not passages(_scored(four, words=2.5), 0.5, lengths, lengths,
                        PassageParams(verified_run=0)).found  # off: as before


def test_extension_is_looser_than_seeding_but_needs_a_seed():
    lengths = np.full(30, 100.0)
    f = {"words": float(np.log1p(10))}
    # Two seeds bridged by a weaker span three sentences apart: one passage of three spans.
    bridged = [(Span((3, 3), (7, 7), 0.5), 0.9, f), (Span((5, 5), (9, 9), 0.5), 0.4, f),
               (Span((7, 7), (11, 11), 0.5), 0.8, f)]
    ev = passages(bridged, 0.5, lengths, lengths, extend_threshold=0.3)
    assert ev.found and len(ev.spans) == 3 and ev.verified == 2
    # Without the bridge the two seeds are too far apart (gap 3 is allowed, 5 is not).
    assert not passages([bridged[0], (Span((9, 9), (13, 13), 0.5), 0.8, f)], 0.5,
                        lengths, lengths, extend_threshold=0.3).found
    # One seed and a weaker neighbour are not enough.
    assert not passages(bridged[:2], 0.5, lengths, lengths, extend_threshold=0.3).found
    unseeded = [(Span((3, 3), (7, 7), 0.5), 0.45, f), (Span((4, 4), (8, 8), 0.5), 0.4, f)]
    assert not passages(unseeded, 0.5, lengths, lengths, extend_threshold=0.3).found


def test_a_seed_whose_chain_aligns_both_texts_whole_is_a_passage():
    """A two-sentence brief and its translation: the first sentence verified, the second
    only at the extension level. The chain aligns every sentence of both, so it is shared
    text; the same two spans inside longer texts, or with a sentence left over, are not."""
    brief = [_span((0, 0), (0, 0), 0.87, 16), _span((1, 1), (1, 1), 0.46, 12)]
    two = np.full(2, 100.0)
    ev = passages(brief, 0.74, two, two, extend_threshold=0.22)
    assert ev.found and len(ev.spans) == 2
    assert ev.alignment.coverage_a == ev.alignment.coverage_b == 1.0
    # a third sentence on one side that nothing aligns: not the whole
    assert not passages(brief, 0.74, two, np.full(3, 100.0), extend_threshold=0.22).found
    # the same spans at the head of longer texts: one seed and a neighbour, as before
    assert not passages(brief, 0.74, np.full(9, 100.0), np.full(9, 100.0),
                        extend_threshold=0.22).found
    # no seed at all, or too few words in all (two short lines): not shared text
    unseeded = [(s, 0.6, w) for s, _, w in brief]
    assert not passages(unseeded, 0.74, two, two, extend_threshold=0.22).found
    tiny = [_span(s.a, s.b, p, 6) for s, p, _ in brief]
    assert not passages(tiny, 0.74, two, two, extend_threshold=0.22).found
    # a gap inside the chain (sentence 1 of B unaligned) is not whole either
    gapped = [brief[0], _span((1, 1), (2, 2), 0.46, 12)]
    assert not passages(gapped, 0.74, two, np.full(3, 100.0), extend_threshold=0.22).found


def test_a_verified_sentence_rewritten_with_both_neighbours_is_a_passage(pipeline):
    """Clough & Stevenson (fit half): a heavy revision rewrites three consecutive source
    sentences in order. Only the middle one verifies; its neighbours reach the extension
    level. Three in a row on both sides is what a sentence-by-sentence rewrite looks like,
    so it is a passage; without that rule (params.passage.flanked off) nothing is found.
    The non answer to the same task shares no passage either way."""
    import dataclasses

    from newstrace.matching.relation import relate

    data = json.loads((FIXTURES / "heavy_rewrite.json").read_text(encoding="utf-8"))
    source, heavy, non = (Article(id=data[k]["id"], text=data[k]["text"], lang="en")
                          for k in ("source", "heavy", "non"))
    src, hv, nn = pipeline.prepare_all([source, heavy, non])
    r = relate(hv, src, pipeline.params)
    assert r.relation in REUSE
    spans = r.alignment.spans
    middle = [k for k, s in enumerate(spans) if s.score >= pipeline.params.span.threshold]
    assert middle and 0 < middle[0] < len(spans) - 1
    k = middle[0]
    assert spans[k - 1].a[1] + 1 == spans[k].a[0] and spans[k].a[1] + 1 == spans[k + 1].a[0]
    assert spans[k - 1].b[1] + 1 == spans[k].b[0] and spans[k].b[1] + 1 == spans[k + 1].b[0]
    assert "polymorphism" in " ".join(hv.article.sentences[s.a[0]] for s in spans)
    off = dataclasses.replace(pipeline.params, passage=dataclasses.replace(
        pipeline.params.passage, flanked=False))
    assert relate(hv, src, off).relation not in REUSE
    assert relate(nn, src, pipeline.params).relation not in REUSE


def test_flanked_seed_needs_both_neighbours_adjacent():
    ten = np.full(10, 100.0)
    three = [_span((2, 2), (4, 4), 0.59, 12), _span((3, 3), (5, 5), 0.87, 13),
             _span((4, 4), (6, 6), 0.59, 6)]
    ev = passages(three, 0.74, ten, ten, extend_threshold=0.22)
    assert ev.found and [s.a for s in ev.spans] == [(2, 2), (3, 3), (4, 4)]
    # one neighbour only: one seed and a neighbour is not enough (passages.py docstring)
    assert not passages(three[:2], 0.74, ten, ten, extend_threshold=0.22).found
    # a skipped sentence between the seed and a neighbour on one side
    skipped = [three[0], three[1], _span((4, 4), (7, 7), 0.59, 6)]
    assert not passages(skipped, 0.74, ten, ten, extend_threshold=0.22).found
    # a neighbour too short to count (a stock phrase), or a middle span that is not a seed
    short = [three[0], three[1], _span((4, 4), (6, 6), 0.59, 2)]
    assert not passages(short, 0.74, ten, ten, extend_threshold=0.22).found
    weak = [three[0], _span((3, 3), (5, 5), 0.7, 13), three[2]]
    assert not passages(weak, 0.74, ten, ten, extend_threshold=0.22).found


def test_across_languages_the_seed_may_be_anywhere_in_three_adjacent_spans():
    """Across languages an extension-level span is rarely another sentence on the same fact
    (fit pairs: 0.20 of non-parallel neighbours, against 0.39 of ECB+ same-event pairs and
    0.76 of MSRP negatives within one language), so three adjacent spans with the seed first
    or last are a passage there, and only with the seed in the middle within one language."""
    ten = np.full(10, 100.0)
    first = [_span((2, 2), (4, 4), 0.99, 16), _span((3, 3), (5, 5), 0.67, 8),
             _span((4, 4), (6, 6), 0.66, 3)]
    last = [_span((2, 2), (4, 4), 0.66, 3), _span((3, 3), (5, 5), 0.67, 8),
            _span((4, 4), (6, 6), 0.99, 16)]
    for trio in (first, last):
        assert passages(trio, 0.74, ten, ten, extend_threshold=0.22, same_language=False).found
        assert not passages(trio, 0.74, ten, ten, extend_threshold=0.22).found
        # still three, still adjacent, still each with 3+ content words
        assert not passages(trio[:2], 0.74, ten, ten, extend_threshold=0.22,
                            same_language=False).found
        short = [_span(s.a, s.b, p, 2) if k == 1 else (s, p, w)
                 for k, (s, p, w) in enumerate(trio)]
        assert not passages(short, 0.74, ten, ten, extend_threshold=0.22,
                            same_language=False).found


def test_flores_pasted_cases_are_found_with_evidence_on_the_pasted_lines(pipeline, shared_data):
    """The second cross-lingual construction (FLORES documents, random language pairs):
    each case is well formed, and most are found with the evidence on the pasted lines
    (the task's 40 report cases: 0.90, docs/QUALITY.md)."""
    from newstrace.evaluation.planted import flores_pasted

    cases = flores_pasted(shared_data, "report", 8)
    assert len({(c.source.lang, c.host.lang) for c in cases}) > 4
    found = 0
    for c in cases:
        assert c.source.lang != c.host.lang
        assert all(line in c.host.text and line not in c.control.text for line in c.passage)
        r = pipeline.compare(c.source, c.host)
        assert pipeline.compare(c.source, c.control).relation not in REUSE
        if r.is_reuse:
            found += 1
            assert r.relation == "partial"
            assert _host_sentences(r, c.host.id) <= c.planted_sentences()
    assert found >= 6


def test_three_adjacent_spans_may_each_cover_several_sentences():
    """Adjacency is counted from a span's last sentence: a 2-1 merge in the trio is still
    three spans in a row; a sentence left out between them on either side is not."""
    ten = np.full(10, 100.0)
    merged = [_span((1, 2), (3, 3), 0.6, 12), _span((3, 3), (4, 5), 0.9, 13),
              _span((4, 4), (6, 6), 0.6, 6)]
    ev = passages(merged, 0.74, ten, ten, extend_threshold=0.22)
    assert ev.found and ev.alignment.coverage_a == 0.4  # sentences 1-4 of A
    gap = [merged[0], _span((3, 3), (5, 5), 0.9, 13), merged[2]]  # B's 4 left out
    assert not passages(gap, 0.74, ten, ten, extend_threshold=0.22).found


def test_diagonal_extension_restores_a_translated_line_the_aligner_skipped(
        pipeline, planted_fixture):
    """PAN's extension across the aligner's skips (verify.extend_diagonal): drop the span of
    one planted German line from the aligner's output, as happens when a weakly encoded
    translation falls under the aligner's threshold; next to its aligned neighbour it is
    verified on its own and comes back on the diagonal, inside the pasted lines."""
    case = _flores_case(planted_fixture)
    src, host = pipeline.prepare_all([case.source, case.host])
    model = pipeline.params.span
    loose, _ = align_and_reversed(src.side, host.side, False, pipeline.params.align)
    scored = verify(src.side, host.side, loose.spans, False, model)
    gold = case.planted_sentences()
    inside = [t for t in scored if t[0].b[0] in gold
              and t[0].a[0] == t[0].a[1] and t[0].b[0] == t[0].b[1]]
    assert len(inside) >= 2
    dropped = inside[-1][0]
    kept = [t for t in scored if t[0] != dropped]
    out = extend_diagonal(src.side, host.side, kept, False, model)
    before = {(t[0].a, t[0].b) for t in kept}
    back = [(s, p) for s, p, _ in out if (s.a, s.b) not in before]
    assert [s.b for s, _ in back] == [dropped.b] and [s.a for s, _ in back] == [dropped.a]
    assert back[0][1] >= model.extend_threshold
    # Spans come back in the aligner's monotone order, so passages() can chain them.
    assert [s.a for s, _, _ in out] == sorted(s.a for s, _, _ in out)
    assert [s.b for s, _, _ in out] == sorted(s.b for s, _, _ in out)


def test_diagonal_extension_adds_nothing_next_to_unrelated_sentences(pipeline,
                                                                      planted_fixture):
    """Around the pasted lines the host is other news: extension from the spans at the
    passage's edges stops there (no added span outside the pasted lines). That extension
    adds spans at all is the test above's."""
    case = _flores_case(planted_fixture)
    src, host = pipeline.prepare_all([case.source, case.host])
    model = pipeline.params.span
    gold = case.planted_sentences()
    loose, _ = align_and_reversed(src.side, host.side, False, pipeline.params.align)
    scored = verify(src.side, host.side, loose.spans, False, model)
    out = extend_diagonal(src.side, host.side, scored, False, model)
    added = {s.b for s, _, _ in out} - {s.b for s, _, _ in scored}
    assert all(b[0] in gold for b in added)
    assert extend_diagonal(src.side, host.side, [], False, model) == []


def test_a_copied_passage_does_not_bridge_a_gap_at_its_edges():
    """Two reports of one event have headlines and leads on the same facts: an
    extension-level span on them, a skipped sentence away from a pasted (copied) passage,
    must not widen it. Next to it without a gap it stays; between verified spans gaps stay
    bridged; a paraphrase (low word overlap) or a translation keeps its edges, since a
    rewrite drops sentences."""
    lengths = np.full(20, 100.0)

    def chain(lex):
        head = _span((0, 0), (0, 0), 0.3, 8)  # the two leads, one sentence from the paste
        pasted = [_span((i, i), (i + 1, i + 1), 0.95, 10) for i in (2, 3, 5)]
        after = _span((6, 6), (7, 7), 0.3, 8)  # right after the paste: no gap
        out = [head, *pasted, after]
        for _, p, f in out:
            f["lex"] = lex if p > 0.5 else 0.2  # the verified spans carry the pair's overlap
        return out

    def spans(ev):
        return [(s.a, s.b) for s in ev.spans]

    copied = passages(chain(0.95), 0.5, lengths, lengths, extend_threshold=0.2)
    assert spans(copied) == [((2, 2), (3, 3)), ((3, 3), (4, 4)), ((5, 5), (6, 6)),
                             ((6, 6), (7, 7))]
    assert copied.alignment.coverage_a == 5 / 20  # sentences 2-6, the skipped 4 inside
    loose = PassageParams(copy_lex=2.0)  # never a copy: the edges are kept
    assert spans(passages(chain(0.95), 0.5, lengths, lengths, loose, 0.2))[0] == ((0, 0),
                                                                               (0, 0))
    paraphrased = passages(chain(0.3), 0.5, lengths, lengths, extend_threshold=0.2)
    assert spans(paraphrased)[0] == ((0, 0), (0, 0))
    translated = passages(chain(0.95), 0.5, lengths, lengths, extend_threshold=0.2,
                          same_language=False)  # lex is 0 across languages; the guard holds
    assert spans(translated)[0] == ((0, 0), (0, 0))


def test_every_verdict_says_why_and_shows_what_was_not_evidence(bbc_guardian, pipeline):
    """The reason names the rule that decided the label, with its figures, and the
    not-evidence spans are the most probable aligned spans outside every passage."""
    scan, rel, arts, _ = bbc_guardian
    threshold = pipeline.params.span.threshold
    partial = rel[frozenset(("001", "planted"))]
    assert partial.reason.startswith("shared text: verified passages")
    assert f"(< {pipeline.params.partial_coverage:.0%})" in partial.reason
    inside = {(s.a, s.b) for s in partial.alignment.spans}
    assert all((s.a, s.b) not in inside for s in partial.near)
    # Independent reports: not shared text, and the reason says which minimum failed.
    independent = rel[frozenset(("001", "003"))]
    assert independent.reason.startswith("not shared text: ")
    assert (f"; story score {independent.link:.3f} >= "
            f"{pipeline.params.story_threshold:.3f}; both name ") in independent.reason
    # ... followed by what the two reports state alike: the BBC text and The Guardian's
    # own report both name Putin and place the summit in Russia.
    assert "Putin" in independent.reason and "Russia" in independent.reason
    # The seeds' AI rewrite compared alone: one verified sentence, not a passage; the
    # not-evidence list shows it first, at or above the verification threshold.
    a, b = [x for x in read_paths(sorted(SEEDS.glob("00[12]_*"))) if isinstance(x, Article)]
    r = pipeline.compare(a, b)
    assert r.relation not in REUSE
    n = int(r.features["verified_spans"])
    assert n >= 1 and f"{n} verified sentence pair" in r.reason
    assert r.near and len(r.near) <= 3
    assert [s.score for s in r.near] == sorted((s.score for s in r.near), reverse=True)
    assert r.near[0].score >= threshold
    d = r.to_dict()
    assert d["evidence"] == [] and d["not_evidence"][0]["a"] == list(r.near[0].a)
    assert d["reason"] == r.reason


def test_a_pivot_inferred_pair_says_through_which_article(pipeline):
    arts = [a for a in read_paths(sorted(SEEDS.glob("00[012]_*"))) if isinstance(a, Article)]
    scan = pipeline.scan(arts)
    inferred = [p for p in scan.pairs if p.via]
    assert inferred, "the seeds' rewrite 001-002 is inferred through the translation 000"
    for p in inferred:
        assert p.reason.startswith(f"shared text through {p.via}: ")


def test_a_pairs_direction_says_what_decided_it(pipeline):
    """direction_reason travels with the direction in the JSON contract."""
    a, b = [x for x in read_paths(sorted(SEEDS.glob("00[01]_*"))) if isinstance(x, Article)]
    a.published, b.published = "2023-09-12T08:00:00", "2023-09-12T11:30:00"
    d = pipeline.compare(a, b).to_dict()
    assert d["relation"] == "translation"
    assert d["direction"] == "a>b" and d["direction_reason"] == "published earlier"
    b.published = None
    assert "direction_reason" not in pipeline.compare(a, b).to_dict()


def test_a_pair_read_back_from_its_json_says_the_same(pipeline):
    """PairResult.from_dict inverts to_dict: the index and the service read stored pairs
    back with their evidence, not-evidence, reasons and pivot."""
    from newstrace.matching.relation import PairResult

    arts = [a for a in read_paths(sorted(SEEDS.glob("00[0-4]_*"))) if isinstance(a, Article)]
    dicts = [p.to_dict(with_features=True) for p in pipeline.scan(arts).pairs]
    assert any(d.get("via") for d in dicts) and any(d.get("not_evidence") for d in dicts)
    assert [PairResult.from_dict(d).to_dict(with_features=True) for d in dicts] == dicts


def test_a_translation_outranks_its_articles_other_sentences_and_a_wrong_line_does_not(
        pipeline, planted_fixture):
    """verify's pair_margin, on FLORES lines pasted as their German translation into other
    German news: each pasted line is closer to its English source than any other sentence
    of either article is (margin > 0), and pairing the source line with the host line next
    to its translation puts the translation among the rivals (margin < 0)."""
    from newstrace.matching.verify import rivals

    case = _flores_case(planted_fixture)
    src, host = pipeline.prepare_all([case.source, case.host])
    a, b = src.side, host.side
    gold = sorted(case.planted_sentences())
    first = src.article.sentences.index(planted_fixture["flores"][1]["en"][0])
    assert src.article.sentences[first + 2] == planted_fixture["flores"][1]["en"][2]
    true = [Span((first + k, first + k), (j, j), 0.0) for k, j in enumerate(gold)]
    wrong = [Span((first, first), (gold[0] - 1, gold[0] - 1), 0.0)]
    scored = verify(a, b, true + wrong, False, pipeline.params.span)
    margins = [f["pair_margin"] for _, _, f in scored]
    assert all(m > 0 for m in margins[:3]), margins
    assert margins[3] < 0
    # The rival is the best other sentence of either article, outside the span.
    s = true[0]
    sims = a.vectors @ b.vectors.T
    row = np.delete(sims[s.a[0]], s.b[0])
    col = np.delete(sims[:, s.b[0]], s.a[0])
    want = max(row.max(), col.max())
    got = rivals(a.vectors[[s.a[0]]], b.vectors[[s.b[0]]], a.vectors, b.vectors, [s])
    assert np.isclose(got[0], want, atol=1e-5)
    assert np.isclose(margins[0], sims[s.a[0], s.b[0]] - want, atol=1e-4)


def test_with_no_other_sentence_to_compete_the_background_is_the_rival(pipeline):
    """Two one-sentence texts: no sentence of either article can rival the pair, so
    pair_margin falls back to the margin over the background."""
    a, b = pipeline.prepare_all([
        Article(id="en", text="The central bank raised its key interest rate by half a "
                "percentage point on Thursday.", lang="en"),
        Article(id="de", text="Die Zentralbank hat ihren Leitzins am Donnerstag um einen "
                "halben Prozentpunkt angehoben.", lang="de")])
    spans = [Span((0, 0), (0, 0), 0.0)]
    (_, _, f), = verify(a.side, b.side, spans, False, pipeline.params.span)
    assert f["pair_margin"] == pytest.approx(f["margin"])
    assert f["margin"] > 0.2  # a translation: well above the background


def test_shipped_span_model_matches_the_features_and_has_levels_per_model(pipeline):
    """params.json must weigh exactly the features verify computes (a stale file would
    silently drop pair_margin), and each model reads its own levels: extension never above
    the seed."""
    from newstrace.matching.verify import CROSS_FEATURES, SAME_FEATURES, SpanModel

    span = pipeline.params.span
    assert set(span.same_weights) == set(SAME_FEATURES)
    assert set(span.cross_weights) == set(CROSS_FEATURES)
    assert span.levels(True) == (span.threshold, span.extend_threshold)
    assert span.levels(False) == (span.cross_threshold, span.cross_extend_threshold)
    for same in (True, False):
        seed, ext = span.levels(same)
        assert 0 < ext <= seed < 1
    odd = SpanModel(threshold=0.3, extend_threshold=0.6, cross_threshold=0.4,
                    cross_extend_threshold=0.5)
    assert odd.levels(True) == (0.3, 0.3) and odd.levels(False) == (0.4, 0.4)


def test_a_stock_line_across_a_gap_does_not_stretch_a_passage():
    """A wire credit or end mark (fewer than min_seed_words content words) verified on both
    sides joins no passage across a skipped sentence, so the passage's region stops at the
    pasted text; right next to it, with no sentence between, it still belongs."""
    ten = np.full(10, 100.0)
    pasted = [_span((1, 1), (2, 2), 0.95, 12), _span((2, 2), (3, 3), 0.95, 12),
              _span((3, 3), (4, 4), 0.95, 12)]
    credit_far = _span((5, 5), (7, 7), 0.97, 1)  # "Source: AFP", two sentences later
    ev = passages(pasted + [credit_far], 0.74, ten, ten, extend_threshold=0.22)
    assert ev.found and [s.b for s in ev.spans] == [(2, 2), (3, 3), (4, 4)]
    assert ev.alignment.coverage_b == 0.3
    credit_near = _span((4, 4), (5, 5), 0.97, 1)
    ev = passages(pasted + [credit_near], 0.74, ten, ten, extend_threshold=0.22)
    assert [s.b for s in ev.spans][-1] == (5, 5) and ev.alignment.coverage_b == 0.4
    # a long verified sentence across the gap still extends it (two seeds may be 3 apart)
    long_far = _span((5, 5), (7, 7), 0.97, 14)
    ev = passages(pasted + [long_far], 0.74, ten, ten, extend_threshold=0.22)
    assert [s.b for s in ev.spans][-1] == (7, 7)


def test_a_shared_wire_credit_is_no_evidence_of_the_paste(pipeline):
    """Real text: three BBC paragraphs (seed 001) pasted into The Guardian's report (003),
    both ending with the same credit line one sentence after the passage. The verdict
    is `partial`, the evidence is the pasted paragraphs, and the credit is not in it."""
    l1, l3 = _lines("001"), _lines("003")
    credit = "Source: AFP"
    # one sentence of each text's own between the passage and the credit
    source = Article(id="bbc", lang="en", text="\n".join(l1[:11] + [l1[12], credit]))
    host = Article(id="guardian+pasted", lang="en",
                   text="\n".join(l3[:3] + l1[8:11] + [l3[4], credit]))
    r = pipeline.compare(source, host)
    assert r.relation == "partial", (r.relation, r.reason)
    pasted = {i for i, s in enumerate(_read_sentences(pipeline, host))
              if any(s in line for line in l1[8:11])}
    pred = _host_sentences(r, host.id)
    last = len(_read_sentences(pipeline, host)) - 1
    assert pred and pred <= pasted and last not in pred, (pred, pasted)


def _read_sentences(pipeline, art: Article) -> list[str]:
    """The article's sentences as the pipeline reads them."""
    return pipeline.prepare_all([art])[0].article.sentences


def test_pasted_passages_in_other_languages_are_partial(pipeline, shared_data):
    """The same-language construction outside English (planted.other_languages: SemEval
    texts in 7 languages): each case is well formed, and pasted sentences are found as
    `partial` with the evidence on them in every language tried, controls clean."""
    from newstrace.evaluation.planted import PASTE_MAX_SHARE, other_languages

    cases = other_languages(shared_data, "report", 2)
    assert {c.host.lang for c in cases} >= {"de", "es", "pl", "tr", "ar"}
    for c in cases:
        assert c.source.lang == c.host.lang
        assert all(line in c.host.text and line not in c.control.text for line in c.passage)
        assert sum(map(len, c.passage)) <= PASTE_MAX_SHARE * len(c.host.text)
    partial = 0
    for c in cases:
        r = pipeline.compare(c.source, c.host)
        assert r.is_reuse, (c.host.lang, r.relation, r.reason)
        partial += r.relation == "partial"
        gold = c.planted_sentences()
        assert len(_host_sentences(r, c.host.id) & gold) >= 2
        assert pipeline.compare(c.source, c.control).relation not in REUSE
    assert partial >= len(cases) - 1


def _lex_span(a, b, p, words, lex):
    s, prob, f = _span(a, b, p, words)
    return s, prob, {**f, "lex": lex}


def test_near_verbatim_sentences_next_to_each_other_in_one_text_are_a_passage():
    """A condensed copy: sentences 2, 9 and 16 of the source, verbatim, one after another in
    the host. Far apart in the source, they are a passage all the same, covering those
    three sentences and not the source between them. Within one language the sentences
    must be near-verbatim (lex at least picked_lex: a paraphrase of the same fact in an
    independent report verifies too); across languages a seed is a translation already."""
    twenty, ten = np.full(20, 100.0), np.full(10, 100.0)
    picked = [_lex_span((2, 2), (4, 4), 0.98, 12, 1.0), _lex_span((9, 9), (5, 5), 0.98, 12, 0.9),
              _lex_span((16, 16), (6, 6), 0.97, 12, 0.95)]
    ev = passages(picked, 0.74, twenty, ten, extend_threshold=0.22)
    assert ev.found and len(ev.spans) == 3
    assert ev.alignment.coverage_a == 0.15 and ev.alignment.coverage_b == 0.3
    loose = [_lex_span(s.a, s.b, p, 12, 0.45) for s, p, _ in picked]
    assert not passages(loose, 0.74, twenty, ten, extend_threshold=0.22).found
    across = [_lex_span(s.a, s.b, p, 12, 0.0) for s, p, _ in picked]
    assert passages(across, 0.74, twenty, ten, extend_threshold=0.22,
                    same_language=False).found
    # one picked sentence alone stays no passage; two do, wherever the second sits
    assert not passages(picked[:1], 0.74, twenty, ten, extend_threshold=0.22).found
    assert not passages([picked[0], picked[2]], 0.74, twenty, ten, extend_threshold=0.22).found
    assert passages(picked[1:], 0.74, twenty, ten, extend_threshold=0.22).found


def test_picked_seeds_are_linked_by_spans_that_do_not_count():
    """A farm's condensed translation: source lines 10, 15, 16 and 21 one after another in
    the host (its lines 6-9). Lines 15 and 16 are too short to seed ("Autumn 2009.",
    "Sarah K. is 20 years old now."): they link the two seeds around them without counting
    (fit half, translated-picked: 2 of 40 cases lost this way). Across languages a line
    that only reaches the extension level links too, and stays at a group's edge; within
    one language a link must verify (two reports' datelines reach the extension level)."""
    thirty, twenty = np.full(30, 100.0), np.full(20, 100.0)
    seeds = [_lex_span((10, 10), (6, 6), 0.95, 14, 0.0), _lex_span((21, 21), (9, 9), 0.99, 14, 0.0)]
    short = [_lex_span((15, 15), (7, 7), 0.99, 2, 0.0), _lex_span((16, 16), (8, 8), 0.99, 2, 0.0)]
    ev = passages([seeds[0], *short, seeds[1]], 0.55, thirty, twenty, extend_threshold=0.12,
                  same_language=False)
    assert ev.found and [s.b for s in ev.spans] == [(6, 6), (7, 7), (8, 8), (9, 9)]
    assert not passages(seeds, 0.55, thirty, twenty, extend_threshold=0.12,
                        same_language=False).found
    # across languages: a translated line at the extension level links, and at an edge stays
    loose = _lex_span((15, 15), (7, 7), 0.3, 12, 0.0)
    edge = _lex_span((28, 28), (9, 9), 0.3, 12, 0.0)
    ev = passages([seeds[0], loose, _lex_span((21, 21), (8, 8), 0.99, 14, 0.0), edge], 0.55,
                  thirty, twenty, extend_threshold=0.12, same_language=False)
    assert [s.b for s in ev.spans] == [(6, 6), (7, 7), (8, 8), (9, 9)]
    # within one language the same unverified link does not join near-verbatim seeds
    same = [_lex_span((10, 10), (6, 6), 0.95, 14, 0.9), _lex_span((15, 15), (7, 7), 0.3, 12, 0.5),
            _lex_span((21, 21), (8, 8), 0.95, 14, 0.9)]
    assert not passages(same, 0.74, thirty, twenty, extend_threshold=0.22).found


def test_a_condensed_copy_of_scattered_sentences_is_partial(pipeline):
    """Real text: three BBC sentences from all over seed 001 (its lines 3, 14 and 26, ten
    and more sentences apart) pasted together into The Guardian's report (003). Before the picked
    route this was `same_story`: each sentence verified, none within three of another in
    the source."""
    l1, l3 = _lines("001"), _lines("003")
    taken = [l1[2], l1[13], l1[25]]
    assert all(len(split_sentences(x)) == 1 for x in taken)
    source = Article(id="bbc", lang="en", text="\n".join(l1))
    host = Article(id="guardian+picked", lang="en", text="\n".join(l3[:4] + taken + l3[4:]))
    r = pipeline.compare(source, host)
    assert r.relation == "partial", (r.relation, r.reason)
    sents = _read_sentences(pipeline, host)
    gold = {i for i, s in enumerate(sents) if s in taken}
    assert len(gold) == 3 and _host_sentences(r, host.id) == gold
    assert r.alignment.coverage_b < 0.3


def test_picked_cases_from_dev_data_are_found(pipeline, shared_data):
    """`eval passages`' picked kind (ECB+ report half): three sentences from all over one
    report, 5-7 of its sentences apart, pasted together into a report of the same event
    that shares no word 5-gram with it; found as `partial` with the evidence on them."""
    from newstrace.evaluation.planted import same_language

    cases = same_language(shared_data, "report", 6, picked=True)
    assert len(cases) == 6 and {c.kind for c in cases} == {"picked"}
    for c in cases:
        src = split_sentences(c.source.text)
        at = [src.index(x) for x in c.passage]
        assert all(j - i >= 5 for i, j in zip(at, at[1:])), at
        r = pipeline.compare(c.source, c.host)
        assert r.relation == "partial", (r.relation, r.reason)
        gold = c.planted_sentences()
        pred = _host_sentences(r, c.host.id)
        assert pred <= gold and len(pred) >= 2
        assert pipeline.compare(c.source, c.control).relation not in REUSE


def test_translated_lines_picked_from_all_over_a_source_are_found(pipeline, shared_data):
    """A farm that translates and condenses: three newstest lines 5-7 apart, pasted as their
    translation into other news of that language (report half). Found as `partial` with the
    evidence on them; before the picked route 9 of the task's 40 were found."""
    from newstrace.evaluation.planted import cross_lingual

    cases = cross_lingual(shared_data, "report", 5, picked=True)
    found = 0
    for c in cases:
        assert c.kind == "translated-picked" and c.source.lang != c.host.lang
        r = pipeline.compare(c.source, c.host)
        if r.is_reuse:
            found += 1
            assert r.relation == "partial"
            assert _host_sentences(r, c.host.id) <= c.planted_sentences()
        assert pipeline.compare(c.source, c.control).relation not in REUSE
    assert found >= 4


def test_a_copy_with_moved_paragraphs_is_covered_whole(pipeline):
    """Real text: seed 001 with its middle third moved to the top (a farm that leads with
    another paragraph). One monotone alignment follows one order and left the moved block
    out (coverage about two thirds); the second pass over what it left finds it."""
    l1 = _lines("001")
    t = len(l1) // 3
    source = Article(id="bbc", lang="en", text="\n".join(l1))
    moved = Article(id="bbc-moved", lang="en",
                    text="\n".join(l1[t : 2 * t] + l1[:t] + l1[2 * t :]))
    r = pipeline.compare(source, moved)
    assert r.relation == "duplicate", (r.relation, r.reason)
    assert min(r.alignment.coverage_a, r.alignment.coverage_b) > 0.95
    bs = [s.b[0] for s in r.alignment.spans]  # sorted by A: B goes back where the block moved
    assert any(y < x for x, y in zip(bs, bs[1:]))
    # the evidence holds each sentence of the moved text once
    held = [j for s in r.alignment.spans for j in range(s.b[0], s.b[1] + 1)]
    assert len(held) == len(set(held))


# --- quotations ------------------------------------------------------------------------------

def _quote_span(a, b, p, words, lex, quoted):
    s, prob, f = _lex_span(a, b, p, words, lex)
    return s, prob, {**f, "quoted": quoted}


def test_a_shared_quotation_is_no_passage_of_its_own():
    """Two reports of one press conference quote the coach's two sentences: verified
    (the same words), but the speaker's, framed in each report's own sentences."""
    lengths = np.full(20, 100.0)
    quotes = [_quote_span((5, 5), (4, 4), 0.85, 12, 0.82, 0.8),
              _quote_span((6, 6), (5, 5), 0.95, 10, 0.84, 1.0)]
    assert not passages(quotes, 0.74, lengths, lengths, extend_threshold=0.22).found
    # without the quotation marks the same two sentences are a passage
    plain = [_quote_span(s.a, s.b, p, 11, f["lex"], 0.0) for s, p, f in quotes]
    assert passages(plain, 0.74, lengths, lengths, extend_threshold=0.22).found
    # a quotation copied whole (attribution and all) is a copy like any sentence
    whole = [_quote_span(s.a, s.b, p, 11, 1.0, 1.0) for s, p, _ in quotes]
    assert passages(whole, 0.74, lengths, lengths, extend_threshold=0.22).found
    # a long statement quoted word for word in two frames of their own is not
    framed = [(s, p, {**f, "frame": 0.4}) for s, p, f in whole]
    assert not passages(framed, 0.74, lengths, lengths, extend_threshold=0.22).found


def test_a_quotation_counts_next_to_a_sentence_of_the_passages_own():
    """A copied paragraph takes its quotes with the sentences around it: a quotation in an
    unbroken row with an own seed counts toward the two; one sentence away, it does not."""
    lengths = np.full(20, 100.0)
    own = _quote_span((3, 3), (2, 2), 0.81, 12, 0.78, 0.0)
    next_to = _quote_span((4, 4), (3, 3), 0.87, 11, 0.77, 0.73)
    apart = _quote_span((4, 4), (4, 4), 0.87, 11, 0.77, 0.73)
    ev = passages([own, next_to], 0.74, lengths, lengths, extend_threshold=0.22)
    assert ev.found and len(ev.spans) == 2
    assert not passages([own, apart], 0.74, lengths, lengths, extend_threshold=0.22).found
    # the picked route (consecutive on A only) does not count the quotation either ...
    assert not passages([own, _quote_span((4, 4), (9, 9), 0.87, 11, 0.77, 0.73)], 0.74,
                        lengths, lengths, extend_threshold=0.22).found
    # ... but a quotation between two near-verbatim own sentences still links them
    trio = [_quote_span((2, 2), (12, 12), 0.98, 12, 1.0, 0.0),
            _quote_span((3, 3), (5, 5), 0.9, 11, 0.8, 0.9),
            _quote_span((4, 4), (16, 16), 0.97, 12, 1.0, 0.0)]
    ev = passages(trio, 0.74, lengths, lengths, extend_threshold=0.22)
    assert ev.found and len(ev.spans) == 3


def test_reports_quoting_one_press_conference_are_not_reuse(pipeline, shared_data):
    """ECB+ fit half, topic 5: two reports of the 76ers firing Maurice Cheeks share the
    general manager's two quoted sentences (word 5-gram containment 0.02) and nothing else.
    Before quotations were told apart this pair was `partial`."""
    from newstrace.evaluation import corpora
    from newstrace.evaluation.planted import CONTAINMENT_INDEPENDENT, containment

    arts, gold = corpora.ecbplus(shared_data, "fit")
    by = {a.id: a for a in arts}
    x, y = by["5_1ecb"], by["5_2ecb"]
    assert containment(x.text, y.text) < CONTAINMENT_INDEPENDENT
    assert "not progressing the way we" in x.text and "not progressing the way we" in y.text
    r = pipeline.compare(x, y)
    assert r.relation == "same_story", (r.relation, r.reason)


def test_a_pasted_passage_of_quotes_is_still_found(pipeline, shared_data):
    """`eval passages`' verbatim kind, fit half: three quoted sentences of one ECB+ report
    (a quoted paragraph, "355 damaged shops in Athens") pasted into another; verbatim, so
    a copy, and `partial` with the evidence on them."""
    from newstrace.evaluation.planted import same_language
    from newstrace.text.quotes import quoted_shares

    case = next(c for c in same_language(shared_data, "fit", 40)
                if c.passage[0].startswith("`` The government should assume"))
    assert min(quoted_shares(case.passage)) == 1.0
    r = pipeline.compare(case.source, case.host)
    assert r.relation == "partial", (r.relation, r.reason)
    assert _host_sentences(r, case.host.id) == case.planted_sentences()


def test_one_long_statement_in_two_frames_is_not_reuse(pipeline):
    """Real text: Michael Kofman's long quoted sentence from The Guardian's report (seed
    003) given to the BBC's report (001) in a short frame of its own ("…," he said) and
    put back into 003 in another ("He wrote: …"): word for word (content-word Dice over
    0.9), so only the frames tell two reports quoting one analyst from a copy:
    `same_story`. In the same frame on both sides the sentence is a copy like any other of
    20+ content words: `partial`."""
    l1, l3 = _lines("001"), _lines("003")
    k = next(i for i, x in enumerate(l3) if x.startswith("“I doubt North Korea"))
    words = l3[k][1 : l3[k].index("” said")]
    said, wrote = f"“{words},” he said.", f"He wrote: “{words}.”"
    for theirs, expected in ((wrote, "same_story"), (said, "partial")):
        bbc = Article(id="bbc+quote", lang="en", text="\n".join(l1[:10] + [said] + l1[10:]))
        guardian = Article(id="guardian+quote", lang="en",
                           text="\n".join(l3[:k] + [theirs] + l3[k + 1:]))
        r = pipeline.compare(bbc, guardian)
        assert r.relation == expected, (theirs[:12], r.relation, r.reason)


def test_quoted_kind_from_dev_data(pipeline, shared_data):
    """`eval passages`' quoted kind (ECB+ report half): a paste of mostly quoted sentences
    is found, with the evidence on it; the same quoted words in frames of the control
    report's own are no reuse (before quotations were told apart: 15 of 30 were)."""
    from newstrace.evaluation.planted import QUOTE_FRAMES, quoted
    from newstrace.text.quotes import quoted_shares

    cases = quoted(shared_data, "report", 5)
    assert len(cases) == 5
    for c in cases:
        assert sum(quoted_shares(c.passage) >= 0.5) >= 2
        assert any(f in c.control.text for f in QUOTE_FRAMES)
        r = pipeline.compare(c.source, c.host)
        assert r.relation == "partial", (r.relation, r.reason)
        assert _host_sentences(r, c.host.id) <= c.planted_sentences()
        ctl = pipeline.compare(c.source, c.control)
        assert not ctl.is_reuse, (ctl.relation, ctl.reason)


def test_one_long_sentence_pasted_into_a_report_of_the_same_event_is_found(pipeline,
                                                                           shared_data):
    """`eval passages`' long kind (ECB+): one sentence of 22+ content words pasted,
    verbatim or lightly edited, into another report of its event is `partial`, with the
    evidence on that sentence. In 21_11–21_5 the first alignment pairs the pasted sentence's
    neighbour with it instead (three of the host's own sentences on the same facts cross
    it and outweigh it); the copy path finds it."""
    from newstrace.evaluation.planted import long_sentence
    from newstrace.matching.relation import default_params

    cases = long_sentence(shared_data, "fit", 40)
    crossed = next(c for c in cases if c.source.id == "21_11ecb")
    pa, pb = pipeline.prepare_all([crossed.source, crossed.host])
    gold = crossed.planted_sentences()
    loose, _ = align_and_reversed(pa.side, pb.side, True, default_params().align)
    assert not any(s.b[0] <= j <= s.b[1] for s in loose.spans for j in gold)
    for c in [crossed] + long_sentence(shared_data, "report", 6):
        r = pipeline.compare(c.source, c.host)
        assert r.relation == "partial", (c.source.id, r.relation, r.reason)
        assert _host_sentences(r, c.host.id) == c.planted_sentences()
        assert not pipeline.compare(c.source, c.control).is_reuse
