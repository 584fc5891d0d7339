"""Intervention names the text introduces, document-level consistency, and the figures
on the frozen test set (tests/tagsets/test) as targets.

The pattern and consistency rules are plain functions over the document's texts and
entity spans (``pipeline.tag.consistency.apply``, with ``patterns`` and ``repairs``): most tests give them texts and stand-in
model spans directly; the ones marked ``model`` run the real English model.
"""

from __future__ import annotations

import re
from dataclasses import replace
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pipeline.settings import Settings
from pipeline.tag.consistency import apply
from pipeline.tag.names import INTERVENTION, Ent
from pipeline.tag.patterns import THRESHOLD, find_evidence, short_form

ROOT = Path(__file__).resolve().parent.parent
FIELD = "Parents and their babies, mothers and families, in pregnancy and after birth."


def ents_for(texts: list[str], marks: dict[str, str]) -> list[Ent]:
    """Stand-in model spans: every occurrence of each text in ``marks``, with its label."""
    out = []
    for part, text in enumerate(texts):
        for name, label in marks.items():
            for m in re.finditer(rf"(?<!\w){re.escape(name)}(?!\w)", text):
                if not any(e.part == part and e.start < m.end() and m.start() < e.end for e in out):
                    out.append(Ent(part, m.start(), m.end(), label))
    return out


def run(
    *texts: str,
    marks: dict[str, str] | None = None,
    domain: bool = True,
    speakers: tuple[str, ...] = (),
) -> list[tuple[str, str, str]]:
    """(text, label, source) of every span after consistency, in order."""
    parts = list(texts)
    resolved, _ = apply(parts, ents_for(parts, marks or {}), domain=domain, speakers=speakers)
    return [(parts[e.part][e.start : e.end], e.label, e.source) for e in resolved]


def interventions(*texts: str, **kwargs: object) -> list[str]:
    return [t for t, label, _ in run(*texts, **kwargs) if label == INTERVENTION]  # type: ignore[arg-type]


# --- patterns ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "name"),
    [
        ("We call it the Bluebell Steps programme, and it runs weekly.", "Bluebell Steps"),
        ("Our health visitors run Chatterbox groups across the county.", "Chatterbox"),
        ("Tell us about the app. It's an app called Nestling, for new parents.", "Nestling"),
        ("She was referred to a text service known as Bump Buddy last year.", "Bump Buddy"),
        (
            "We run a debrief service that the women themselves named Birth Reflections.",
            "Birth Reflections",
        ),
        ("Bookstart is a book-gifting programme run by a charity.", "Bookstart"),
        ("Other parent groups such as Little Owls and Tiny Talkers meet there.", "Little Owls"),
        ("Other parent groups such as Little Owls and Tiny Talkers meet there.", "Tiny Talkers"),
        ('The approach known as "Share, Chat, Wonder" is used in sessions.', "Share, Chat, Wonder"),
        ("Our version is called Hand in Hand. Hand in Hand is hard work.", "Hand in Hand"),
        ("We built Bumpstart. It's an app for pregnancy and the first year.", "Bumpstart"),
        ("There is a support circle for carers called Kitchen Table, in town.", "Kitchen Table"),
        ("And that became Kōwhai Circle. Kōwhai Circle is a programme for mums.", "Kōwhai Circle"),
    ],
)
def test_each_pattern_finds_the_name(text: str, name: str) -> None:
    assert name in interventions(text, FIELD)


def test_pattern_mentions_have_source_and_confidence() -> None:
    parts = ["We call it the Bluebell Steps programme.", FIELD]
    resolved, review = apply(parts, [], domain=True)
    (found,) = [e for e in resolved if e.label == INTERVENTION]
    assert (found.source, found.entry_id) == ("pattern", "")
    assert found.confidence is not None and found.confidence >= THRESHOLD
    assert review == []


def test_evidence_kinds() -> None:
    kinds = {
        (e.name, e.kind) for e in find_evidence(["an app called Kitefly, and the Kitefly app"])
    }
    assert kinds == {("Kitefly", "called"), ("Kitefly", "head")}


# --- boundaries ----------------------------------------------------------------------


def test_no_leading_preposition_or_article() -> None:
    assert interventions("In the Bluebell Steps programme, parents meet.", FIELD) == [
        "Bluebell Steps"
    ]
    assert interventions("And the Calm Corners programme helps.", FIELD) == ["Calm Corners"]


def test_no_trailing_head_noun_or_verb() -> None:
    found = interventions("There is an app called Nestling which sends messages.", FIELD)
    assert found == ["Nestling"]
    found = interventions("A group known as Harbour Parents meets monthly.", FIELD)
    assert found == ["Harbour Parents"]


def test_model_span_with_the_head_noun_is_replaced_by_the_name() -> None:
    spans = run(
        "I was referred to the Harbour Parents scheme, which pairs you with a parent.",
        FIELD,
        marks={"Harbour Parents scheme": "ORG"},
    )
    assert ("Harbour Parents", INTERVENTION, "pattern") in spans
    assert not [s for s in spans if s[1] == "ORG"]


# --- near misses ---------------------------------------------------------------------


def test_a_persons_name_before_group_is_not_an_intervention() -> None:
    texts = ["Dr Raj Patel leads the work.", "The Patel group found the same thing.", FIELD]
    assert interventions(*texts, marks={"Raj Patel": "PERSON"}) == []
    assert interventions("Professor Asante's group ran the trial.", FIELD) == []


def test_a_programming_language_before_course_is_not_an_intervention() -> None:
    lecture = (
        "In this computing lecture, I took a Python course years ago, and a Rust course later.",
        "Memory safety matters in systems code.",
    )
    assert interventions(*lecture, domain=False) == []
    # Not even in the field: a platform with a group is a chat group.
    assert interventions("The parents set up a WhatsApp group.", FIELD) == []


def test_a_person_called_is_not_an_intervention() -> None:
    spans = run("It was a woman called Amal who named it. Amal was Eritrean.", FIELD)
    assert ("Amal", "PERSON", "model") in spans
    assert not [s for s in spans if s[1] == INTERVENTION]


def test_outside_the_field_programmes_are_not_interventions() -> None:
    texts = ["The Apollo programme and a programme called Coral Reef Watch.", "Reefs bleach."]
    assert interventions(*texts, domain=False) == []


def test_weak_evidence_is_a_review_candidate_not_a_mention() -> None:
    parts = ["We visited the Kestrel class on Monday.", FIELD]
    resolved, review = apply(parts, [], domain=True)
    assert not [e for e in resolved if e.label == INTERVENTION]
    assert [parts[e.part][e.start : e.end] for e in review] == ["Kestrel"]
    assert review[0].confidence is not None and review[0].confidence < THRESHOLD


# --- consistency ---------------------------------------------------------------------


def test_name_introduced_once_is_the_intervention_when_used_bare() -> None:
    spans = run(
        "Tell us about the app. I think it's called Nestling.",
        "Nestling sends a short message every few days.",
        "One dad said Nestling was the first thing he opened.",
        FIELD,
        marks={"Nestling": "PERSON"},
    )
    assert [s for s in spans if s[0] == "Nestling"] == [("Nestling", INTERVENTION, "pattern")] * 3


def test_short_form_of_an_established_name() -> None:
    assert short_form("Bluebell Steps") == "Bluebell"
    assert short_form("Little Owls") is None  # too common a word to stand alone
    assert short_form("Nestling") is None
    spans = run(
        "We call it the Bluebell Steps programme.",
        "When we started Bluebell, the parents set up their own group.",
        FIELD,
        marks={"Bluebell": "ORG"},
    )
    assert ("Bluebell", INTERVENTION, "pattern") in spans
    assert ("Bluebell", "ORG", "model") not in spans


def test_gazetteer_name_carries_over_with_its_id() -> None:
    parts = [
        "Mellow Babies is group-based.",
        "Later, MELLOW BABIES and Mellow Babies again.",
        FIELD,
    ]
    ents = [
        Ent(0, 0, 13, INTERVENTION, "mellow-babies", "gazetteer"),
        Ent(1, 25, 38, "PERSON"),
    ]
    resolved, _ = apply(parts, ents, domain=True)
    later = [e for e in resolved if e.part == 1]
    assert [(e.start, e.label, e.entry_id, e.source) for e in later] == [
        (25, INTERVENTION, "mellow-babies", "gazetteer")
    ]


