"""Names in a document's texts: the spans the document-level rules work on (``Ent``),
the regular expressions for capitalised names, and the span helpers every rule shares
(trimming a name, finding its occurrences, relabelling a model span)."""

from __future__ import annotations

import re
import unicodedata
from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, replace

INTERVENTION = "INTERVENTION"


@dataclass(frozen=True, slots=True)
class Ent:
    """A span in one part (paragraph, title or description) of a document."""

    part: int
    start: int
    end: int
    label: str
    entry_id: str = ""
    source: str = "model"  # model, gazetteer or pattern
    confidence: float | None = None


# --- names and the words around them ------------------------------------------------

# Capital letters of the Latin alphabets: A-Z, À-Þ and Latin Extended-A/B ("Łukasz").
UPPER = "A-ZÀ-ÖØ-Þ" + "".join(c for c in map(chr, range(0x100, 0x250)) if c.isupper())
WORD = rf"[{UPPER}][\w'’&+-]*"  # a capitalised word; digits allowed inside (Start4Life)
# A name: capitalised words, with "of", "and", "for", "the", "in", "to", "as", "on" or
# "with" between them ("Zones of Regulation", "Hand in Hand", "It Takes Two to Talk",
# "Parents as Teachers").
NAME = rf"{WORD}(?:\s+(?:(?:of|and|for|the|&|in|to|as|on|with)\s+)?{WORD}){{0,4}}"
# The same with each word read whole (a possessive ``*+``, which never gives letters
# back): the same matches where what follows the name cannot continue a word (a space,
# a comma, a full stop; a closing quote before a space), found without trying every
# shorter reading of every capitalised word first (a third faster). Not before "'s".
WHOLE_WORD = WORD + "+"
WHOLE_NAME = rf"{WHOLE_WORD}(?:\s+(?:(?:of|and|for|the|&|in|to|as|on|with)\s+)?{WHOLE_WORD}){{0,4}}"
# Nouns for people: "a mum called Amal" names a person, not a service.
PERSON_NOUNS = frozenset(
    """woman women man men mum mother dad father girl boy lady colleague friend midwife
    nurse doctor worker son daughter baby sister brother wife husband partner student
    teacher grandmother grandfather gran grandad aunt uncle someone somebody guy chap
    visitor parent""".split()
)
# Words that open a sentence or a clause: not the start of a name.
NOT_NAME_START = frozenset(
    """The A An This That These Those Our Their Your My His Her Its Each Every Any Some
    What Which I We You They It In On At For So And But Or If When While As One Another
    Many Most Other Such New Then There Here Yes No Well Now Also Both All Because
    Local National I'll I'm I've I'd I’ll I’m I’ve I’d""".split()
)
_OPENERS = (".", "!", "?", ":", ";", '"', "“", "‘", "'")


def words_before(text: str, start: int, n: int = 1) -> list[str]:
    """The last ``n`` words before ``start``: ``text[:start].split()[-n:]``, without
    splitting the whole text before it (the rules ask this of most spans)."""
    return text[:start].rsplit(None, n)[-n:]


def words_after(text: str, end: int) -> list[str]:
    """The first word after ``end``, as ``text[end:].split()[:1]``."""
    return text[end:].split(None, 1)[:1]


def sentence_start(text: str, start: int) -> bool:
    before = text[:start].rstrip()
    return not before or before.endswith(_OPENERS) or before.endswith("—")


_TITLES = frozenset(
    "Dr Dr. Doctor Professor Prof Prof. Mr Mr. Mrs Mrs. Ms Ms. Sir Dame Lady Lord".split()
)


def names_a_person(name: str) -> bool:
    """ "Professor Asante's", "Ramírez's": a person's group or lab, not a programme."""
    return name.endswith(("'s", "’s")) or name.split()[0] in _TITLES


def capital_first(pattern: str, not_after: str) -> str:
    r"""``(?<![not_after])pattern`` for a ``pattern`` that opens with a capital
    (``[UPPER]``), written with the lookbehind after that capital: the same matches, but
    the re module scans for a regex's opening character set in C, while a regex that
    opens with a lookbehind is tried at every position of the text (2-3 times slower,
    and the document-level rules run dozens of such regexes over every paragraph)."""
    capital = f"[{UPPER}]"
    if not pattern.startswith(capital):
        raise ValueError(f"not a pattern opening with a capital: {pattern[:40]}")
    # The capital just read is the "." of the lookbehind (a capital is never a newline).
    return f"{capital}(?<![{not_after}].){pattern[len(capital) :]}"


def literal_first(words: Sequence[str], not_after: str) -> str:
    r"""``(?<![not_after])(?:word|word...)`` for literal ``words``, written like
    ``capital_first`` so that it opens with the set of the words' first characters:
    the first character read is checked by a one-character lookbehind in each word
    ("(?<=H)(?:ealth|ousing|...)"), the words tried in the given order as before."""
    groups: dict[str, list[str]] = {}  # by first character, as ``by_first_letter``
    for word in words:
        groups.setdefault(re.escape(word[0]), []).append(re.escape(word[1:]))
    rest = "|".join(f"(?<={first})(?:{'|'.join(tails)})" for first, tails in groups.items())
    return f"[{''.join(groups)}](?<![{not_after}].)(?:{rest})"


