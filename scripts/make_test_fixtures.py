"""Write tests/fixtures/devsample.jsonl: a few real articles from ../shared/data.

Small on purpose (tests must run without ../shared): two FLORES documents in five
languages (CC BY-SA 4.0), three ECB+ articles on one event plus one on the topic's other
event (CC BY 3.0), and one Clough & Stevenson task with its original, a cut and a non
answer (research use).

    python scripts/make_test_fixtures.py ../shared/data
"""

import json
import sys
from pathlib import Path

from newstrace.evaluation import corpora

data = Path(sys.argv[1] if len(sys.argv) > 1 else "../shared/data")
rows = []
for idx, doc in [d for d in corpora.flores(data, "report") if len(d[1].lines["en"]) >= 4][:2]:
    for lang in ("en", "de", "sv", "ru", "zh"):
        a = doc.article(lang, idx)
        rows.append({"id": a.id, "text": a.text, "lang": lang, "group": f"flores{idx}",
                     "kind": "translation"})
arts, gold = corpora.ecbplus(data, "report")
event = gold[arts[0].id]
same = [a for a in arts if gold[a.id] == event][:3]
other = [a for a in arts if gold[a.id] != event and a.id.split("_")[0] == arts[0].id.split("_")[0]]
for a in same + other[:1]:
    rows.append({"id": a.id, "text": a.text, "lang": "en", "group": gold[a.id], "kind": "ecb"})
items = corpora.clough(data, "report")
orig = items[0].source
rows.append({"id": orig.id, "text": orig.text, "lang": "en", "group": "clough", "kind": "orig"})
for cat in ("cut", "non"):
    it = next(i for i in items if i.category == cat)
    rows.append({"id": it.answer.id, "text": it.answer.text, "lang": "en", "group": "clough",
                 "kind": cat})
out = Path(__file__).resolve().parents[1] / "tests" / "fixtures" / "devsample.jsonl"
out.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), encoding="utf-8")
print(f"{len(rows)} rows -> {out}")

# tests/fixtures/planted.json: material for planted-passage tests. Six FLORES report
# documents (en, de; CC BY-SA 4.0) of at least 4 lines, and two independent ECB+ reports of
# one event (no shared word 5-grams; CC BY 3.0).
from newstrace.evaluation.planted import CONTAINMENT_INDEPENDENT, containment  # noqa: E402

flores_docs = [d for _, d in corpora.flores(data, "report") if len(d.lines["en"]) >= 4][2:8]
by_event: dict[str, list] = {}
for a in arts:
    by_event.setdefault(gold[a.id], []).append(a)
ecb_pair = next(
    (x, y) for group in by_event.values() for x in group for y in group
    if x.id < y.id and len(x.text) > 1500 and len(y.text) > 1500
    and containment(x.text, y.text) < CONTAINMENT_INDEPENDENT
)
planted = {
    "flores": [{"url": d.url, "en": d.lines["en"], "de": d.lines["de"]} for d in flores_docs],
    "ecb": [{"id": a.id, "text": a.text, "event": gold[a.id]} for a in ecb_pair],
}
out2 = out.parent / "planted.json"
out2.write_text(json.dumps(planted, ensure_ascii=False, indent=1), encoding="utf-8")
print(f"planted fixture -> {out2}")

# tests/fixtures/heavy_rewrite.json: Clough & Stevenson task a (fit half; research use), its
# source, a heavy revision that rewrites three consecutive source sentences in order (one
# verified, its two neighbours at the extension level), and a non answer to the same task.
fit_items = [i for i in corpora.clough(data, "fit") if i.answer.id.endswith("_taska")]
heavy = next(i for i in fit_items if i.answer.id == "g0pC_taska")
non = next(i for i in fit_items if i.answer.id == "g2pB_taska")
rewrite = {"source": {"id": heavy.source.id, "text": heavy.source.text},
           "heavy": {"id": heavy.answer.id, "text": heavy.answer.text},
           "non": {"id": non.answer.id, "text": non.answer.text}}
out3 = out.parent / "heavy_rewrite.json"
out3.write_text(json.dumps(rewrite, ensure_ascii=False, indent=1), encoding="utf-8")
print(f"heavy rewrite fixture -> {out3}")

# tests/fixtures/unlike_host.json: a planted case (newstest 2010 multiway, fit half) whose
# three translated lines sit in a host of other news so unlike the source that the two
# documents' centred mean vectors are at a negative cosine.
from newstrace.evaluation.planted import cross_lingual  # noqa: E402

case = next(c for c in cross_lingual(data, "fit", 40) if c.source.id.startswith("mw2010-2058-1405"))
unlike = {k: {"id": a.id, "lang": a.lang, "text": a.text}
          for k, a in (("source", case.source), ("host", case.host), ("control", case.control))}
unlike["passage"] = case.passage
out4 = out.parent / "unlike_host.json"
out4.write_text(json.dumps(unlike, ensure_ascii=False, indent=1), encoding="utf-8")
print(f"unlike-host fixture -> {out4}")