def test_a_longer_organisation_name_is_not_cut_into() -> None:
    spans = run(
        "I was referred to the Harbour Parents scheme.",
        "It is run by the Harbour Parents Trust in the city.",
        FIELD,
        marks={"Harbour Parents Trust": "ORG"},
    )
    assert ("Harbour Parents Trust", "ORG", "model") in spans


def test_full_name_makes_a_later_surname_the_same_person() -> None:
    spans = run(
        "My colleague Zoë Marsh did most of the work.",
        "Marsh was very firm about cheap phones.",
        marks={"Zoë Marsh": "PERSON", "Marsh": "ORG"},
    )
    assert ("Marsh", "PERSON", "model") in spans
    assert ("Marsh", "ORG", "model") not in spans


def test_a_model_org_that_reads_as_a_person() -> None:
    spans = run(
        "In the sixties Tony Hoare introduced the null reference.",
        "Rust started as a project of Graydon Hoare, no relation.",
        marks={"Tony Hoare": "ORG", "Graydon Hoare": "ORG"},
    )
    assert ("Tony Hoare", "PERSON", "model") in spans
    assert ("Graydon Hoare", "PERSON", "model") in spans


def test_label_repairs_for_landforms_and_software() -> None:
    spans = run(
        "We walked up Glen Roy. It crashed in Chrome, and Rust avoids that.",
        marks={"Glen Roy": "PERSON", "Chrome": "PERSON"},
    )
    assert ("Glen Roy", "LOC", "model") in spans
    assert ("Chrome", "PRODUCT", "model") in spans
    assert ("Rust", "PRODUCT", "model") in spans


def test_a_name_listed_with_people_is_a_person() -> None:
    spans = run(
        "Then two support workers, Shabana Iqbal and Kasia Nowak, joined us.",
        "Later Shabana rang her. You'll hear from two of them, Nadia and Joy Okafor.",
        "Families stay because of people like Kwame, Jordan and Marion.",
        marks={
            "Shabana Iqbal": "ORG",
            "Kasia Nowak": "PERSON",
            "Shabana": "GPE",
            "Nadia": "GPE",
            "Joy Okafor": "PERSON",
            "Kwame": "PERSON",
            "Jordan": "GPE",
            "Marion": "GPE",
        },
    )
    for name in ("Shabana Iqbal", "Shabana", "Nadia", "Jordan", "Marion"):
        assert (name, "PERSON", "model") in spans


def test_places_and_clubs_listed_with_a_person_stay() -> None:
    spans = run(
        "We picked in stores in Leicester, Derby and Nottingham.",
        "Everton and Nottingham Forest both had points deducted.",
        "We trained two TAs in Colourful Semantics, Alison Bryan's approach.",
        "They measured slip in the Baltic, and Kjaergaard found it.",
        marks={
            "Derby": "ORG",
            "Nottingham Forest": "ORG",
            "Nottingham": "PERSON",
            "Everton": "PERSON",
            "Colourful Semantics": "ORG",
            "Alison Bryan": "PERSON",
            "Baltic": "LOC",
            "Kjaergaard": "PERSON",
        },
    )
    assert ("Derby", "PERSON", "model") not in spans
    assert ("Nottingham Forest", "ORG", "model") in spans
    assert ("Colourful Semantics", "ORG", "model") in spans
    assert ("Baltic", "LOC", "model") in spans


def _marion(second: str) -> list[tuple[str, str, str]]:
    """Marion Kowalczyk, then a bare "Marion" (no span) and a "Marion" the model calls GPE
    in ``second``, and a bare "Marion" PERSON later."""
    texts = [
        "It started with one father, Marion Kowalczyk, whose partner was in our program.",
        second,
        "Families stay because of people like Marion.",
    ]
    ents = [Ent(0, 28, 44, "PERSON"), Ent(2, 37, 43, "PERSON")]
    place = second.rindex("Marion")
    ents.append(Ent(1, place, place + 6, "GPE"))
    resolved, _ = apply(texts, ents, domain=True)
    return [(texts[e.part][e.start : e.end], e.label, texts[e.part][: e.start]) for e in resolved]


def test_a_first_name_that_is_a_town_is_the_person_alone_but_not_in_the_town() -> None:
    spans = _marion("Marion is a truck driver, grew up in Marion, Ohio, and said nothing.")
    assert ("Marion", "PERSON", "") in spans  # "Marion is ..."
    assert next(s for s in spans if s[2].endswith("in "))[1] == "GPE"  # "in Marion"


def test_a_first_name_that_is_a_country_stays_a_place() -> None:
    texts = ["Our manager, Jordan Hale, ran it.", "Jordan and Syria took refugees."]
    ents = [Ent(0, 13, 24, "PERSON"), Ent(1, 0, 6, "GPE"), Ent(1, 11, 16, "GPE")]
    resolved, _ = apply(texts, ents, domain=True)
    assert Ent(1, 0, 6, "GPE") in resolved


def test_a_list_of_places_the_model_takes_for_one_name_is_split() -> None:
    spans = run(
        "It opened warehouses in Erith and Andover.",
        "Peers across Carmarthenshire, Ceredigion and Pembrokeshire met.",
        marks={"Erith and Andover": "ORG", "Carmarthenshire, Ceredigion and Pembrokeshire": "ORG"},
    )
    assert [t for t, label, _ in spans if label == "GPE"] == [
        "Erith",
        "Andover",
        "Carmarthenshire",
        "Ceredigion",
        "Pembrokeshire",
    ]


def test_a_name_with_and_that_is_not_all_places_stays_one() -> None:
    spans = run(
        "She worked at Cleveland Clinic and University Hospitals, then at Marks and Spencer.",
        marks={"Cleveland Clinic and University Hospitals": "ORG", "Marks and Spencer": "ORG"},
    )
    assert ("Cleveland Clinic and University Hospitals", "ORG", "model") in spans
    assert ("Marks and Spencer", "ORG", "model") in spans


def test_a_person_with_a_digit_is_dropped() -> None:
    spans = run(
        "We're recording just after COP29 in Baku.",
        "The Ariane 4 rocket flew for years.",
        marks={"COP29": "PERSON", "Ariane 4": "PERSON", "Baku": "GPE"},
    )
    assert spans == [("Baku", "GPE", "model")]


def test_a_law_with_a_digit_the_model_calls_a_person_stays_a_law() -> None:
    spans = run("Canada passed Bill C-92 in twenty nineteen.", marks={"Bill C-92": "PERSON"})
    assert spans == [("Bill C-92", "LAW", "model")]


def test_a_name_given_in_a_story_is_a_person() -> None:
    spans = run(
        "Let me finish with a story. A mum I’ll call Ffion was admitted to the unit.",
        "A year later Ffion trained as a peer herself.",
    )
    assert spans == [("Ffion", "PERSON", "model"), ("Ffion", "PERSON", "model")]


def test_a_name_we_call_a_thing_is_no_person() -> None:
    spans = run(
        "William ordered the great survey that we call Domesday Book.",
        marks={"William": "PERSON", "Domesday Book": "WORK_OF_ART"},
    )
    assert ("Domesday Book", "WORK_OF_ART", "model") in spans


def test_a_welsh_thanks_is_no_person_but_the_name_after_it_is() -> None:
    spans = run("Diolch, Bethan, that was lovely.", marks={"Diolch": "PERSON", "Bethan": "PERSON"})
    assert spans == [("Bethan", "PERSON", "model")]


def test_a_name_with_a_companys_things_is_an_organisation() -> None:
    spans = run(
        "We'll look at how Ocado went about it.",
        "Read the short extract from Ocado's annual report.",
        marks={"Ocado": "GPE"},
    )
    assert spans == [("Ocado", "ORG", "model"), ("Ocado", "ORG", "model")]


def test_a_town_or_a_person_with_a_companys_things_stays() -> None:
    spans = run(
        "Glasgow's headquarters moved. Tim Steiner's shares rose, and Steiner left.",
        marks={"Glasgow": "GPE", "Tim Steiner": "PERSON", "Steiner": "PERSON"},
    )
    assert ("Glasgow", "GPE", "model") in spans
    assert ("Tim Steiner", "PERSON", "model") in spans


def test_an_employer_is_an_organisation() -> None:
    spans = run(
        "Ana works for the Climate Policy Initiative in Rio de Janeiro.",
        "I was working as a software engineer at Andela at the time.",
        "She worked at Maersk in Copenhagen before joining us.",
        marks={"Andela": "GPE", "Maersk": "FAC", "Copenhagen": "GPE", "Ana": "PERSON"},
    )
    orgs = [t for t, label, _ in spans if label == "ORG"]
    assert orgs == ["Climate Policy Initiative", "Andela", "Maersk"]
    assert ("Copenhagen", "GPE", "model") in spans


