"""Write tests/fixtures/unrelated_pages.jsonl: real web pages on unrelated subjects.

The check behind `newstrace eval unrelated` (issue 11): pages from many sites, subjects,
languages and years, so that no two of them are the same news event and none copies
another. Any `same_story` or reuse relation among them is a false alarm.

Sources: HTML test pages committed to three Apache-2.0 code repositories, read from their
git directories (a mirror or clone; no work tree needed):

- adbar/htmldate      tests/cache/*.html        (all)
- goose3/goose3       tests/data/content/*.html (the .json beside them hold expected
                                                  output, not pages)
- adbar/trafilatura   tests/eval/*.html         (a seeded sample; tests/cache/ is never
                                                  read: it is held out)

Each page goes through newstrace's own HTML reader (`readers.read_file`, the path a
scanned .html file takes), so the text is what a scan would see. Pages the reader rejects
or that give under 300 characters are skipped; at most two pages per site; the text is
cut to at most 4000 characters at a paragraph (else sentence) end. EXCLUDE lists pages
removed by hand because they are the same event as, or a copy of, another page.

    python scripts/build_unrelated_pages.py \\
        --htmldate HTMLDATE.git --goose GOOSE3.git --trafilatura TRAFILATURA.git

Deterministic: files are listed in sorted order and the trafilatura sample is drawn with
a fixed seed.
"""

from __future__ import annotations

import argparse
import json
import random
import re
import subprocess
import sys
import tempfile
from collections import Counter, defaultdict
from pathlib import Path
from urllib.parse import urlsplit

from newstrace.text.article import Article
from newstrace.text.language import detect
from newstrace.text.readers import read_file

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "tests" / "fixtures" / "unrelated_pages.jsonl"
MIN_CHARS = 300
MAX_CHARS = 4000
PER_SITE = 2
SEED = 11

# (repository, folder, id prefix). trafilatura's tests/cache/ is held out: never listed.
SOURCES = {
    "htmldate": ("adbar/htmldate", "tests/cache/", "hd"),
    "goose": ("goose3/goose3", "tests/data/content/", "g3"),
    "trafilatura": ("adbar/trafilatura", "tests/eval/", "tf"),
}
FORBIDDEN = ("adbar/trafilatura", "tests/cache/")

# Hosting platforms: each subdomain is its own site.
PLATFORMS = ("wordpress.com", "blogspot.com", "blogspot.de", "hypotheses.org", "github.io",
             "over-blog.com", "tumblr.com", "wixsite.com", "jimdo.com", "medium.com")
SECOND_LEVEL = ("co.uk", "com.au", "co.jp", "or.jp", "com.br", "co.at", "or.at", "gv.at",
                "ac.uk", "com.ar", "com.mx", "co.nz", "org.uk", "com.tr", "com.tn", "com.cn",
                "com.pa", "com.co", "com.pe", "com.ve", "com.uy", "com.py", "com.ec", "com.gt",
                "com.do", "co.za", "com.sg", "com.hk", "com.tw", "co.in", "co.kr")
TLDS = {"com", "de", "at", "ch", "fr", "org", "net", "info", "eu", "be", "it", "es", "uk",
        "io", "nl", "pl", "cl", "ru", "us", "news", "blog", "tv", "me", "gov", "edu", "co",
        "pt", "cz", "se", "dk", "no", "fi", "hu", "ro", "gr", "tr", "jp", "cn", "kr", "in",
        "br", "mx", "ar", "ca", "au", "nz", "lu", "li", "ie", "sk", "si", "hr", "rs", "ua",
        "by", "biz", "online", "app", "media", "today", "world", "berlin", "wien", "bayern",
        "hamburg", "koeln", "ruhr", "nrw", "saarland", "tirol", "swiss", "eus", "cat", "gal",
        "ly", "fm", "am", "to", "cc", "ws", "xyz", "site", "club", "live", "one", "page"}

