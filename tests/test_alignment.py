"""The aligner on real text: order, many-to-one spans, coverage, and what it refuses."""

from __future__ import annotations

import numpy as np

from conftest import SEEDS
from newstrace import Article
from newstrace.embedding.prepare import analyse
from newstrace.matching.relation import REUSE


def _article(name: str, aid: str) -> Article:
    text = (SEEDS / name).read_text(encoding="utf-8")
    return analyse(Article(id=aid, text=text))


def test_merged_sentences_align_many_to_one(pipeline):
    """B joins each pair of consecutive sentences of A: spans must be 2-to-1."""
    a = _article("001_b770c846d1b294f5.txt", "a")
    sents = a.sentences[:16]
    # A semicolon keeps each merged pair one sentence for the splitter.
    merged = [f"{sents[i].rstrip('.!?')}; {sents[i + 1]}" for i in range(0, 16, 2)]
    src = Article(id="src", text="\n".join(sents), lang="en")
    dst = Article(id="dst", text="\n".join(merged), lang="en")
    res = pipeline.compare(src, dst)
    spans = res.alignment.spans
    assert len(spans) >= 6
    two_to_one = [s for s in spans if s.a[1] - s.a[0] == 1 and s.b[0] == s.b[1]]
    assert len(two_to_one) >= 5
    for s in two_to_one:  # sentences 2k and 2k+1 of A went into sentence k of B
        assert s.a[0] == 2 * s.b[0]
    assert res.alignment.coverage_a > 0.8 and res.alignment.coverage_b > 0.8


def test_alignment_is_monotone_and_in_bounds(seed_scan):
    by_id = {a.id: a for a in seed_scan.articles}
    for p in seed_scan.pairs:
        prev_a = prev_b = -1
        for s in p.alignment.spans:
            assert s.a[0] > prev_a and s.b[0] > prev_b
            assert s.a[1] < len(by_id[p.a].sentences) and s.b[1] < len(by_id[p.b].sentences)
            prev_a, prev_b = s.a[1], s.b[1]


def test_shuffled_copy_is_weaker_than_ordered_copy(pipeline):
    """Order matters: the same sentences shuffled lose the order signal of reuse."""
    a = _article("000_6ae7588e2228d054.txt", "sv")
    sents = a.sentences[:30]
    shuffled = sents[1::2] + sents[::2]
    base = Article(id="x", text="\n".join(sents), lang="sv")
    ordered = pipeline.compare(base, Article(id="y", text="\n".join(sents), lang="sv"))
    mixed = pipeline.compare(base, Article(id="z", text="\n".join(shuffled), lang="sv"))
    assert ordered.features["order_gain"] > mixed.features["order_gain"]
    assert ordered.relation == "duplicate"


def test_article_without_sentences_aligns_to_nothing(pipeline):
    a = _article("003_4046affaaada9ea7.txt", "g")
    b = Article(id="b", text="13\n\n© 2023", lang="en")  # debris only: no sentences left
    res = pipeline.compare(a, b)
    assert res.alignment.spans == []
    assert res.alignment.coverage_a == 0.0 and res.alignment.coverage_b == 0.0
    assert res.relation not in REUSE


def test_reversed_total_equals_aligning_b_backwards(pipeline):
    """order_gain's shortcut (forward gains with columns reversed) gives exactly the total
    of aligning A with B's sentences in reverse order, on the seeds' real pairs."""
    from newstrace.matching.alignment import SideData, align, align_and_reversed

    names = ["000_6ae7588e2228d054.txt", "001_b770c846d1b294f5.txt", "002_2dcaed26a21db46b.txt"]
    sides = [p.side for p in pipeline.prepare_all([_article(n, n[:3]) for n in names])]
    params = pipeline.params.align
    checked = 0
    for a in sides:
        for b in sides:
            back = SideData(b.vectors[::-1].copy(), b.anchors[::-1], b.words[::-1],
                            b.lengths[::-1])
            forward, rev_total = align_and_reversed(a, b, False, params)
            assert abs(forward.total - align(a, b, False, params).total) < 1e-5
            assert abs(rev_total - align(a, back, False, params).total) < 1e-4
            checked += bool(forward.spans)
    assert checked >= 6  # the seeds' kin pairs really aligned