def test_a_person_or_a_town_worked_for_or_at_stays() -> None:
    spans = run(
        "I worked for Sarah Jones for years, then worked in Leeds and worked at Glasgow.",
        "Later I worked for Children in Need.",
        marks={"Sarah Jones": "PERSON", "Leeds": "GPE", "Glasgow": "GPE"},
    )
    assert ("Children in Need", "ORG", "model") in spans
    assert ("Sarah Jones", "PERSON", "model") in spans
    assert ("Glasgow", "GPE", "model") in spans


def test_a_name_before_who_is_a_person() -> None:
    spans = run(
        "Then we hired Wanjiru Kamau, who'd run merchant partnerships at a bank.",
        "Later Kamau ran the whole team.",
        marks={"Wanjiru Kamau": "ORG"},
    )
    assert spans == [("Wanjiru Kamau", "PERSON", "model"), ("Kamau", "PERSON", "model")]


def test_a_club_or_a_place_before_who_stays() -> None:
    spans = run(
        "We played Lincoln City, who beat us, and New England, who hosted us.",
        marks={"Lincoln City": "ORG", "New England": "ORG"},
    )
    assert [t for t, label, _ in spans if label == "PERSON"] == []


def test_a_town_named_after_a_person_stays_the_town_where_the_model_says_so() -> None:
    texts = [
        "In eighteen ten a Boston merchant called Francis Cabot Lowell went to Britain.",
        "By the eighteen forties Lowell was the biggest industrial city in America.",
        "They were resettled in Lowell, and Lowell died long before.",
    ]
    first, last = texts[2].index("Lowell"), texts[2].rindex("Lowell")
    ents = [
        Ent(0, 41, 61, "PERSON"),
        Ent(1, 24, 30, "GPE"),
        Ent(2, first, first + 6, "GPE"),
        Ent(2, last, last + 6, "PERSON"),
    ]
    resolved, _ = apply(texts, ents, domain=True)
    labels = [(texts[e.part][e.start : e.end], e.label) for e in resolved]
    assert labels[:3] == [("Francis Cabot Lowell", "PERSON"), ("Lowell", "GPE"), ("Lowell", "GPE")]


def test_a_surname_that_is_a_town_mostly_a_person_stays_the_person() -> None:
    texts = [
        "Our chair, Tony Preston, opened the meeting.",
        "Preston said the budget was tight, and Preston left early. Preston is kind.",
    ]
    ents = [Ent(0, 11, 23, "PERSON"), Ent(1, 0, 7, "PERSON"), Ent(1, 39, 46, "GPE")]
    resolved, _ = apply(texts, ents, domain=True)
    labels = [texts[e.part][e.start : e.end] for e in resolved if e.label == "PERSON"]
    assert labels == ["Tony Preston", "Preston", "Preston", "Preston"]


def test_a_language_used_as_a_language_is_not_a_name() -> None:
    spans = run(
        "Shabana speaks Urdu and Punjabi, and she phoned her mother in Punjabi.",
        "Our peers speak between them Welsh, Arabic, Tigrinya and Polish.",
        "The bot speaks English, Nigerian Pidgin, Yoruba, Igbo and Hausa.",
        marks={
            "Urdu": "GPE",
            "Punjabi": "NORP",
            "Welsh": "NORP",
            "Arabic": "GPE",
            "Polish": "NORP",
            "Nigerian Pidgin": "ORG",
            "Igbo": "PERSON",
            "Hausa": "ORG",
        },
    )
    assert spans == []


def test_a_language_word_as_an_adjective_or_a_people_stays() -> None:
    spans = run(
        "She works in Polish families' homes, and the Welsh Government pays.",
        "Many of our families are Somali.",
        marks={"Polish": "NORP", "Welsh Government": "ORG", "Somali": "NORP"},
    )
    assert ("Polish", "NORP", "model") in spans
    assert ("Welsh Government", "ORG", "model") in spans
    assert ("Somali", "NORP", "model") in spans


# --- the frozen test set -------------------------------------------------------------

# The targets: (precision, recall).
TARGETS = {"INTERVENTION": (0.9, 0.8), "PERSON": (0.85, 0.85), "ORG": (0.85, 0.85)}
NEW_TARGET = (0.9, 0.7)  # interventions the gazetteer does not list
# What this version measures (README, Tags), rounded down: a drop below them fails.
FLOORS = {"INTERVENTION": (0.93, 0.82), "PERSON": (0.82, 0.89), "ORG": (0.48, 0.61)}
NEW_FLOOR = (0.90, 0.75)
UNRELATED_TEST = (
    "coral-reef-lecture",
    "data-pipelines-interview",
    "roman-archaeology-lecture",
    "exoplanet-panel",
)


@pytest.fixture(scope="module")
def test_set_scores() -> dict[str, tuple[float, float]]:
    """(precision, recall) per label on tests/tagsets/test (never tuned on), plus
    NEW (interventions the gazetteer does not list) and STRAY (interventions found in
    the unrelated transcripts per 10,000 of their words, as (rate, 0))."""
    from pipeline.tag.evaluate import NEW, evaluate, known_names, scores, split_interventions

    test_set = ROOT / "tests" / "tagsets" / "test"
    evaluation = evaluate(test_set, [test_set], Settings(media=False))
    assert len(evaluation.comparisons) == 9 and not evaluation.unmatched
    out = {s.label: (s.precision, s.recall) for s in scores(evaluation.comparisons)}
    split = [split_interventions(c, known_names()) for c in evaluation.comparisons]
    new = {s.label: s for s in scores(split)}[NEW]
    out["NEW"] = (new.precision, new.recall)
    words = stray = 0
    for name in UNRELATED_TEST:
        words += len((test_set / f"{name}.txt").read_text(encoding="utf-8").split())
        (comparison,) = [c for c in evaluation.comparisons if c.name == name]
        stray += sum(n for k, n in comparison.fp.items() if k[2] == INTERVENTION)
    out["STRAY"] = (stray * 10_000 / words, 0.0)
    return out


def _meets(scores: dict[str, tuple[float, float]], label: str, goal: tuple[float, float]) -> bool:
    precision, recall = scores[label]
    return precision >= goal[0] and recall >= goal[1]


@pytest.mark.model
def test_no_regression_on_the_frozen_test_set(
    test_set_scores: dict[str, tuple[float, float]],
) -> None:
    for label, floor in FLOORS.items():
        assert _meets(test_set_scores, label, floor), (label, test_set_scores[label])
    assert _meets(test_set_scores, "NEW", NEW_FLOOR), test_set_scores["NEW"]
    assert test_set_scores["STRAY"][0] <= 1.0


# Targets not met yet: strict, so that the day one is met the test fails and its mark
# is removed (README, Tags).
_NOT_MET = pytest.mark.xfail(
    strict=True, reason="target not met yet on the test set (README, Tags)"
)


@pytest.mark.model
@pytest.mark.parametrize(
    "label",
    [
        "INTERVENTION",
        "NEW",
        pytest.param("PERSON", marks=_NOT_MET),
        pytest.param("ORG", marks=_NOT_MET),
    ],
)
def test_targets_on_the_frozen_test_set(
    test_set_scores: dict[str, tuple[float, float]], label: str
) -> None:
    """The issue's targets on tests/tagsets/test, one label at a time."""
    goal = NEW_TARGET if label == "NEW" else TARGETS[label]
    assert _meets(test_set_scores, label, goal), (label, test_set_scores[label])


@pytest.mark.model
def test_no_interventions_in_the_unrelated_test_transcripts(
    test_set_scores: dict[str, tuple[float, float]],
) -> None:
    assert test_set_scores["STRAY"][0] <= 1.0  # at most one per 10,000 words


def test_a_one_word_person_after_a_place_preposition_is_a_place() -> None:
    spans = run(
        "José had moved from Porto a year before. In the sixties Tony Hoare spoke.",
        "I said to Tony that it worked.",
        marks={"Porto": "PERSON", "Tony Hoare": "PERSON", "Tony": "PERSON"},
    )
    assert ("Porto", "GPE", "model") in spans
    assert ("Tony", "PERSON", "model") in spans


def test_an_act_is_a_law() -> None:
    spans = run(
        "Congress passed the Emergency Economic Stabilization Act.",
        marks={"Emergency Economic Stabilization Act": "ORG"},
    )
    assert spans == [("Emergency Economic Stabilization Act", "LAW", "model")]


