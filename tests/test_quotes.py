"""Quoted speech (text/quotes.py): the share of each sentence inside quotation marks."""

from __future__ import annotations

import pytest

from newstrace.text.quotes import CARRY, quoted_shares


def test_marks_of_many_conventions_toggle():
    got = quoted_shares([
        "`` She captured the imagination of a generation,'' Roesler said.",  # ECB+ (PTB)
        "„Wir schaffen das“, sagte die Kanzlerin.",
        "«Nous continuerons», a déclaré le ministre.",
        "»Das ist nicht vorbei«, sagte er.",
        "他说「我们会赢」。",
        "The minister said the talks would go on.",
    ])
    assert got[0] == pytest.approx(len("Shecapturedtheimaginationofageneration")
                                   / len("ShecapturedtheimaginationofagenerationRoeslersaid"))
    assert all(0.3 < x < 1.0 for x in got[1:5]), got
    assert got[5] == 0.0


def test_apostrophes_are_not_quotes():
    assert quoted_shares(["It's the third time's charm, the host's statement said."])[0] == 0.0


def test_a_quotation_runs_over_sentences_and_a_stray_mark_stops_after_carry():
    para = ["`` I made the decision.", "We were not progressing.", "It was time,'' he said."]
    got = quoted_shares(para)
    assert got[0] == 1.0 and got[1] == 1.0 and 0.5 < got[2] < 1.0
    stray = ["He said `` no more."] + [f"Plain sentence number {k}." for k in range(CARRY + 2)]
    got = quoted_shares(stray)
    assert got[1] == 1.0  # might be a quoted paragraph
    assert got[-1] == 0.0  # no longer: the mark was never closed


def test_a_sentence_opening_with_a_mark_opens_a_quotation():
    # the unclosed mark before must not turn the next quotation inside out
    got = quoted_shares(["`` A man came in,'' police Const.", "Tim Fanning said `` later",
                         "`` Our negotiators talked him down.''"])
    assert got[2] == 1.0


def test_the_frame_is_the_text_outside_the_marks():
    from newstrace.text.quotes import quotations

    shares, frames = quotations([
        "`` We will rebuild every shop,'' the mayor said.",
        "In a statement, officials said: `` We will rebuild every shop.''",
        "No quotation here at all.",
    ])
    assert frames[0].split() == ["the", "mayor", "said."]
    assert frames[1].split() == ["In", "a", "statement,", "officials", "said:"]
    assert frames[2] == "No quotation here at all."
    assert shares[0] > 0.5 and shares[1] < 0.6 and shares[2] == 0.0