def by_first_letter(alternatives: Sequence[str]) -> str:
    """``alt|alt|...`` with the alternatives that open with the same letter grouped
    under it ("b(?:aby|oy|rother)|..."), each group and each alternative in the order
    given: the same matches, but the re module tests one letter per group rather than
    one per alternative (a third faster on a list of 45 words at every word start).
    Every alternative must open with a plain letter."""
    groups: dict[str, list[str]] = {}
    for alternative in alternatives:
        if not alternative[:1].isalpha():
            raise ValueError(f"an alternative not opening with a letter: {alternative!r}")
        groups.setdefault(alternative[0], []).append(alternative[1:])
    return "|".join(
        f"{first}{rest[0]}" if len(rest) == 1 else f"{first}(?:{'|'.join(rest)})"
        for first, rest in groups.items()
    )


_CONNECTORS = frozenset({"of", "and", "for", "the", "&", "in", "to", "as", "on", "with"})
# Capitalised words in a row, with name particles between ("Siobhán Ní Bhriain").
NAME_RUN = re.compile(
    capital_first(
        rf"{WORD}(?:\s+(?:(?:Ní|Nic|Ó|de|van|von|der|da|di|du|la|le)\s+)?{WORD})*", r"\w’'-"
    )
)


def trim(text: str, start: int, end: int) -> tuple[int, int]:
    """Drop sentence openers ("In the ...") and a trailing connector from a name."""
    name = text[start:end]
    words = name.split()
    while words and (words[0] in NOT_NAME_START or words[0].lower() in ("of", "and", "the")):
        start = text.index(words[1], start + len(words[0])) if len(words) > 1 else end
        words = words[1:]
    while words and words[-1].lower() in _CONNECTORS:
        end = text.rindex(words[-1], start, end)
        end = len(text[:end].rstrip())
        words = words[:-1]
    return start, end


def label_votes(texts: Sequence[str], ents: Sequence[Ent]) -> dict[str, Counter[str]]:
    """How often the model gives each text each label in the document."""
    votes: dict[str, Counter[str]] = defaultdict(Counter)
    for e in ents:
        if e.source == "model":
            votes[texts[e.part][e.start : e.end]][e.label] += 1
    return votes


def labels_by_text(texts: Sequence[str], ents: Sequence[Ent]) -> dict[str, str]:
    return {text: c.most_common(1)[0][0] for text, c in label_votes(texts, ents).items()}


def person_tokens(texts: Sequence[str], ents: Sequence[Ent]) -> set[str]:
    """First names and surnames of the full names (two or more words) the model calls
    PERSON; not their particles ("Te" of "Aroha Te Rangi" is no name of a person)."""
    out: set[str] = set()
    for e in ents:
        if e.label == "PERSON":
            words = texts[e.part][e.start : e.end].split()
            if len(words) >= 2 and all(w[:1].isupper() for w in words):
                out.update(w for w in words if w.lower() not in PARTICLES)
    return out


def occurrences(text: str, name: str) -> list[tuple[int, int]]:
    r"""Where ``name`` stands as a whole word (not inside a word, a hyphenated one or
    after an apostrophe), left to right, not overlapping: what the regex
    ``(?<![\w’'-])name(?![\w-])`` finds, without compiling one per name (a document
    asks for hundreds, more than the re module's cache holds across documents)."""
    if not name:
        return [(m.start(), m.end()) for m in re.finditer(r"(?<![\w’'-])(?![\w-])", text)]
    out: list[tuple[int, int]] = []
    size, length = len(name), len(text)
    at = text.find(name)
    while at >= 0:
        end = at + size
        before = text[at - 1] if at else ""
        after = text[end] if end < length else ""
        if not (before and (before.isalnum() or before in "_’'-")) and not (
            after and (after.isalnum() or after in "_-")
        ):
            out.append((at, end))
            at = text.find(name, end)
        else:
            at = text.find(name, at + 1)
    return out


PARTICLES = frozenset("de van von der den da di du la le ní nic ó ni o bin ibn al el te".split())


# Letters that carry no combining accent to strip: "Łukasz" is written LUKASZ.
_LETTERS = str.maketrans(
    {"ł": "l", "ø": "o", "æ": "ae", "œ": "oe", "ß": "ss", "đ": "d", "þ": "th", "ı": "i"}
)


def fold(word: str) -> str:
    """Lower case without accents: a label written SIOBHAN matches "Siobhán"."""
    decomposed = unicodedata.normalize("NFKD", word.lower().translate(_LETTERS))
    return "".join(c for c in decomposed if not unicodedata.combining(c))


# A surname alone does not turn these into a person: "English" after "English Heritage".
NOT_PEOPLE = frozenset({"NORP"})


def relabel(
    ents: list[Ent],
    texts: Sequence[str],
    new: Ent,
    *,
    loose: bool = False,
    keep: frozenset[str] = frozenset(),
) -> list[Ent]:
    """Put ``new`` where a model span exactly on it (or nothing) is; never over another
    name, nor over a span labelled one of ``keep``. ``loose``: also over model spans
    inside or around it (the text says it is a person's name), and mark it as such
    (source "cue") for the surname rule."""
    kept: list[Ent] = []
    for e in ents:
        if e.part != new.part or e.end <= new.start or e.start >= new.end:
            kept.append(e)
            continue
        if e.source != "model" or e.label in keep:
            return ents
        if (e.start, e.end) != (new.start, new.end) and not loose:
            return ents
    text = texts[new.part]
    after = text[new.end : new.end + 30].split()
    if not loose and after and after[0][:1].isupper():
        return ents  # part of a longer name the model missed
    return [*kept, replace(new, source="cue") if loose else new]