def test_a_name_followed_by_a_verb_loses_the_verb() -> None:
    import spacy

    from pipeline.tag.rules import entity_cleanup

    nlp = spacy.blank("en")
    doc = nlp("Then Tony Hoare introduced the null reference.")
    from spacy.tokens import Span

    doc.ents = [Span(doc, 1, 4, label="PERSON")]
    assert [(e.text, e.label_) for e in entity_cleanup(doc).ents] == [("Tony Hoare", "PERSON")]


def test_eval_reports_each_source_and_unlisted_interventions() -> None:
    from collections import Counter

    from pipeline.model import Mention
    from pipeline.tag.evaluate import NEW, compare, scores, source_scores, split_interventions

    def mention(text: str, label: str, source: str) -> Mention:
        return Mention("", "d", None, 0, 0, len(text), text, label, None, None, (), source)

    found = [
        mention("Nestling", "INTERVENTION", "pattern"),
        mention("Kestrel", "INTERVENTION", "pattern"),
        mention("Triple P", "INTERVENTION", "gazetteer"),
        mention("Marsh", "PERSON", "model"),
    ]
    gold = Counter({(0, "nestling", "INTERVENTION"): 1, (0, "triple p", "INTERVENTION"): 1})
    predicted = Counter((0, m.text.lower(), m.label) for m in found)
    comparison = compare("d", gold, predicted, found)
    assert source_scores([comparison]) == [
        ("gazetteer", "INTERVENTION", 1, 1),
        ("gazetteer", "ALL", 1, 1),
        ("pattern", "INTERVENTION", 2, 1),
        ("pattern", "ALL", 2, 1),
        ("model", "PERSON", 1, 0),
        ("model", "ALL", 1, 0),
    ]
    split = {s.label: s for s in scores([split_interventions(comparison, frozenset({"triple p"}))])}
    assert (split[NEW].tp, split[NEW].fp, split[NEW].fn) == (1, 1, 0)


@pytest.mark.parametrize(
    ("texts", "name"),
    [
        # apposition, after and before the name
        (["We set up Juniper Dads, a weekly peer group, in the spring."], "Juniper Dads"),
        (["Mums come to our evening drop-in, Lullaby Lane, on Fridays."], "Lullaby Lane"),
        # a modifier between the name and its head, with the name recurring
        (["We run Rockpool language groups.", "Rockpool is popular."], "Rockpool"),
        # quoted, with a head noun after the closing quote
        (["The “Little Acorns” programme started last year."], "Little Acorns"),
    ],
)
def test_apposition_modifier_and_quoted_names(texts: list[str], name: str) -> None:
    assert name in interventions(*texts, FIELD)


def test_a_verb_between_a_name_and_group_is_no_modifier() -> None:
    assert interventions("Then Amina runs the group on Tuesdays.", FIELD) == []


def test_places_before_another_names_head_are_not_an_intervention() -> None:
    texts = ["In England, Wales and Northern Ireland, the Healthy Start scheme helps.", FIELD]
    marks = {"England": "GPE", "Wales": "GPE", "Northern Ireland": "GPE"}
    assert interventions(*texts, marks=marks) == ["Healthy Start"]


def test_tag_lines_show_source_and_confidence() -> None:
    from pipeline.cli import _mention_line
    from pipeline.model import Mention

    found = Mention("d#m0", "d", None, 3, 0, 8, "Nestling", INTERVENTION, None, None, (), "pattern")
    line = _mention_line(replace(found, confidence=0.92))
    assert line.endswith("Nestling  [pattern 0.92]")
    assert _mention_line(found).endswith("Nestling  [pattern]")


# --- names in more shapes, and their near misses ---------------------------------------


def test_a_name_with_its_capitalised_head_adds_to_other_evidence() -> None:
    # "titled" alone is weak: an office can be a "Programme" too.
    assert interventions("The Lidcombe Program was developed in Sydney.", FIELD) == []
    texts = ["The Lidcombe Program was developed in Sydney.", "We run Lidcombe Program groups."]
    assert "Lidcombe Program" in interventions(*texts, FIELD)
    spans = run(
        "It is funded by the World Health Programme.",
        FIELD,
        marks={"World Health Programme": "ORG"},
    )
    assert ("World Health Programme", "ORG", "model") in spans


def test_called_after_another_kind_of_thing_is_weak() -> None:
    texts = ['We made a little booklet called "Not Just the Blues", in five languages.', FIELD]
    assert interventions(*texts) == []
    assert interventions("We joined a company called Harakeke Digital.", FIELD) == []


def test_a_one_word_name_before_a_singular_group_is_a_research_team() -> None:
    assert interventions("The Hennessy group there is following families.", FIELD) == []
    assert interventions("She runs Chatterbox groups in the library.", FIELD) == ["Chatterbox"]


def test_a_known_place_the_model_mislabels_is_a_place() -> None:
    spans = run(
        "I trained in Glasgow and then moved to Morecambe.",
        "Sandwell has the highest need.",
        marks={"Glasgow": "PERSON", "Morecambe": "LOC", "Sandwell": "ORG"},
    )
    assert ("Glasgow", "GPE", "model") in spans
    assert ("Morecambe", "GPE", "model") in spans
    assert ("Sandwell", "GPE", "model") in spans


def test_a_place_that_is_a_first_name_stays_a_person_unless_the_text_says_place() -> None:
    spans = run("Florence said she agreed.", "We flew to Florence.", marks={"Florence": "PERSON"})
    assert spans == [("Florence", "PERSON", "model"), ("Florence", "GPE", "model")]


def test_a_surname_that_is_a_place_follows_a_full_name() -> None:
    spans = run(
        "Tony Preston ran the unit.",
        "Preston said it worked.",
        marks={"Tony Preston": "PERSON", "Preston": "GPE"},
    )
    assert ("Preston", "PERSON", "model") in spans
    # A club named after its town does not make the town a person.
    spans = run(
        "Preston North End lost.",
        "We drove to Preston.",
        marks={"Preston North End": "PERSON", "Preston": "GPE"},
    )
    assert ("Preston", "GPE", "model") in spans


def test_speakers_titles_and_names_addressed_are_people() -> None:
    spans = run(
        "Welcome. Dr Siobhán Ní Bhriain leads the unit.",
        "Łukasz, what helped you most?",
        "Thanks, Aoife.",
        "Siobhán agreed.",
        marks={"Siobhán Ní Bhriain": "ORG", "Łukasz": "GPE", "Aoife": "ORG", "Siobhán": "GPE"},
        speakers=("DR SIOBHAN NI BHRIAIN", "LUKASZ NOWAK", "CHAIR"),
    )
    assert ("Siobhán Ní Bhriain", "PERSON", "model") in spans
    assert ("Łukasz", "PERSON", "model") in spans
    assert ("Aoife", "PERSON", "model") in spans
    assert ("Siobhán", "PERSON", "model") in spans


def test_discourse_words_opening_a_question_are_not_people() -> None:
    spans = run("Finally, what would you change?", "Sorry, can you say that again?")
    assert spans == []


def test_a_nationality_is_not_turned_into_a_person_by_a_surname() -> None:
    spans = run(
        "English Heritage looks after it.",
        "He was half English.",
        marks={"English Heritage": "PERSON", "English": "NORP"},
    )
    assert ("English", "NORP", "model") in spans


def test_laws_counties_and_regnal_names() -> None:
    spans = run(
        "The NIS2 Directive and Bill C-92 changed that, in County Tyrone, under Philip IV.",
        marks={
            "NIS2 Directive": "ORG",
            "Bill C-92": "PERSON",
            "County Tyrone": "ORG",
            "Philip IV": "ORG",
        },
    )
    assert spans == [
        ("NIS2 Directive", "LAW", "model"),
        ("Bill C-92", "LAW", "model"),
        ("County Tyrone", "GPE", "model"),
        ("Philip IV", "PERSON", "model"),
    ]


def test_one_label_per_name_in_a_document() -> None:
    spans = run(
        "Kaseya bought players.",
        "Kaseya sold them.",
        "Kaseya won.",
        marks={"Kaseya": "ORG"},
    )
    assert {label for _, label, _ in spans} == {"ORG"}
    parts = ["Kaseya bought players.", "Kaseya sold them.", "Kaseya won."]
    ents = [Ent(0, 0, 6, "ORG"), Ent(1, 0, 6, "ORG"), Ent(2, 0, 6, "PERSON")]
    resolved, _ = apply(parts, ents, domain=False)
    assert [e.label for e in resolved] == ["ORG", "ORG", "ORG"]


