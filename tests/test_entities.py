"""Who, where and when (entities.py) on real sentences in several languages and scripts."""

from __future__ import annotations

import os
import time

from newstrace.text.entities import common, compare, dates, facts, places


def test_a_city_agrees_across_scripts_and_arabic_proclitics() -> None:
    latin, _ = places("Der Bischof von Bergamo rief die Ärzte zum Segen auf.")
    cyrillic, _ = places("Епископ Бергамо призвал врачей благословлять умирающих.")
    arabic, _ = places("دعا أسقف وبيرغامو الأطباء إلى مباركة المحتضرين.")
    assert latin and latin == cyrillic == arabic


def test_country_names_fold_across_languages_and_case_endings() -> None:
    for text, lang in (("Die Lage in Italien bleibt ernst.", "de"),
                       ("Premier Włoch zapowiedział nowe przepisy.", "pl"),
                       ("Le gouvernement de l'Italie a décidé.", "fr"),
                       ("The Italy squad arrived.", "en")):
        assert "IT" in places(text, lang)[1], text
    assert "DE" in places("Die Wirtschaft Deutschlands schrumpft.", "de")[1]
    # CLDR's English writes "Trinidad & Tobago" and "St. Lucia"; reports write "and", "Saint".
    assert places("Bosnia and Herzegovina voted on Sunday.", "en")[1] == {"BA"}
    assert places("Saint Lucia was hit by the storm.", "en")[1] == {"LC"}
    # A country is named in the article's language (or English), not in any of 300.
    assert places("The Angels offered him an eight-year contract.", "en")[1] == frozenset()


def test_a_capitalised_common_word_of_the_text_is_not_a_place() -> None:
    found, _ = places("Nice weather today. It was a nice day for a walk in the park.")
    assert not found
    found, _ = places("The summit took place in Nice on Monday.")
    assert found


def test_day_mentions_in_several_languages_and_numeric_forms() -> None:
    assert dates("Am 24. April 2020 protestierten Aktivisten.", "de") == {"04-24"}
    assert dates("Do zdarzenia doszło 24 kwietnia w nocy.", "pl") == {"04-24"}
    assert dates("The vote is on April 24th, officials said.", "en") == {"04-24"}
    assert dates("El 24 de abril se celebró la reunión.", "es") == {"04-24"}
    assert dates("Stand: 24.04.2020, 18:44 Uhr", "de") == {"04-24"}


def test_a_weekday_resolves_against_the_publication_date() -> None:
    # Published on Monday 27 April 2020: "on Saturday" is 25 April.
    assert dates("The fire broke out on Saturday.", "en", "2020-04-27") == {"04-25"}
    assert dates("The fire broke out on Saturday.", "en") == frozenset()


def test_names_agree_across_transliterations() -> None:
    a = facts("North Korean leader Kim Jong-un met the delegation in Pyongyang.", "en")
    b = facts("Северокорейский лидер Ким Чен Ын встретился с делегацией в Пхеньяне.", "ru")
    c = facts("Jordan's King Abdullah met the delegation in Amman.", "en")
    assert compare(a, b)["who"] > 0 and compare(a, c)["who"] == 0


def test_two_look_alike_earthquakes_disagree_on_where_and_when() -> None:
    a = facts("A magnitude 6.4 earthquake struck near Izmir, Turkey, on 30 October, "
              "killing 114 people.", "en")
    b = facts("A magnitude 6.4 earthquake struck near Lima, Peru, on 26 May, "
              "killing 2 people.", "en")
    same = facts("The Izmir earthquake of 30 October in Turkey left 114 people dead.", "en")
    differ, agree = compare(a, b), compare(a, same)
    assert differ["where_conflict"] == 1.0 and differ["when_conflict"] == 1.0
    assert differ["event_conflict"] == 1.0 and agree["event_conflict"] == 0.0
    assert agree["where_conflict"] == 0.0 and agree["when"] == 1.0 and agree["where"] > 0
    assert agree["what_numbers"] == 1.0 and differ["what_numbers"] < 1.0