# Removed by hand: goose3's synthetic test pages, and pages found to be the same event as,
# or a copy of, another page after scanning the set with newstrace and reading the pairs it
# flagged (see tests/fixtures/README.md). source -> why.
EXCLUDE: dict[str, str] = {
    **{f"goose3/goose3:tests/data/content/test_{n}.html": "synthetic test page (Scala text)"
       for n in ("articlebody_attribute", "articlebody_itemprop", "articlebody_tag",
                 "issue24")},
    **{f"goose3/goose3:tests/data/content/test_{n}.html": why for n, why in (
        ("get_canonical_url", "the same page as test_marketplace.html"),
        ("gizmodo2", "the same page as test_gizmodo1.html"),
        ("gizmodo3", "the same page as test_gizmodo1.html"),
        ("engadget", "the same event as test_cnet.html (Verizon's FiOS TV demo, 2010-08-18)"),
    )},
    **{f"adbar/trafilatura:tests/eval/{n}.html": why for n, why in (
        ("correiobraziliense.com.br-poderes",
         "the same event as gazetadopovo.com.br-pacheco (Pacheco meets Fux, 2022-05-03)"),
        ("nacion.com-hacienda",
         "the same event as larepublica.net-hackers (Conti attack on Costa Rica, April 2022)"),
        ("elpais.cr-gobierno",
         "the same event as larepublica.net-hackers (Conti attack on Costa Rica, April 2022)"),
    )},
}

# All htmldate and goose3 pages that pass; from trafilatura's tests/eval/ a sample drawn in
# seeded order with at most this many pages per language (newstrace's language.detect):
# the folder is two-thirds German. "zxx" (no language) is a scrambled paywall page.
TRAFILATURA_QUOTA = {"de": 50, "en": 40, "es": 16, "fr": 14, "pl": 10, "zxx": 0}
OTHER_LANGUAGES = 6


def git_files(repo: Path, folder: str) -> list[str]:
    out = subprocess.run(["git", "-C", str(repo), "ls-tree", "-r", "-z", "--name-only", "HEAD",
                          "--", folder], capture_output=True, check=True).stdout
    return sorted(p.decode("utf-8") for p in out.split(b"\0") if p)


def git_bytes(repo: Path, path: str) -> bytes:
    return subprocess.run(["git", "-C", str(repo), "show", f"HEAD:{path}"],
                          capture_output=True, check=True).stdout


def registered(host: str) -> str:
    """The site a host belongs to: example.com for news.example.com; the whole host on
    blog platforms (x.wordpress.com)."""
    host = host.lower().removeprefix("www.").split(":")[0]
    for p in PLATFORMS:
        if host.endswith("." + p):
            return host
    labels = host.split(".")
    n = 3 if ".".join(labels[-2:]) in SECOND_LEVEL else 2
    return ".".join(labels[-n:])


def site_from_name(stem: str) -> str | None:
    """abc13.com-Copperfield, blog.python.org, 1337kultur.de.picard -> the host part."""
    head = stem.split("-")[0] if re.match(r"^[\w.]+\.[a-z]{2,}-", stem, re.I) else stem
    labels = head.split(".")
    for i in range(1, len(labels)):
        if labels[i].lower() in TLDS:
            return registered(".".join(labels[: i + 1]))
    return None


def site_of(article: Article, stem: str) -> str:
    if article.url:
        url = article.url
        inner = re.search(r"/web/\d+[a-z_]*/(https?://.+)", url)
        if "archive.org" in url and inner:  # an archived copy counts as the original site
            url = inner.group(1)
        host = urlsplit(url).hostname
        if host and "." in host:
            return registered(host)
    return site_from_name(stem) or f"unknown:{stem}"


def truncate(text: str, limit: int = MAX_CHARS) -> str:
    """At most `limit` characters, cut at a paragraph end, else a sentence end."""
    if len(text) <= limit:
        return text
    window = text[:limit]
    cut = window.rfind("\n")
    if cut < limit // 2:
        ends = [m.end() for m in re.finditer(r"[.!?…。！？][\"'”’»)]*(?=\s)", window)]
        cut = ends[-1] if ends and ends[-1] >= limit // 2 else cut
    if cut <= 0:
        cut = window.rfind(" ")
    return window[:cut].rstrip()


def slug(text: str) -> str:
    return re.sub(r"[^\w.-]+", "_", text, flags=re.ASCII).strip("_")[:60]


def read_page(repo: Path, path: str, tmp: Path) -> Article | None:
    """One page through newstrace's reader, as a scan of a saved .html file reads it."""
    name = Path(path).name
    if not name.lower().endswith((".html", ".htm")):
        name += ".html"
    file = tmp / name
    file.write_bytes(git_bytes(repo, path))
    try:
        items = list(read_file(file))
    finally:
        file.unlink()
    art = items[0] if items else None
    return art if isinstance(art, Article) else None