def test_people_introduced_by_kin_apposition_and_self_introduction() -> None:
    spans = run(
        "I'm Adebayo Ogunleye, and my wife Funmilayo and I foster.",
        "One of the nurses, Aoife, just put the baby on my chest.",
        "Our colleague Dr Łukasz Wiśniewski will talk.",
        marks={"Adebayo Ogunleye": "ORG", "Aoife": "ORG"},
    )
    assert ("Adebayo Ogunleye", "PERSON", "model") in spans
    assert ("Funmilayo", "PERSON", "model") in spans
    assert ("Aoife", "PERSON", "model") in spans
    assert ("Łukasz Wiśniewski", "PERSON", "model") in spans


def test_people_after_a_role_and_a_comma() -> None:
    spans = run(
        "Nobody explained anything to my wife, Marta. I grew up in Krakow.",
        "Our interpreter, Rojin Dağ, is Kurdish, and Rojin knows everyone.",
        "The owner, Arnaud de Pontac, understood marketing.",
        "The firm his uncle, John Lane, had founded was small.",
        marks={
            "Marta": "GPE",
            "Rojin Dağ": "ORG",
            "Rojin": "GPE",
            "Arnaud de Pontac": "ORG",
            "John Lane": "PERSON",
        },
        domain=False,
    )
    assert ("Marta", "PERSON", "model") in spans
    assert ("Rojin Dağ", "PERSON", "model") in spans
    assert ("Rojin", "PERSON", "model") in spans  # the first name alone, after the full name
    assert ("Arnaud de Pontac", "PERSON", "model") in spans
    assert ("John Lane", "PERSON", "model") in spans  # a person, not a street


def test_no_person_after_a_role_without_a_name_or_on_a_street() -> None:
    spans = run(
        "My partner, Barnardo's, runs it. Our manager, and the team, met on Drury Lane.",
        "She lives on Park Lane.",
        marks={"Barnardo's": "ORG", "Drury Lane": "PERSON", "Park Lane": "PERSON"},
        domain=False,
    )
    assert ("Drury Lane", "FAC", "model") in spans
    assert ("Park Lane", "FAC", "model") in spans
    assert not [s for s in spans if s[1] == "PERSON"]


def test_an_organisation_keeps_of_and_its_place() -> None:
    spans = run(
        "The Children's Hospital of Eastern Ontario and the Public Health Agency of Sweden.",
        "The Human Rights Tribunal of Ontario ruled. The Ottawa Hospital of the future.",
        marks={
            "Children's Hospital": "ORG",
            "Public Health Agency": "ORG",
            "Sweden": "GPE",
            "Human Rights Tribunal": "ORG",
            "Ottawa Hospital": "ORG",
        },
        domain=False,
    )
    assert ("Children's Hospital of Eastern Ontario", "ORG", "model") in spans
    assert ("Public Health Agency of Sweden", "ORG", "model") in spans
    assert ("Human Rights Tribunal of Ontario", "ORG", "model") in spans
    assert ("Ottawa Hospital", "ORG", "model") in spans  # "of the future": no name after it
    assert not [s for s in spans if s[0] == "Sweden"]


def test_speaker_names_inside_longer_runs_and_with_other_letters() -> None:
    spans = run(
        "I'm Nguyễn Thị Mai. Łukasz Nowak is a dad. Te Awamutu is a town.",
        speakers=("DR MAI NGUYEN", "LUKASZ NOWAK", "AROHA TE RANGI"),
    )
    assert ("Nguyễn Thị Mai", "PERSON", "model") in spans
    assert ("Łukasz Nowak", "PERSON", "model") in spans
    assert not [s for s in spans if s[0].startswith("Te")]


def test_organisation_words_end_people_and_works() -> None:
    spans = run(
        "English Heritage runs it, with Harakeke Digital.",
        "He was half English.",
        marks={"English Heritage": "PERSON", "Harakeke Digital": "PERSON", "English": "NORP"},
    )
    assert ("English Heritage", "ORG", "model") in spans
    assert ("Harakeke Digital", "ORG", "model") in spans
    assert ("English", "NORP", "model") in spans


def test_names_the_text_calls_organisations() -> None:
    spans = run(
        "Priya runs incident response at Lumenfield, a payments company in Dublin.",
        "At Lumenfield we lost card payments.",
        "Tony Bloom, whose company Starlizard is secretive, owns the club.",
        marks={"Lumenfield": "GPE", "Starlizard": "PERSON", "Tony Bloom": "PERSON"},
        domain=False,
    )
    assert [s for s in spans if s[0] == "Lumenfield"] == [("Lumenfield", "ORG", "model")] * 2
    assert ("Starlizard", "ORG", "model") in spans
    assert ("Tony Bloom", "PERSON", "model") in spans


def test_lexicons_are_packaged_sorted_and_hold_what_the_rules_need() -> None:
    from pipeline.tag import lexicon

    places = lexicon.places()
    assert len(places) > 40_000
    assert places["Glasgow"] == "city" and places["Sandwell"] == "region"
    assert places["Tuvalu"] == "country" and places["Europe"] == "continent"
    assert "Reading" not in places and "Bath" not in places  # English words
    names = lexicon.first_names()
    assert {"Ruth", "Mark", "Florence", "Riley"} <= names
    assert "Glasgow" not in names
    text = (ROOT / "pipeline" / "tag" / "data" / "places.tsv").read_text(encoding="utf-8")
    rows = text.splitlines()[1:]
    assert rows == sorted(rows) and len(rows) == len(set(rows))


def test_nationalities_and_peoples_the_model_mislabels_are_norp() -> None:
    spans = run(
        "Aboriginal families and First Nations carers met Bangladeshi mums.",
        "Norman said so.",
        marks={
            "Aboriginal": "ORG",
            "First Nations": "ORG",
            "Bangladeshi": "PERSON",
            "Norman": "PERSON",
        },
    )
    assert spans == [
        ("Aboriginal", "NORP", "model"),
        ("First Nations", "NORP", "model"),
        ("Bangladeshi", "NORP", "model"),
        ("Norman", "PERSON", "model"),  # a first name too
    ]


def test_buildings_and_storms_are_not_people() -> None:
    spans = run(
        "Apsley House was his home, and Cyclone Gabrielle hit the coast.",
        marks={"Apsley House": "PERSON", "Cyclone Gabrielle": "PERSON"},
    )
    assert spans == [("Apsley House", "FAC", "model"), ("Cyclone Gabrielle", "EVENT", "model")]


def test_the_subject_of_a_plural_verb_is_an_organisation() -> None:
    spans = run(
        "Up to that, and Ofsted have been positive. The INMO have said so for years.",
        "Zofia and Tomasz were born here. Families get free books, and families like it.",
        marks={"Ofsted": "PERSON", "Zofia": "PERSON", "Tomasz": "PERSON"},
    )
    assert ("Ofsted", "ORG", "model") in spans
    assert ("INMO", "ORG", "model") in spans
    # Near misses: two people's names, and a common noun at a sentence start.
    assert ("Tomasz", "PERSON", "model") in spans
    assert not any(
        label == "ORG" for text, label, _ in spans if text != "Ofsted" and text != "INMO"
    )


def test_a_person_after_the_is_not_a_person() -> None:
    spans = run(
        "She trained at the Rotunda before the landing on the Moon.",
        "The Hennessy group there is small, and the Duke of Wellington came.",
        marks={
            "Rotunda": "PERSON",
            "Moon": "PERSON",
            "Hennessy": "PERSON",
            "Duke of Wellington": "PERSON",
        },
        domain=False,
    )
    assert not any(text in ("Rotunda", "Moon") for text, _, _ in spans)
    # Near misses: a research group, and a title that takes "the".
    assert ("Hennessy", "PERSON", "model") in spans
    assert ("Duke of Wellington", "PERSON", "model") in spans


def test_an_organisation_name_cut_at_a_possessive_or_and_is_joined() -> None:
    spans = run(
        "The pupils at St Brecan's College asked, and the Education and Training Inspectorate agreed.",
        "A team at NASA's Goddard Institute for Space Studies, and Education and Health were cut.",
        marks={
            "St Brecan": "ORG",
            "Education": "ORG",
            "Training Inspectorate": "ORG",
            "NASA": "ORG",
            "Goddard Institute for Space Studies": "ORG",
        },
        domain=False,
    )
    assert ("St Brecan's College", "ORG", "model") in spans
    assert ("Education and Training Inspectorate", "ORG", "model") in spans
    # Near misses: a possessive before another model name, and no organisation word.
    assert ("NASA", "ORG", "model") in spans
    assert ("Goddard Institute for Space Studies", "ORG", "model") in spans
    assert ("Education", "ORG", "model") in spans