def test_the_city_table_is_cached_and_a_damaged_cache_is_rebuilt(tmp_path, monkeypatch) -> None:
    """The folded gazetteer is written once to the cache folder and read back the same; a
    damaged or foreign file there is replaced by a good one, and never changes a place."""
    from newstrace.text import entities

    monkeypatch.setenv("NEWSTRACE_CACHE_DIR", str(tmp_path))
    entities._cities.cache_clear()
    try:
        built = entities._build_cities()
        first = entities._cities()
        (path,) = tmp_path.glob("cities-*.json")
        assert first[0] == built and len(built) > 100_000
        entities._cities.cache_clear()
        assert entities._cities() == first  # read back from the file
        damages = (b"{\"entries\": [[1, 2", b"\x00\xff binary", b"[]", b"[" * 100_000,
                   b'{"count": 0, "entries": [], "keys": {}}',  # an empty table
                   b'{"count": 1, "entries": [["c1", "IT", 5]], "keys": []}',
                   b'{"count": 2, "entries": [["c1", "IT", 5]], "keys": {"roma": 0}}')
        for damage in damages:
            path.write_bytes(damage)
            entities._cities.cache_clear()
            assert entities._cities() == first
            assert path.read_bytes()[:1] == b"{" and len(path.read_bytes()) > 1_000_000
        # another release's table: kept while it may still be in use, removed when old
        old, recent = (tmp_path / f"cities-{c * 16}.json" for c in "01")
        for f in (old, recent):
            f.write_text("{}", encoding="utf-8")
        os.utime(old, (time.time() - 3 * 86400,) * 2)
        path.unlink()
        entities._cities.cache_clear()
        entities._cities()
        assert sorted(p.name for p in tmp_path.glob("cities-*")) == sorted([path.name,
                                                                          recent.name])
        assert places("Ein Erdbeben erschütterte Bergamo.")[0]
    finally:
        entities._cities.cache_clear()


def test_an_unwritable_cache_folder_is_skipped(tmp_path, monkeypatch) -> None:
    from newstrace.text import entities

    blocker = tmp_path / "file"
    blocker.write_text("not a folder", encoding="utf-8")
    monkeypatch.setenv("NEWSTRACE_CACHE_DIR", str(blocker / "sub"))
    entities._cities.cache_clear()
    try:
        gaz, big = entities._cities()
        assert gaz == entities._build_cities() and big
    finally:
        entities._cities.cache_clear()


def test_german_nouns_are_not_towns_abroad_but_german_towns_are_places() -> None:
    # German capitalises every noun: "Kinder", "Woche" and "Ende" are also towns (in the US,
    # Hong Kong and Indonesia); Helmstedt is a German town of 25,000.
    found, countries = places("Die Kinder der Woche kamen am Ende nach Helmstedt.", "de")
    assert countries == {"DE"} and len(found) == 1
    # The same words in an English text are read as they always were (capitals mean names).
    assert places("We drove from Kinder to Helmstedt.", "en")[1] == {"US", "DE"}


def test_a_guessed_case_ending_names_only_a_big_city() -> None:
    # "Merkel" less its "l" is Merke, a town of 16,000 in Kazakhstan; "Hamburgs" is Hamburg.
    found, countries = places("Kanzlerin Merkel besuchte Hamburgs Hafen.", "de")
    assert countries == {"DE"} and len(found) == 1
    assert places("Merkel spoke.", "en")[0] == frozenset()


def test_a_common_word_of_the_language_is_not_a_small_town() -> None:
    # "March" is a town in England, "Most" one in Czechia, "Nuevo" one in the US; each is
    # also among its language's most frequent words. A big city stays a place.
    found, countries = places("March was cold. Most people stayed home in Leeds.", "en")
    assert countries == {"GB"} and len(found) == 1
    assert places("Nuevo récord de calor en Sevilla.", "es")[1] == {"ES"}


def test_a_place_name_inside_a_longer_name_is_no_place() -> None:
    # Lines of a Spanish and a Portuguese report (tests/fixtures/unrelated_pages.jsonl):
    # "Saúl" is a name of Seoul, "López" a town in the Philippines, "Souza" one in Brazil,
    # "Sete" (Sète) one in France; each is here part of a person's or a street's name.
    found, countries = places("Tras el arresto en Francia de Saúl Curto López, quien fue "
                              "arrestado en el centro de Lyon.", "es")
    # France and Lyon ("Francia de" had been read as a two-word name and missed France)
    assert countries == {"FR"} and "CFR" in found and len(found) == 2
    found, countries = places("No bairro da Sete Portas, em Salvador. Alessandro Souza Suzart "
                              "foi localizado.", "pt")
    assert countries == {"BR"} and len(found) == 1  # Salvador only
    # A sentence's first word is capitalised anyway: it does not make a name of the place.
    assert places("En Macon, cerca de Lyon.", "es")[0] == places("En Lyon.", "es")[0] | \
        places("Macon.", "es")[0]
    # German capitalises every noun: "Polizei Köln" keeps its city.
    assert places("Die Polizei Köln teilte mit.", "de")[1] == {"DE"}
    # Nor does a weekday or month name, capitalised in English, make a name of a place.
    assert places("Flood watch from Thursday, Friday Nashville, TN will be hit.", "en")[1] \
        == {"US"}
    # A middle initial or a title's abbreviation joins a name too: "Bush" is a town in
    # Egypt and "Palin" one in Guatemala (lines like ECB+'s reports).
    assert places("The church of Gov. Palin burned, said George W. Bush.", "en") \
        == (frozenset(), frozenset())
    # Also when the title's point looks like a sentence's end to the word after it
    # ("Gov. Sarah Palin"), and when the title opens the text ("Mr. Obama", "Mr Obama":
    # Obama is a town in Japan).
    for text in ("Gov. Sarah Palin spoke on Monday.", "Mr. Obama said the economy was weak.",
                 "Mr Obama said the economy was weak."):
        assert places(text, "en") == (frozenset(), frozenset()), text
    # A word that places a part of town does not: "NW Atlanta" is in Atlanta.
    assert places("A tree fell onto a home in NW Atlanta.", "en")[1] == {"US"}