def goose_url(repo: Path, path: str) -> str | None:
    """goose3 keeps each page's address in the .json of expected output beside it."""
    try:
        meta = json.loads(git_bytes(repo, path.rsplit(".", 1)[0] + ".json"))
    except (subprocess.CalledProcessError, json.JSONDecodeError):
        return None
    return meta.get("url") if isinstance(meta, dict) else None


def candidates(key: str, repo: Path, tmp: Path, quota: dict[str, int] | None,
               seen_sites: Counter, log) -> list[dict]:
    owner_repo, folder, prefix = SOURCES[key]
    if (owner_repo, folder) == FORBIDDEN:
        raise SystemExit("refusing to read a held-out folder")
    files = [f for f in git_files(repo, folder) if f.lower().endswith((".html", ".htm"))]
    if quota is not None:
        random.Random(SEED).shuffle(files)
    per_lang: Counter = Counter()
    rows: list[dict] = []
    for path in files:
        source = f"{owner_repo}:{path}"
        if source in EXCLUDE:
            log(f"excluded  {source}: {EXCLUDE[source]}")
            continue
        art = read_page(repo, path, tmp)
        stem = Path(path).stem
        if art is None or len(art.text) < MIN_CHARS:
            log(f"skipped   {source}: {'no article' if art is None else 'under 300 characters'}")
            continue
        if key == "goose" and not art.url:
            art.url = goose_url(repo, path)
        lang = detect(art.text) or "?"
        if quota is not None and per_lang[lang] >= quota.get(lang, OTHER_LANGUAGES):
            log(f"skipped   {source}: language {lang} quota full")
            continue
        site = site_of(art, stem)
        if seen_sites[site] >= PER_SITE:
            log(f"skipped   {source}: site {site} already has {PER_SITE} pages")
            continue
        seen_sites[site] += 1
        per_lang[lang] += 1
        text = truncate(art.text)
        row = {"id": f"{prefix}-{slug(stem)}", "source": source, "site": site}
        if art.lang:
            row["lang"] = art.lang
        if art.title:
            row["title"] = art.title
        if art.published:
            row["published"] = art.published
        row["text"] = text
        rows.append(row)
    return rows


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--htmldate", type=Path,
                    help="adbar/htmldate git directory (left out when not given)")
    ap.add_argument("--goose", type=Path, required=True, help="goose3/goose3 git directory")
    ap.add_argument("--trafilatura", type=Path, required=True,
                    help="adbar/trafilatura git directory (only tests/eval/ is read)")
    ap.add_argument("--out", type=Path, default=OUT)
    ap.add_argument("--verbose", action="store_true", help="say why each page was left out")
    args = ap.parse_args(argv)

    def log(msg: str) -> None:
        if args.verbose:
            print(msg, file=sys.stderr)

    seen_sites: Counter = Counter()
    rows: list[dict] = []
    with tempfile.TemporaryDirectory() as tmp:
        for key, repo, quota in (("htmldate", args.htmldate, None), ("goose", args.goose, None),
                                 ("trafilatura", args.trafilatura, TRAFILATURA_QUOTA)):
            if repo is not None:
                rows += candidates(key, repo, Path(tmp), quota, seen_sites, log)
    ids = Counter(r["id"] for r in rows)
    dup = [i for i, n in ids.items() if n > 1]
    if dup:
        raise SystemExit(f"duplicate ids: {dup}")
    args.out.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows),
                        encoding="utf-8")
    langs = Counter(detect(r["text"]) or "?" for r in rows)
    by_repo: dict[str, int] = defaultdict(int)
    for r in rows:
        by_repo[r["source"].split(":")[0]] += 1
    print(f"{len(rows)} pages, {len({r['site'] for r in rows})} sites, "
          f"{args.out.stat().st_size / 1e6:.2f} MB -> {args.out}")
    print("by repository: " + ", ".join(f"{k} {v}" for k, v in sorted(by_repo.items())))
    print("languages (newstrace.text.language.detect): "
          + ", ".join(f"{k} {v}" for k, v in langs.most_common()))


if __name__ == "__main__":
    main()
