"""Intervention names the text itself introduces, and how sure each one is.

``find_evidence``: places where the text says that a capitalised name is a programme,
group, app or service: a head noun after it ("the Bluebell Steps programme"), a naming
phrase ("an app called Nestling", "known as ...", "such as ... and ..." after a head
noun), a definition ("Bookstart is a book-gifting programme", "... Bumpstart. It's an
app"), an apposition, quotes. ``score``: one confidence per name from all its evidence
(noisy-or of the strengths), lowered for people, places, platforms and documents
outside the field. Strengths, penalties and ``THRESHOLD`` were set on the development
set (``tests/tagsets/dev``) only; see README, Tags.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass

from pipeline.tag.names import (
    NAME,
    PERSON_NOUNS,
    UPPER,
    WHOLE_NAME,
    Ent,
    capital_first,
    labels_by_text,
    names_a_person,
    occurrences,
    person_tokens,
    sentence_start,
    trim,
    words_before,
)

# Measured on tests/tagsets/dev (bench/pattern_threshold.py): the lowest threshold at
# which pattern mentions keep precision >= 0.9 there.
THRESHOLD = 0.5
# Below this, a pattern name is not even worth a review ("the UK programme").
REVIEW_MIN = 0.15


@dataclass(frozen=True, slots=True)
class Evidence:
    part: int
    start: int
    end: int  # the name only, without head noun or quotes
    name: str
    kind: str  # head, called, such_as, definition, quoted
    strength: float


HEAD_NOUNS = (
    "programmes programme programs program groups group classes class apps app services"
    " service schemes scheme clinics clinic courses course therapy therapies interventions"
    " intervention visits sessions session helpline helplines meetings meeting project"
    " initiative initiatives club clubs approach model walks walk café cafe text drop-in"
    " workshop workshops pathway chatbot website podcast newsletter forum circle circles"
).split()
_HEAD = r"(?:" + "|".join(HEAD_NOUNS) + r")"
# Head nouns that end a programme's own name, capitalised. Not Group, Service, Trust or
# Line: "Family Rights Group", "Probation Service" and "Northern Line" are not programmes.
_TITLED_HEAD = (
    "Programmes?|Programs?|Project|Scheme|Initiative|Intervention|Therapy|Approach|Clinic"
    "|Helpline|App|Café|Cafe|Circle|Course|Classes|Club|Sessions|Visits|Walks?"
)
# Platforms and programming languages: "a WhatsApp group", "a Python course" are
# products with a group or a course, never an intervention.
PLATFORMS = frozenset(
    """whatsapp facebook instagram twitter tiktok zoom teams skype youtube google apple
    android iphone microsoft slack discord reddit mumsnet netmums python rust java
    javascript excel linux github""".split()
)
# A name that opens with a weekday or month is a time: "the Monday group", "the
# January course".
_WEEKDAYS_MONTHS = frozenset(
    """monday tuesday wednesday thursday friday saturday sunday january february march
    april may june july august september october november december""".split()
)


# Patterns: (kind, regex, strength). The name is group "name"; "head" when present.
_CALLED = r"(?:called|known\s+as|named|what\s+we\s+call|we\s+call\s+it|call\s+it|we\s+call)"
_OPEN_Q = '["“‘]?'
_CLOSE_Q = '["”’]?'
# A lower-case word between a name and its head noun ("Chatterbox language groups",
# "a walking group"): not a function word, not a verb in -s or -ed ("Amina runs the group").
_MODIFIER = (
    r"(?!(?:the|a|an|and|or|but|of|to|is|was|are|were|has|had|have|for|with|in|on|at|it|"
    r"that|which|who|we|they|our|their|this|these|those|so|as|by|from|into|about|not)\b)"
    r"[a-z][a-z-]*(?<![^s]s)(?<!ed)"
)
# A name with no letter or apostrophe before it, its opening capital first (see
# ``capital_first``: several times faster to scan for than a lookbehind). An opening
# quote before the name is no such character, so "the “Bluebell Steps” programme" is
# found without matching the quote itself.
_NAME_ALONE = capital_first(WHOLE_NAME, r"\w’'")
# Two patterns with words of their own to test first (see ``find_evidence``): "It" or
# "This", and a head noun with a comma after it.
_NEXT_SENTENCE = re.compile(
    rf"(?P<name>{_NAME_ALONE})\.\s+(?:It|This)(?:'s|’s|\s+is|\s+was)\s+"
    rf"(?:a|an|our|the)\s+(?:[\w-]+\s+){{0,3}}?(?P<head>{_HEAD})\b"
)
_APPOSED_AFTER = re.compile(
    rf"\b(?:a|an|our|the|their)\s+(?:[a-z][\w-]*\s+){{0,3}}?(?P<head>{_HEAD}),\s+"
    rf"{_OPEN_Q}(?P<name>{NAME}){_CLOSE_Q}\s*[,.;:—–-]"
)
_PATTERNS: list[tuple[str, re.Pattern[str], float]] = [
    (
        "head",
        re.compile(rf"(?P<name>{_NAME_ALONE}){_CLOSE_Q}\s+(?P<head>{_HEAD})\b"),
        0.6,
    ),
    (
        "modified",
        re.compile(
            rf"(?P<name>{_NAME_ALONE}){_CLOSE_Q}\s+(?:{_MODIFIER}\s+){{1,2}}(?P<head>{_HEAD})\b"
        ),
        0.4,
    ),
    (
        "called",
        re.compile(
            rf"\b{_CALLED}\s+(?:the\s+)?{_OPEN_Q}(?P<name>{NAME})(?:\s+(?P<head>{_HEAD})\b)?"
        ),
        0.45,
    ),
    (
        "definition",
        re.compile(
            rf"(?P<name>{_NAME_ALONE})\s+(?:is|was)\s+(?:a|an|our|the)\s+"
            rf"(?:[\w-]+\s+){{0,3}}?(?P<head>{_HEAD})\b"
        ),
        0.6,
    ),
    # A definition in the next sentence: "... to build Bumpstart. It's an app for ..."
    ("definition", _NEXT_SENTENCE, 0.6),
    # A name ending in a capitalised head noun: "the Lidcombe Program", "Kōwhai Circle".
    (
        "titled",
        re.compile(rf"(?P<name>{_NAME_ALONE}\s+(?:{_TITLED_HEAD}))\b"),
        # Weak alone (an office or a fund can be a "Programme": 2 of 3 in the
        # development sets), it adds to other evidence.
        0.35,
    ),
    # Apposition: "Tidewater Mums, a peer support group," / "our walking group, Buggy Blokes,"
    (
        "apposition",
        re.compile(
            rf"(?P<name>{_NAME_ALONE}),\s+(?:a|an|our|the|their)\s+"
            rf"(?:[a-z][\w-]*\s+){{0,3}}?(?P<head>{_HEAD})\b"
        ),
        0.6,
    ),
    ("apposition", _APPOSED_AFTER, 0.6),
    # Quoted capitalised words on their own: weak, but they add up with other evidence.
    ("quoted", re.compile(rf"[\"“‘](?P<name>{NAME})[\"”’]"), 0.3),
]
_SUCH_AS = re.compile(
    rf"\b(?P<head>{_HEAD})\s+(?:[\w-]+\s+){{0,2}}?(?:such\s+as|like|including)\s+"
    rf"(?P<names>(?:the\s+)?{NAME}(?:\s*(?:,|and|or|,\s*and)\s+(?:the\s+)?{NAME})*)"
)
_QUOTED = re.compile(rf"{_CALLED}\s+[\"“‘](?P<name>[{UPPER}][^\"”’]{{1,60}}?)[\"”’]")


_HEAD_SET = frozenset(HEAD_NOUNS)
_TITLED_WORDS = re.compile(rf"\b(?:{_TITLED_HEAD})\b")
_WORDS = re.compile(r"[a-zé-]+")
_ANY_CALLED = re.compile(rf"\b{_CALLED}\b")
_ANY_QUOTE = re.compile('["“‘]')


def find_evidence(texts: Sequence[str]) -> list[Evidence]:
    """Every place in the document where the text introduces a capitalised name as an
    intervention-like thing, with the strength of that kind of evidence."""
    out: list[Evidence] = []
    for part, text in enumerate(texts):
        # Cheap tests first: most paragraphs have no head noun, naming phrase or quote,
        # and then the name patterns need not scan them.
        lowered = text.lower()
        words = _WORDS.findall(lowered)
        has_head = not _HEAD_SET.isdisjoint(words)
        has_called = ("call" in lowered or "named" in lowered or "known as" in lowered) and (
            _ANY_CALLED.search(text) is not None
        )
        has_quote = _ANY_QUOTE.search(text) is not None
        has_titled = has_head or _TITLED_WORDS.search(text) is not None
        if not (has_head or has_called or has_quote or has_titled):
            continue
        # A head noun right before a comma (one of the words found: a space before it).
        head_comma = has_head and any(f"{h}," in text for h in _HEAD_SET.intersection(words))
        for kind, pattern, strength in _PATTERNS:
            needed = {"called": has_called, "quoted": has_quote, "titled": has_titled}
            if not needed.get(kind, has_head):
                continue
            if pattern is _NEXT_SENTENCE and "It" not in text and "This" not in text:
                continue
            if pattern is _APPOSED_AFTER and not head_comma:
                continue
            for m in pattern.finditer(text):
                start, end = trim(text, m.start("name"), m.end("name"))
                if start >= end or names_a_person(text[start:end]):
                    continue
                if kind == "titled" and " " not in text[start:end]:
                    continue  # "The Programme": the head noun alone
                value = strength
                if kind == "called":
                    value = _called_strength(text, m.start(), bool(m.group("head")))
                    if value == 0.0:
                        continue
                elif kind == "head" and " " not in text[start:end]:
                    if sentence_start(text, start):
                        continue  # "Group therapy is ...", "Nurture groups are ..."
                    if m.group("head") == "class":
                        value = 0.3  # "the Kingfisher class": a school's name for a class
                    elif m.group("head") == "group":
                        # "the Hennessy group", "the Trocmé group": a researcher's team
                        # (4 of 4 one-word names before a singular "group" in the
                        # development set; programmes say "groups" or say what they are).
                        value = 0.2
                out.append(Evidence(part, start, end, text[start:end], kind, value))
        # A list needs "such as", "like" or "including" as well: most paragraphs have none.
        such_as = has_head and ("such" in text or "like" in text or "including" in text)
        for m in _SUCH_AS.finditer(text) if such_as else ():
            names = m.group("names")
            at = m.start("names")
            for piece in re.split(r"(\s*,\s*(?:and\s+|or\s+)?|\s+and\s+|\s+or\s+)", names):
                start, end = at, at + len(piece)
                at = end
                if not piece or not re.fullmatch(rf"(?:the\s+)?{NAME}", piece):
                    continue
                start, end = trim(text, start, end)
                if start < end:
                    out.append(Evidence(part, start, end, text[start:end], "such_as", 0.8))
        for m in _QUOTED.finditer(text) if has_called and has_quote else ():
            start, end = m.start("name"), m.end("name")
            words = text[start:end].replace(",", " ").split()
            if words and all(w[:1].isupper() for w in words):
                out.append(Evidence(part, start, end, text[start:end], "quoted", 0.8))
    return out


# Words before "called" that say nothing about what is named: "our version is called",
# "something called", "what's called".
_VAGUE_BEFORE_CALLED = frozenset(
    """is was are were be been being it it's it’s what what's what’s something thing things
    one ones now also just simply sometimes often originally still first then that this
    version idea way""".split()
)


def _called_strength(text: str, at: int, has_head: bool) -> float:
    """'called X': strong after an intervention head noun, nothing after a person noun."""
    before = re.findall(r"[\w’'-]+", text[max(0, at - 80) : at].lower())
    last = before[-1] if before else ""
    if last in PERSON_NOUNS or last.endswith(("ist", "ian")):
        return 0.0  # "a mum called Amal", "a therapist called Siobhán Doyle"
    if has_head or any(w in HEAD_NOUNS for w in before[-12:]):
        return 0.9
    if last and last not in _VAGUE_BEFORE_CALLED:
        return 0.15  # "a booklet called ...", "a company called ...": another kind of thing
    return 0.45


# --- confidence ------------------------------------------------------------------------


def score(
    evidence: Sequence[Evidence],
    texts: Sequence[str],
    ents: Sequence[Ent],
    *,
    domain: bool,
) -> dict[str, float]:
    """Confidence per pattern name: noisy-or of its evidence, times penalties."""
    by_name: dict[str, list[Evidence]] = defaultdict(list)
    for e in evidence:
        by_name[e.name].append(e)
    people = person_tokens(texts, ents)
    label_of = labels_by_text(texts, ents)
    gazetteer = {texts[e.part][e.start : e.end].lower() for e in ents if e.source == "gazetteer"}
    out: dict[str, float] = {}
    for name, items in by_name.items():
        miss = 1.0
        for kind in {e.kind for e in items}:
            miss *= 1.0 - max(e.strength for e in items if e.kind == kind)
        count = sum(len(occurrences(t, name)) for t in texts)
        if count >= 2:
            miss *= 0.8  # a name that recurs is more likely a name
        confidence = 1.0 - miss
        words = name.split()
        lowered = name.lower()
        if lowered in gazetteer:
            continue  # the gazetteer has it
        if not domain:
            confidence *= 0.3
        if lowered in PLATFORMS or words[0].lower() in PLATFORMS:
            confidence = 0.0
        if words[0].lower() in _WEEKDAYS_MONTHS:
            confidence = 0.0
        if len(words) == 1 and name in people:
            confidence *= 0.1  # "the Patel group" after "Dr Raj Patel"
        if any(_after_title_or_possessive(texts[e.part], e.start, e.end) for e in items):
            confidence *= 0.1  # "Professor Asante's group"
        weak = all(e.kind in ("head", "modified", "quoted", "titled") for e in items)
        if weak and (label_of.get(name) in _PLACE_LABELS or _all_places(name, label_of)):
            confidence *= 0.2  # "the Leeds group", "Polish families", "Wales and Northern Ireland"
        if {e.kind for e in items} == {"titled"} and label_of.get(name) in ("ORG", "FAC", "LAW"):
            confidence *= 0.3  # "Troubled Asset Relief Program": a body or a fund (3 of 3)
        if name.isupper() and len(name) <= 5:
            confidence *= 0.3  # "NHS apps", "UK programmes": a body or a place

        out[name] = round(confidence, 3)
    return out


_PLACE_LABELS = frozenset({"GPE", "NORP", "LOC", "DATE"})


def _all_places(name: str, label_of: dict[str, str]) -> bool:
    """Every capitalised word of the name is (in) a place the model found."""
    places = {w for text, label in label_of.items() if label in _PLACE_LABELS for w in text.split()}
    words = [w for w in name.split() if w[:1].isupper()]
    return bool(words) and all(w in places for w in words)


def _after_title_or_possessive(text: str, start: int, end: int) -> bool:
    before = words_before(text, start)
    titled = bool(before) and before[0].rstrip(".").lower() in ("dr", "professor", "prof", "mr")
    return titled or text[end : end + 2] in ("'s", "’s")


# --- short forms ---------------------------------------------------------------------------

# First words too common to stand alone for the name they open.
_NOT_SHORT_FORMS = frozenset(
    """Little Early Family Families Healthy Baby Babies Happy Best First Big Young Good
    New Better Start Safe Parent Parents Child Children Mum Mums Dad Dads Home NHS
    National Local Community Sure Together Growing Calm Kin Bump Birth Tiny Share Signs
    Flying Talk""".split()
)


def short_form(name: str) -> str | None:
    """'Bluebell' for 'Bluebell Steps': the first word of a longer name, if distinctive."""
    words = name.replace(",", " ").split()
    if len(words) < 2 or len(words[0]) < 4 or words[0] in _NOT_SHORT_FORMS:
        return None
    return words[0] if words[0][:1].isupper() else None