def test_a_us_state_is_in_the_united_states() -> None:
    # Without the states, "Arizona" was the most populous bearer of the name, a town in
    # Honduras, and "Carolina" one in Puerto Rico.
    for state in ("Arizona", "North Carolina", "Minnesota"):
        found, countries = places(f"The storm hit {state} on Sunday.", "en")
        assert countries == {"US"} and len(found) == 1, state
    # A US city of a state's name keeps it.
    assert places("Protests in New York tonight.", "en") == \
        places("Protests in New York City tonight.", "en")


def test_what_two_texts_state_alike_in_words() -> None:
    en = "On Wednesday Vladimir Putin met Kim Jong Un in Vladivostok, on 13 September."
    a, b = facts(en, "en"), facts("Onsdag møtte Vladimir Putin Kim Jong Un i Russland "
                                  "13. september.", "nb")
    said = common(a, b, en)
    # Names as the first text writes them, in its order; the country and the day alike.
    assert said == ("both name Vladimir Putin, Kim Jong Un; both place it in Russia; "
                    "both give 13 Sep")
    # A name the first text writes in another script is listed as it writes it; a
    # possessive is no part of the name; a hyphenated name stays whole.
    ru = "Владимир Путин встретился с Ким Чен Ыном. Путина поддержали."
    assert common(facts(ru, "ru"), facts("On Monday Vladimir Putin met Kim.", "en"), ru) \
        .startswith("both name Путин, Ким")
    en2 = "Officials said Kim Jong-un's sister met Moon Jae-in."
    assert common(facts(en2, "en"), facts("Then Kim Jong-un and Moon Jae-in met.", "en"), en2) \
        == "both name Kim Jong-un, Moon Jae-in"
    # A weekday is a capitalised word, not anyone's name (English, and the text's own).
    de = "Am Sonntag traf Angela Merkel in Berlin ein."
    assert common(facts(de, "de"), facts("Am Sonntag sagte Angela Merkel etwas.", "de"), de,
                  "de") == "both name Angela Merkel"
    # A particle joins a name; the longest form stands for the shorter ones.
    en3 = "Ships in the Gulf of Aden were attacked, Teixeira said; Mark Teixeira left."
    b3 = facts("Then Mark Teixeira spoke of the Gulf of Aden.", "en")
    assert common(facts(en3, "en"), b3, en3).startswith("both name Gulf of Aden, Mark Teixeira;")
    # A particle after a two-word name starts what the person is of: Putin and Russia are
    # two names, not "Vladimir Putin of Russia" (1,938 fit texts: "Elizabeth Warren of
    # Massachusetts"); one name word still takes it ("Gulf of Aden", "da Vinci").
    en4 = "Then Vladimir Putin of Russia met Leonardo da Vinci's heirs."
    assert common(facts(en4, "en"), facts("There Vladimir Putin of Russia saw Leonardo da Vinci.",
                                          "en"), en4) \
        .startswith("both name Vladimir Putin, Russia, Leonardo da Vinci;")
    # German capitalises every noun: an article joins a name only after another particle
    # ("Ursula von der Leyen"), not after a noun ("Spezialkräfte der Polizei").
    de2 = "Gestern lobte Ursula von der Leyen die Spezialkräfte der Polizei."
    said = common(facts(de2, "de"), facts("Dort dankten die Spezialkräfte der Polizei Ursula "
                                          "von der Leyen.", "de"), de2, "de")
    assert said is not None and said.startswith("both name Ursula von der Leyen, ")
    assert "der Polizei" not in said
    # Nothing alike: nothing to say.
    assert common(facts("Ein Erdbeben erschütterte Bergamo.", "de"),
                  facts("Storms hit Texas on 2 May.", "en")) is None


def test_a_name_after_an_initial_or_a_title_is_a_name() -> None:
    from newstrace.text.anchors import names

    found = names("Yesterday George W. Bush met Gov. Palin and Dr. Wilson. Rome fell. "
                  "Then they left.")
    # The point of an initial or a title ends no sentence; a sentence's first word is
    # still no name ("Rome", "Then").
    assert {"bush", "palin", "wilson"} <= found
    assert not {"rome", "then"} & found