def test_cached_sentence_hubs_give_the_margins_computed_from_scratch(pipeline):
    """verify reads one-sentence spans' background similarity from a per-article cache;
    the margins must be those computed from the span vectors themselves."""
    from dataclasses import replace

    from newstrace.matching.alignment import align_and_reversed
    from newstrace.matching.verify import features, span_side, verify

    names = ["000_6ae7588e2228d054.txt", "001_b770c846d1b294f5.txt"]
    a, b = [p.side for p in pipeline.prepare_all([_article(n, n[:3]) for n in names])]
    spans = align_and_reversed(a, b, False, pipeline.params.align)[0].spans
    assert any(s.a[0] != s.a[1] or s.b[0] != s.b[1] for s in spans)  # both kinds of span
    cached = [f["margin"] for _, _, f in verify(a, b, spans, False, pipeline.params.span)]
    fa = replace(span_side(a, [s.a for s in spans]), hub=None)
    fb = replace(span_side(b, [s.b for s in spans]), hub=None)
    fresh = [f["margin"] for f in features(fa, fb, False)]
    assert a.hub is not None and len(a.hub) == len(a.vectors)
    assert np.allclose(cached, fresh, atol=1e-6)



# A Polish bot check scraped in place of two articles of one site (SemEval-2022 pages): the
# boilerplate patterns take all of it but one sentence.
BOT_CHECK = (
    "Przykro nam, ale z adresu IP, z którego się łączy, zauważyliśmy ogromną liczbę połączeń."
    "Zauważmy, że ktoś nadużywał adres IP, z którego używasz.Jeśli chcesz się z nami połączyć,"
    ' wybierz "Nie jestem robotem".Twój adres IP: 207.241.233.112 szliśmy odnotować ilość '
    "połączeń. Podejrzewamy, że ktoś nadżył adresu IP, z którego korzystasz. Jeśli chcesz "
    'połączyć się z nami zaznacz "NIE JESTEM ROBOTEM". Twój adres IP: 207.241.233.112')


def test_two_copies_of_one_bot_check_are_not_one_story(pipeline):
    a, b = (Article(id=k, text=BOT_CHECK, lang="pl") for k in "ab")
    res = pipeline.compare(a, b)
    assert a.sentences == [] and b.sentences == []
    assert [w for w in a.warnings if w.startswith("mostly site furniture")] == [
        "mostly site furniture: 86% of the text is boilerplate (paywall, consent or bot "
        "check?); its one other sentence is not read as article text"]
    assert res.relation == "unrelated"
    # Not judged: nothing of either text is article text, so no story score counts.
    assert res.features["no_text"] == 1.0 and res.link == 0.0
    assert res.reason.startswith("not judged: a text holds no article text")


def test_a_bot_check_against_a_real_report_is_not_judged(pipeline):
    bot = Article(id="bot", text=BOT_CHECK, lang="pl")
    report = Article(id="report", lang="pl", text=(
        "Mężczyzna z wysoką gorączką trafił do szpitala po wylądowaniu na lotnisku w "
        "Pyrzowicach. Podróżował tranzytem z Chin przez Dubaj, podała straż graniczna. "
        "Lekarze pobrali od niego próbki, wyniki mają być znane w czwartek."))
    res = pipeline.compare(report, bot)
    assert report.sentences and not bot.sentences
    assert res.features["no_text"] == 1.0
    assert (res.relation, res.link) == ("unrelated", 0.0)
    assert res.reason.startswith("not judged")
    # A readable pair is judged as before.
    assert pipeline.compare(report, report).features["no_text"] == 0.0


def test_a_short_report_above_a_long_cookie_notice_keeps_its_sentences():
    report = ("Ein Großbrand hat in der Nacht zum Sonntag eine Lagerhalle in Bremen zerstört. "
              "Die Feuerwehr war mit 120 Einsatzkräften vor Ort, verletzt wurde niemand.")
    notice = " ".join(["Wir verwenden Cookies, um Ihnen das beste Nutzererlebnis zu bieten. "
                       "Mit Klick auf Akzeptieren stimmen Sie der Verwendung von Cookies zu."]
                      * 6)
    art = analyse(Article(id="brief", text=report + "\n" + notice, lang="de"))
    assert art.sentences[:2] == [
        "Ein Großbrand hat in der Nacht zum Sonntag eine Lagerhalle in Bremen zerstört.",
        "Die Feuerwehr war mit 120 Einsatzkräften vor Ort, verletzt wurde niemand."]
    assert not any(w.startswith("mostly site furniture") for w in art.warnings)