def test_a_person_with_a_word_written_in_lower_case_is_not_a_person() -> None:
    spans = run(
        "Methanol and ammonia are the bets. The ships burn methanol.",
        "Mark Young said young children like it, and Young agreed.",
        marks={"Methanol": "PERSON", "Mark Young": "PERSON", "Young": "PERSON"},
        domain=False,
    )
    assert not any(text == "Methanol" for text, _, _ in spans)
    # Near misses: a first name opens it, and a surname of a full name in the document.
    assert ("Mark Young", "PERSON", "model") in spans
    assert ("Young", "PERSON", "model") in spans


def test_a_one_word_organisation_after_in_is_a_place() -> None:
    spans = run(
        "We walked up Glen Roy, in Lochaber, last week.",
        "He spent years in Deloitte's sports team, then worked in ESA for a while.",
        marks={"Lochaber": "ORG", "Deloitte": "ORG", "ESA": "ORG"},
        domain=False,
    )
    assert ("Lochaber", "GPE", "model") in spans
    # Near misses: a possessive, and an acronym.
    assert ("Deloitte", "ORG", "model") in spans
    assert ("ESA", "ORG", "model") in spans


def test_a_name_at_the_or_from_the_is_an_institution() -> None:
    spans = run(
        "I'm a consultant at the Coombe here, and my colleague from the Courtauld will talk.",
        "Babies born at the Coombe do well. Ice from the Ben Nevis area, and a visitor from the UK.",
        marks={"Coombe": "GPE", "Ben Nevis": "PERSON", "UK": "GPE"},
        domain=False,
    )
    assert [s for s in spans if s[0] == "Coombe"] == [("Coombe", "ORG", "model")] * 2
    assert ("Courtauld", "ORG", "model") in spans
    # Near misses: a name used as a modifier, and a country's abbreviation.
    assert ("UK", "GPE", "model") in spans
    assert not any(text == "Ben Nevis" and label == "ORG" for text, label, _ in spans)


def test_a_name_introduced_as_a_thing_is_not_a_person() -> None:
    spans = run(
        "There's an app called Tidewatch, and a course called Secure Coding 101.",
        "A hospital cook called Ali Maow Maalin fell ill.",
        marks={"Tidewatch": "PERSON", "Secure Coding": "PERSON", "Ali Maow Maalin": "PERSON"},
        domain=False,
    )
    assert ("Tidewatch", "PRODUCT", "model") in spans
    assert not any(text == "Secure Coding" for text, _, _ in spans)
    # Near miss: a person introduced by what they do.
    assert ("Ali Maow Maalin", "PERSON", "model") in spans


def test_a_name_cut_at_a_particle_or_before_an_epithet_is_one_person() -> None:
    spans = run(
        "Then came the forger Han van Meegeren, and Edward the Confessor died.",
        "She is known as Anna Maria della Pietà today.",
        "Ospedale della Pietà was rich, and Harold the Saxon fought on.",
        marks={
            "Han": "NORP",
            "Meegeren": "PERSON",
            "Edward": "PERSON",
            "Confessor": "ORG",
            "Anna Maria": "PERSON",
            "Pietà": "ORG",
            "Harold": "PERSON",
        },
        domain=False,
    )
    assert ("Han van Meegeren", "PERSON", "model") in spans
    assert ("Edward the Confessor", "PERSON", "model") in spans
    assert ("Anna Maria della Pietà", "PERSON", "model") in spans
    # Near misses: no person in the name, a people as the "epithet", and a word that is
    # no name after "the".
    assert ("Pietà", "ORG", "model") in spans
    assert ("Harold", "PERSON", "model") in spans
    assert not any(text == "Harold the Saxon" for text, _, _ in spans)


def test_a_full_name_with_a_particle_makes_its_surname_a_person() -> None:
    spans = run(
        "It was recognised by Cornelis Hofstede de Groot, and Hofstede de Groot argued.",
        "Kofi Annan spoke, and Banco de Portugal agreed.",
        marks={
            "Cornelis Hofstede de Groot": "PERSON",
            "Hofstede de Groot": "ORG",
            "Kofi Annan": "PERSON",
            "Banco de Portugal": "ORG",
        },
        domain=False,
    )
    assert ("Hofstede de Groot", "PERSON", "model") in spans
    # Near miss: an organisation whose last word is no surname in the document.
    assert ("Banco de Portugal", "ORG", "model") in spans


def test_a_field_noun_before_a_country_is_a_public_body() -> None:
    spans = run(
        "Audit Scotland's report is worth reading. Since then Health New Zealand has paid.",
        "In Victorian England and rural Scotland, and in Highland Scotland too.",
        marks={"Scotland": "GPE", "New Zealand": "GPE", "England": "GPE"},
        domain=False,
    )
    assert ("Audit Scotland", "ORG", "model") in spans
    assert ("Health New Zealand", "ORG", "model") in spans
    # Near misses: a period, a lower-case word, and a capitalised word that is no field.
    assert spans.count(("Scotland", "GPE", "model")) == 2
    assert ("England", "GPE", "model") in spans


def test_an_organisation_named_by_a_place_and_a_second_place_is_one() -> None:
    spans = run(
        "With support from NHS Greater Glasgow and Clyde, we started.",
        "The University of Glasgow and Clyde Ross spoke; Glasgow Life and Paris were there.",
        marks={
            "NHS Greater Glasgow": "ORG",
            "Clyde": "PERSON",
            "University of Glasgow": "ORG",
            "Glasgow Life": "ORG",
            "Paris": "GPE",
        },
        domain=False,
    )
    assert ("NHS Greater Glasgow and Clyde", "ORG", "model") in spans
    # Near misses: "X of Y" before "and", a name running on, no place at the end.
    assert ("University of Glasgow", "ORG", "model") in spans
    assert ("Glasgow Life", "ORG", "model") in spans
    assert ("Paris", "GPE", "model") in spans


def test_a_particle_of_a_full_name_does_not_keep_a_place_from_being_a_place() -> None:
    spans = run(
        "Aroha Te Rangi posts copies from Te Awamutu. Tony Preston said Preston is lovely.",
        marks={
            "Aroha Te Rangi": "PERSON",
            "Te Awamutu": "ORG",
            "Tony Preston": "PERSON",
            "Preston": "ORG",
        },
        domain=False,
    )
    assert ("Te Awamutu", "GPE", "model") in spans
    # Near miss: a place that is the surname of a full name in the document.
    assert ("Preston", "GPE", "model") not in spans


def test_a_name_listed_with_a_known_place_is_a_place() -> None:
    spans = run(
        "Many came in from Hamilton or Paisley today, and from Knowle West and Southmead.",
        "We use PostgreSQL and Kafka. In Ireland and Siobhán said so, and to Glasgow and Strathclyde Police.",
        marks={
            "Hamilton": "GPE",
            "Paisley": "PERSON",
            "Knowle West": "GPE",
            "Southmead": "ORG",
            "PostgreSQL": "GPE",
            "Kafka": "PERSON",
            "Ireland": "GPE",
            "Siobhán": "PERSON",
            "Glasgow": "GPE",
            "Strathclyde": "ORG",
        },
        domain=False,
    )
    assert ("Paisley", "GPE", "model") in spans
    assert ("Southmead", "GPE", "model") in spans
    # Near misses: no known place, a first name, a name running on.
    assert ("Kafka", "PERSON", "model") in spans
    assert ("Siobhán", "PERSON", "model") in spans
    assert ("Strathclyde", "ORG", "model") in spans


def test_names_before_was_born_are_people() -> None:
    spans = run(
        "Zofia and Tomasz were born at twenty-nine weeks. Later Zofia went to sleep.",
        "The NHS was born in 1948, and Barnardo's Trust was born of a need. She was born here.",
        marks={"Zofia": "ORG", "NHS": "ORG", "Barnardo's Trust": "ORG"},
        domain=False,
    )
    assert spans.count(("Zofia", "PERSON", "model")) == 2
    assert ("Tomasz", "PERSON", "model") in spans
    # Near misses: "the" before an acronym, an organisation word, and a pronoun.
    assert ("NHS", "ORG", "model") in spans
    assert ("Barnardo's Trust", "ORG", "model") in spans
    assert not any(text == "She" for text, _, _ in spans)