def test_a_surname_is_no_town_anywhere_in_its_text() -> None:
    # ECB+-like lines: "Boras" is Borås, Sweden. Seen once as a surname ("Scott Boras"),
    # it is a surname wherever else the text uses it alone.
    assert places("Agent Scott Boras met the team in Boston. Boras said no.", "en")[1] \
        == {"US"}
    # As a name's first word a town stays a town elsewhere ("Detroit Lions"), and after
    # another place a name is a district of it, not a surname.
    assert places("The Detroit Lions lost. Fans in Detroit were sad.", "en")[1] == {"US"}
    found, _ = places("Yangın İstanbul Bağcılar ilçesinde çıktı. Bağcılar itfaiyesi geldi.",
                      "tr")
    assert len(found) == 1


def test_a_word_less_an_ending_names_no_town_where_names_are_not_declined() -> None:
    # English declines no town's name: "Orioles" is no "Oriol" (Orël, Russia)...
    assert places("The Orioles said they would wait.", "en") == (frozenset(), frozenset())
    # ... but a demonym still names its country, and German declines ("Hamburgs").
    assert places("The Indian navy said.", "en")[1] == {"IN"}
    assert places("Der Bürgermeister Hamburgs sagte.", "de")[1] == {"DE"}


def test_numbers_years_and_dates_in_other_scripts_digits_agree_with_latin_ones() -> None:
    # The same report in Arabic-Indic and in Latin digits: 23 dead on 19 March 2020.
    arabic = facts("قتل ٢٣ شخصا في انفجار يوم ١٩ مارس ٢٠٢٠ في القاهرة", "ar")
    latin = facts("قتل 23 شخصا في انفجار يوم 19 مارس 2020 في القاهرة", "ar")
    assert arabic.years == latin.years == frozenset({"2020"})
    assert arabic.dates == latin.dates == frozenset({"03-19"})
    assert "23" in arabic.numbers and arabic.numbers == latin.numbers
    assert compare(arabic, latin)["what_numbers"] == 1.0
    # Devanagari digits too.
    assert "1500" in facts("दुर्घटना में १५०० लोग प्रभावित हुए", "hi").numbers


def test_arabic_words_match_place_names_as_written_not_by_their_consonants() -> None:
    # Folded to ASCII, "الحوار" (dialogue) and "لاهور" (Lahore) are both "lhwr", "الوطن"
    # (the homeland) is Luton's skeleton and "عدن" (Aden) London's: a website header and
    # a report from Libya were placed in Pakistan, Britain and Norway.
    assert places("الحوار المتمدن - الموقع الرئيسي للدولة والوطن", "ar") == (
        frozenset(), frozenset())
    _, countries = places("وصل 23 مصريا إلى منفذ السلوم بعد تحريرهم في مدينة ترهونة "
                          "الليبية، وقال مسؤول في القاهرة إن ليبيا واليمن يتابعان", "ar")
    assert countries == {"EG", "LY", "YE"}
    # Aden is Aden, and a proclitic still comes off: "بالقاهرة", in Cairo.
    assert places("وصلت السفينة إلى ميناء عدن", "ar")[1] == {"YE"}
    assert places("عقد الاجتماع بالقاهرة", "ar")[1] == {"EG"}


def test_news_words_that_name_a_town_somewhere_place_nothing() -> None:
    # Corona, California in every COVID report; Police, Poland; "White House", Casablanca.
    for text, lang in (("Die Corona-Krise trifft die Wirtschaft hart.", "de"),
                       ("ارتفاع إصابات كورونا", "ar"),
                       ("Police said the White House was told on Monday.", "en")):
        assert places(text, lang) == (frozenset(), frozenset()), text
    assert places("Casablanca and Los Angeles", "en")[1] == {"MA", "US"}


def test_a_place_of_several_words_has_no_lowercase_word_but_a_particle() -> None:
    # "I can" folds to Yichang's alternate name "Ichang"; "To są" (Polish: these are) to
    # Tosa, Japan.
    for text, lang in (("I can see why they left.", "en"), ("To są dobre wiadomości.", "pl")):
        assert places(text, lang) == (frozenset(), frozenset()), text
    assert places("Flights to Rio de Janeiro and Frankfurt am Main resumed.", "en")[1] == {
        "BR", "DE"}


def test_a_name_several_towns_bear_is_placed_where_the_language_is_spoken() -> None:
    # Sinop, Brazil (216,000) is the most populous Sinop; a Turkish text means Turkey's.
    assert places("Sinop'ta deprem oldu.", "tr")[1] == {"TR"}
    assert places("Floods hit Sinop, in Mato Grosso.", "en")[1] == {"BR"}

