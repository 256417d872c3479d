"""Dev corpora are read the way `scan` reads a user's JSONL records."""

from __future__ import annotations

import json
from pathlib import Path

from newstrace.evaluation import corpora
from newstrace.text.article import Article
from newstrace.text.readers import article_from_dict

# A Turkish SemEval text arrived in Mac Central European mojibake (UTF-8 bytes read as
# mac_latin2), the other side of its pair in cp1252 mojibake.
MAC = "Antalya'da k√∂pekli √ßift, kedinin saldńĪrńĪsńĪna uńüradńĪ. Kedi hala burada."
CP1252 = "SokaÄŸa Ã§Ä±kma yasaÄŸÄ± kaldÄ±rÄ±ldÄ±, dedi Vali Ersin Yazici bugÃ¼n."


def test_semeval_texts_are_repaired_as_the_reader_repairs_them(tmp_path: Path) -> None:
    row = {"pair_id": "1_2", "lang1": "tr", "lang2": "tr", "text1": MAC, "text2": CP1252,
           "Overall": 2.0}
    (tmp_path / "semeval2022_task8_dev.jsonl").write_text(json.dumps(row) + "\n",
                                                          encoding="utf-8")
    (item,) = corpora.semeval(tmp_path, "all")
    assert item.a.text.startswith("Antalya'da köpekli çift, kedinin saldırısına uğradı.")
    assert item.b.text.startswith("Sokağa çıkma yasağı kaldırıldı")
    assert "repaired mis-encoded text (mojibake)" in item.a.warnings
    user = article_from_dict({"id": "1", "text": MAC, "lang": "tr"}, "feed.jsonl")
    assert isinstance(user, Article) and item.a.text == user.text


def test_a_text_the_reader_would_refuse_keeps_its_gold_item() -> None:
    art = corpora.read("tiny", "  Ja.  ", "sv")
    assert (art.id, art.text, art.lang) == ("tiny", "Ja.", "sv")