def test_a_name_that_when_explains_is_an_event() -> None:
    spans = run(
        "Then came the Sixties Scoop, when thousands of children were taken.",
        "A group such as the Academy of Ancient Music, when it plays, and the Hallé, when it tours.",
        marks={"Sixties Scoop": "ORG", "Academy of Ancient Music": "ORG", "Hallé": "ORG"},
        domain=False,
    )
    assert ("Sixties Scoop", "EVENT", "model") in spans
    # Near misses: an organisation word, and "when" taking the name as its subject.
    assert ("Academy of Ancient Music", "ORG", "model") in spans
    assert ("Hallé", "ORG", "model") in spans


def test_a_town_and_a_clubs_last_word_is_a_club() -> None:
    spans = run(
        "When Preston North End asked, Everton and Nottingham Forest had points deducted.",
        marks={"Preston North End": "PERSON", "Nottingham Forest": "PERSON"},
        domain=False,
    )
    assert ("Preston North End", "ORG", "model") in spans
    assert ("Nottingham Forest", "ORG", "model") in spans
    spans = run(
        "She flew to Mexico City, and Amelia Forest and Nottingham Wood spoke.",
        marks={"Mexico City": "PERSON", "Amelia Forest": "PERSON", "Nottingham Wood": "PERSON"},
        domain=False,
    )
    # Near misses: a known place, no town first, no club word last.
    assert ("Mexico City", "ORG", "model") not in spans
    assert ("Amelia Forest", "PERSON", "model") in spans
    assert ("Nottingham Wood", "PERSON", "model") in spans


def test_a_two_letter_surname_of_a_full_name_is_found_alone() -> None:
    spans = run(
        "Our link worker, Nguyễn Thu Hà, is here, and Hà speaks Vietnamese.",
        "Um Kalthoum sang it. Um, I think so.",
        marks={"Nguyễn Thu Hà": "PERSON", "Hà": "GPE", "Um Kalthoum": "PERSON"},
        domain=False,
    )
    assert spans.count(("Hà", "PERSON", "model")) == 1
    assert ("Hà", "GPE", "model") not in spans
    # Near miss: a two-letter word of a full name that is also a filler is not found alone.
    assert not any(text == "Um" for text, _, _ in spans)
    spans = run(
        "He Jiankui edited the embryos. He said it was safe.",
        marks={"He Jiankui": "PERSON"},
        domain=False,
    )
    # Near miss: a surname that is also a pronoun.
    assert spans == [("He Jiankui", "PERSON", "model")]


def test_who_a_question_comes_from_is_a_person() -> None:
    spans = run(
        "We've got a question in the chat from Zoë in Tauranga. One last question from the"
        " chat, from Harpreet.",
        "A question from Tauranga now, and an email from NHS England, and a message from Ofsted.",
        marks={
            "Zoë": "GPE",
            "Tauranga": "GPE",
            "Harpreet": "GPE",
            "NHS England": "ORG",
            "Ofsted": "ORG",
        },
        domain=False,
    )
    assert ("Zoë", "PERSON", "model") in spans
    assert ("Harpreet", "PERSON", "model") in spans
    # Near misses: a known place, an organisation the model found.
    assert spans.count(("Tauranga", "GPE", "model")) == 2
    assert ("NHS England", "ORG", "model") in spans
    assert ("Ofsted", "ORG", "model") in spans


def test_an_acronym_defined_after_an_organisation_is_the_organisation() -> None:
    spans = run(
        "The National Cyber Security Centre, the NCSC, said so. Later the NCSC agreed.",
        "Dyadic Developmental Psychotherapy, or DDP, helps. The Royal Society, the RSPB, came.",
        marks={
            "National Cyber Security Centre": "ORG",
            "NCSC": "FAC",
            "Dyadic Developmental Psychotherapy": "PERSON",
            "DDP": "GPE",
            "Royal Society": "ORG",
            "RSPB": "FAC",
        },
        domain=False,
    )
    assert spans.count(("NCSC", "ORG", "model")) == 2
    # Near misses: a name the model does not call ORG, and initials that differ.
    assert ("DDP", "GPE", "model") in spans
    assert ("RSPB", "FAC", "model") in spans


def test_a_structure_the_model_calls_an_organisation_is_a_facility() -> None:
    spans = run(
        "William founded Battle Abbey, and the Thames Barrier is shut.",
        "Random House prints it, and the Abbey Trust and the Tower Hamlets Council pay.",
        marks={
            "Battle Abbey": "ORG",
            "Thames Barrier": "ORG",
            "Random House": "ORG",
            "Abbey Trust": "ORG",
            "Tower Hamlets Council": "ORG",
        },
        domain=False,
    )
    assert ("Battle Abbey", "FAC", "model") in spans
    assert ("Thames Barrier", "FAC", "model") in spans
    # Near misses: a word organisations' names end in, and an organisation's word.
    assert ("Random House", "ORG", "model") in spans
    assert ("Abbey Trust", "ORG", "model") in spans
    assert ("Tower Hamlets Council", "ORG", "model") in spans


def test_a_nationality_that_is_a_first_name_used_as_an_adjective_is_norp() -> None:
    spans = run("He was writing in a Norman monastery.", marks={"Norman": "PERSON"}, domain=False)
    assert spans == [("Norman", "NORP", "model")]
    # Near misses: a first name as a subject and as an object.
    for text in ("Norman said so.", "I asked Norman twice."):
        assert run(text, marks={"Norman": "PERSON"}, domain=False) == [
            ("Norman", "PERSON", "model")
        ]


def test_a_peoples_name_before_a_noun_for_a_person_is_norp() -> None:
    spans = run(
        "My colleague, who's a Gamilaraay woman, runs it.",
        "She is a Glasgow woman, and a Jordan fan.",
        marks={"Gamilaraay": "ORG", "Glasgow": "GPE", "Jordan": "PERSON"},
        domain=False,
    )
    assert ("Gamilaraay", "NORP", "model") in spans
    # Near misses: a known place, and a first name before a noun for no kin.
    assert ("Glasgow", "GPE", "model") in spans
    assert ("Jordan", "PERSON", "model") in spans


def test_a_greeting_in_another_language_is_no_name() -> None:
    spans = run(
        "Kia ora koutou, and welcome. Kia ora, Hemi.",
        marks={"Kia": "PERSON", "Hemi": "PERSON"},
        domain=False,
    )
    assert spans == [("Hemi", "PERSON", "model")]
    # Near misses: the same word as a company's name, in a longer name and alone.
    spans = run(
        "Kia Motors sells cars, and Kia says so.",
        marks={"Kia Motors": "ORG", "Kia": "ORG"},
        domain=False,
    )
    assert [text for text, _, _ in spans] == ["Kia Motors", "Kia"]


def test_what_is_published_composed_painted_or_performed_is_a_work() -> None:
    spans = run(
        "This is An Old Woman Cooking Eggs, painted by Velázquez. The Four Seasons was"
        " published in Amsterdam, and Handel gave performances of Messiah.",
        "In 1873 he published Lombard Street. Read Lombard Street and the Four Seasons.",
        marks={
            "Old Woman Cooking Eggs": "ORG",
            "Velázquez": "PERSON",
            "Four Seasons": "EVENT",
            "Handel": "PERSON",
            "Messiah": "PERSON",
            "Lombard Street": "FAC",
        },
        domain=False,
    )
    for title in ("Old Woman Cooking Eggs", "Messiah"):
        assert (title, "WORK_OF_ART", "model") in spans
    assert spans.count(("Four Seasons", "WORK_OF_ART", "model")) == 2
    assert spans.count(("Lombard Street", "WORK_OF_ART", "model")) == 2
    # Near misses: the painter after "painted by", and whoever gives the performances.
    assert ("Velázquez", "PERSON", "model") in spans
    assert ("Handel", "PERSON", "model") in spans
    spans = run(
        "Mozart composed it for Salzburg, and the Arts Council, first published in 1950, agreed.",
        "Sofia composed a song. Read the guidance from NICE, published in 2020; they"
        " published Ofsted reports.",
        marks={
            "Mozart": "PERSON",
            "Salzburg": "GPE",
            "Arts Council": "ORG",
            "Sofia": "PERSON",
            "NICE": "ORG",
            "Ofsted": "ORG",
        },
        domain=False,
    )
    # Near misses: an acronym before ", published", a name modifying a noun after it.
    assert ("NICE", "ORG", "model") in spans
    assert ("Ofsted", "ORG", "model") in spans
    # Near misses: a composer before the verb, a place, an organisation, a person after.
    assert ("Mozart", "PERSON", "model") in spans
    assert ("Salzburg", "GPE", "model") in spans
    assert ("Arts Council", "ORG", "model") in spans
    assert ("Sofia", "PERSON", "model") in spans


def test_a_name_that_always_comes_with_an_instruments_noun_is_a_product() -> None:
    spans = run(
        "The GRACE satellites, a joint mission between NASA and DLR, and the SEC spreadsheet.",
        "A lot of NHS apps fail. The ESA telescope is here, and ESA paid for it.",
        marks={
            "GRACE": "ORG",
            "NASA": "ORG",
            "DLR": "ORG",
            "SEC": "ORG",
            "NHS": "ORG",
            "ESA": "ORG",
        },
        domain=False,
    )
    assert ("GRACE", "PRODUCT", "model") in spans
    assert ("SEC", "PRODUCT", "model") in spans
    # Near misses: no "the" before the name, and a name also used alone.
    assert ("NHS", "ORG", "model") in spans
    assert spans.count(("ESA", "ORG", "model")) == 2


def test_a_place_ending_in_a_surname_the_model_calls_a_person_is_a_person() -> None:
    spans = run(
        "Vermeer painted slowly. It is the largest painting Johannes Vermeer ever made.",
        "Lincoln spoke, and the Lincoln Memorial and Glen Lincoln are near.",
        marks={
            "Johannes Vermeer": "LOC",
            "Lincoln Memorial": "FAC",
            "Glen Lincoln": "LOC",
            "Vermeer": "PERSON",
            "Lincoln": "PERSON",
        },
        domain=False,
    )
    assert ("Johannes Vermeer", "PERSON", "model") in spans
    # Near misses: the surname first, and a landform's word first.
    assert ("Lincoln Memorial", "FAC", "model") in spans
    assert ("Glen Lincoln", "LOC", "model") in spans


def test_an_organisation_word_with_of_after_it_opens_an_organisation() -> None:
    spans = run(
        "She was admitted to the painters' Guild of St Luke in Haarlem.",
        "The Battle of Hastings, and the House of Commons, and the Duke of Wellington.",
        marks={
            "Guild of St Luke": "WORK_OF_ART",
            "Haarlem": "GPE",
            "Battle of Hastings": "EVENT",
            "House of Commons": "FAC",
            "Duke of Wellington": "PERSON",
        },
        domain=False,
    )
    assert ("Guild of St Luke", "ORG", "model") in spans
    # Near misses: first words that are no organisation's.
    assert ("Battle of Hastings", "EVENT", "model") in spans
    assert ("House of Commons", "FAC", "model") in spans
    assert ("Duke of Wellington", "PERSON", "model") in spans


def test_a_name_before_and_his_or_and_her_is_a_person() -> None:
    spans = run(
        "Łukasz will talk about Rembrandt and his etchings.",
        "She speaks English and her husband Polish, and we moved to Leeds and his wife came.",
        marks={"Łukasz": "PERSON", "Rembrandt": "NORP", "English": "NORP", "Leeds": "ORG"},
        domain=False,
    )
    assert ("Rembrandt", "PERSON", "model") in spans
    # Near misses: a language (no person; as a language it is no name at all, see
    # test_a_language_used_as_a_language_is_not_a_name), and a name after a preposition
    # of place.
    assert not any(text == "English" and label == "PERSON" for text, label, _ in spans)
    assert not any(text == "Leeds" and label == "PERSON" for text, label, _ in spans)


def test_a_full_name_after_the_work_of_is_a_person() -> None:
    spans = run(
        "Her pictures were sold as the work of Frans Hals for years.",
        "We build on the work of Family Lives, and lives change, and the work of Save Trust.",
        marks={"Frans Hals": "ORG", "Family Lives": "ORG", "Save Trust": "ORG"},
        domain=False,
    )
    assert ("Frans Hals", "PERSON", "model") in spans
    # Near misses: a word the document writes in lower case, an organisation's word.
    assert ("Family Lives", "ORG", "model") in spans
    assert ("Save Trust", "ORG", "model") in spans


def test_a_landform_or_a_water_the_model_mislabels_is_a_location() -> None:
    spans = run(
        "William crossed the Channel, and Thwaites Glacier melts in the Highlands.",
        "The Gold Coast and Beverly Hills, and the Channel Islands Trust.",
        marks={
            "Channel Islands Trust": "ORG",
            "Channel": "ORG",
            "Thwaites Glacier": "FAC",
            "Highlands": "GPE",
            "Gold Coast": "GPE",
            "Beverly Hills": "GPE",
        },
        domain=False,
    )
    for name in ("Channel", "Thwaites Glacier", "Highlands"):
        assert (name, "LOC", "model") in spans
    # Near misses: towns' last words, and a name ending in an organisation's word.
    assert ("Gold Coast", "GPE", "model") in spans
    assert ("Beverly Hills", "GPE", "model") in spans
    assert ("Channel Islands Trust", "ORG", "model") in spans


@given(
    st.text(alphabet="abAB -'’_é1².", max_size=14),
    st.text(alphabet="abAB -'’_é1².", min_size=0, max_size=4),
)
@settings(max_examples=400, deadline=None)
def test_occurrences_are_what_the_whole_word_regex_finds(text: str, name: str) -> None:
    from pipeline.tag.names import occurrences

    pattern = rf"(?<![\w’'-]){re.escape(name)}(?![\w-])"
    assert occurrences(text, name) == [(m.start(), m.end()) for m in re.finditer(pattern, text)]


def test_an_organisations_generic_head_keeps_it_an_organisation() -> None:
    """The small model's ORG for a hospital or a league must not turn into a person
    because a verb in -ed follows or its first word is a first name; and a "person"
    ending in such a head is an organisation (tests/tagsets/dev3)."""
    spans = run(
        "La Leche League helped us write the training.",
        "It is run from Bradford Royal Infirmary, which has followed them.",
        "I was a midwife at Leeds General Infirmary for eleven years.",
        marks={
            "La Leche League": "ORG",
            "Bradford Royal Infirmary": "ORG",
            "Leeds General Infirmary": "PERSON",
        },
        domain=False,
    )
    assert ("La Leche League", "ORG", "model") in spans
    assert ("Bradford Royal Infirmary", "ORG", "model") in spans
    assert ("Leeds General Infirmary", "ORG", "model") in spans
    # Near miss: a person's name followed by a verb in -ed stays a person.
    spans = run("Marc Morris helped us write it.", marks={"Marc Morris": "ORG"}, domain=False)
    assert ("Marc Morris", "PERSON", "model") in spans


def test_two_names_the_model_joins_are_two_names() -> None:
    spans = run(
        "She leads the Perinatal Mental Health Project at UCT now.",
        "Alan McGee from Glasgow ran Creation Records, from the Prodigy to Adele.",
        "Saudi Arabia's Public Investment Fund bought it. King's College London said no.",
        "We saw Blur and Oasis. Oasis won. Marks and Spencer sold the shirts.",
        "The University of Illinois at Chicago, and the National Archives at Kew.",
        "Room to Read and Working with Families are charities; from Blur to Oasis.",
        marks={
            "Perinatal Mental Health Project at UCT": "ORG",
            "Alan McGee": "PERSON",
            "Glasgow ran Creation Records": "ORG",
            "Prodigy to Adele": "ORG",
            "Saudi Arabia's Public Investment Fund": "ORG",
            "King's College London": "ORG",
            "Blur and Oasis": "ORG",
            "Oasis": "ORG",
            "Marks and Spencer": "ORG",
            "University of Illinois at Chicago": "ORG",
            "National Archives at Kew": "ORG",
            "Room to Read": "ORG",
            "Working with Families": "ORG",
        },
        domain=False,
    )
    texts = {(text, label) for text, label, _ in spans}
    assert {("Perinatal Mental Health Project", "ORG"), ("UCT", "ORG")} <= texts
    assert {("Glasgow", "GPE"), ("Creation Records", "ORG")} <= texts
    assert {("Prodigy", "ORG"), ("Adele", "PERSON")} <= texts
    assert {("Saudi Arabia", "GPE"), ("Public Investment Fund", "ORG")} <= texts
    assert ("King's College London", "ORG") in texts  # not a place's possessive
    assert {("Blur", "ORG"), ("Oasis", "ORG")} <= texts  # "Oasis" is named alone
    assert ("Marks and Spencer", "ORG") in texts  # neither side is
    assert ("University of Illinois at Chicago", "ORG") in texts  # a campus
    assert ("National Archives", "ORG") in texts
    assert {("Room to Read", "ORG"), ("Working with Families", "ORG")} <= texts  # names
    assert not [t for t, _ in texts if " at " in t and "Illinois" not in t]
