"""Label repairs of the small model's systematic errors, per document.

People (titles, kin words, apposition, self-introduction, names addressed, speaker
labels, a full name making a later surname alone the same person), organisations the
text describes, laws, places and nationalities from the packaged lexicons,
practitioners' shorthand that names nothing, and one label per name in a document.
Each rule was counted on the development set (``tests/tagsets/dev``) before it was
added; see README, Tags.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from dataclasses import replace

from pipeline.tag import lexicon
from pipeline.tag.names import (
    INTERVENTION,
    NAME,
    NAME_RUN,
    NOT_NAME_START,
    NOT_PEOPLE,
    PARTICLES,
    PERSON_NOUNS,
    UPPER,
    WHOLE_NAME,
    WHOLE_WORD,
    WORD,
    Ent,
    by_first_letter,
    capital_first,
    fold,
    label_votes,
    literal_first,
    occurrences,
    person_tokens,
    relabel,
    trim,
    words_after,
    words_before,
)
from pipeline.tag.rules import ORG_HEADS

# What may not stand before a word (``\b``) and before a name (``(?<![\w’'-])``), for
# the regexes written with ``capital_first`` and ``literal_first``.
_WORD_CHAR = r"\w"
_IN_WORD = r"\w’'-"

# Words that open a place name: "Glen Roy", "Loch Lomond", "Ben Nevis" (the small
# model calls them people or organisations: 5 of 5 in the development set; "Ben" is
# also a first name, "Ben Bernanke").
_PLACE_WORDS = frozenset("Glen Loch Mount Lake River Strath Cape Isle".split())
# Last words of buildings and streets, first words of named storms: the small model
# calls "Apsley House" and "Cyclone Gabrielle" people (3 in the development set).
_FAC_ENDS = dict.fromkeys(
    "House Street Road Lane Avenue Square Abbey Castle Cathedral Palace Bridge Tower Stadium".split(),
    "FAC",
)
# Last words of structures that no organisation's name ends in, unlike "House" (Random
# House), "Street" (Holles Street, a hospital) or "Palace" (Crystal Palace, a club): the
# small model calls "Battle Abbey" and "Thames Barrier" organisations (2 of 2 such ORG
# spans, in tests/tagsets/dev and tests/gold).
_STRUCTURE_ENDS = frozenset(
    "Abbey Cathedral Castle Tower Monument Barrier Dam Embankment Lighthouse Pier Viaduct"
    " Aqueduct".split()
)


# "X of ...", "X for ..." with X a word for a kind of organisation: 19 of the 19 such model
# spans in tests/tagsets/dev and tests/corpus are organisations ("University of
# Glasgow", "Bank of England", "Department for Education"); the model calls one of them,
# "Guild of St Luke", a work of art.


def _org_of(words: Sequence[str]) -> bool:
    return len(words) >= 3 and words[0] in _ORG_OPENERS and words[1] in ("of", "for")


# Last words of landforms and waters, which the small model calls organisations,
# buildings or places ("the Channel" ORG, "Thwaites Glacier" FAC, "the Highlands" GPE:
# in tests/tagsets/dev and tests/gold). Not words that end towns' names too ("Beverly
# Hills", "Gold Coast", "Cardiff Bay").
_LANDFORM_ENDS = frozenset(
    "Channel Glacier Glaciers Sea Ocean Firth Strait Straits Gulf Highlands Lowlands Fens"
    " Moors Estuary Peninsula Reef Archipelago".split()
)


def _landform(name: str) -> bool:
    """A name ending in a landform's or a water's word, itself no known town or country."""
    words = name.split()
    return bool(words) and words[-1] in _LANDFORM_ENDS and lexicon.places().get(name) is None


def _structure(words: Sequence[str]) -> bool:
    """Two or more words ending in a structure's word, none an organisation's word."""
    return len(words) >= 2 and words[-1] in _STRUCTURE_ENDS and not set(words) & _ORG_WORDS


_EVENT_OPENERS = dict.fromkeys("Cyclone Hurricane Storm Typhoon".split(), "EVENT")


# Words before a name that make it a person's: "a woman called Amal", "I'll call her
# Amal", "developed by Leah Kuypers".
# Roles of people at work and in families, as in "our interpreter, Rojin Dağ," and "the
# owner, Arnaud de Pontac,": after one, the small model called 4 of 9 names in the
# development sets an organisation, a place or a building (all 9 people).
_ROLE_NOUNS = frozenset(
    """therapist practitioner developer researcher graduate interpreter owner manager
    director founder editor coordinator mentor supervisor cousin niece nephew grandson
    granddaughter neighbour""".split()
)
_PEOPLE_WORDS = by_first_letter(sorted(PERSON_NOUNS | _ROLE_NOUNS))
# Particles inside a person's name: "Arnaud de Pontac", "Ursula von der Leyen".
_NAME_PARTICLE = r"(?:van\s+der|van\s+den|van|von|de\s+la|de|der|den|del|della|di|da|du|ter|ten)"
_PERSON_NAME = rf"{WORD}(?:\s+(?:{_NAME_PARTICLE}\s+)?{WORD}){{0,2}}"
_KIN_CUES = (
    # "my wife Funmilayo", "our colleague Zoë Marsh", "my wife, Marta."
    rf"\b(?:[Mm]y|[Oo]ur|[Hh]is|[Hh]er|[Tt]heir|[Yy]our)\s+(?:{_PEOPLE_WORDS})\s+"
    rf"(?P<kin>{WORD}(?:\s+{WORD}){{0,2}})"
    rf"|\b(?:[Mm]y|[Oo]ur|[Hh]is|[Hh]er|[Tt]heir|[Yy]our)\s+(?:{_PEOPLE_WORDS}),\s+"
    rf"(?P<told>{_PERSON_NAME})(?=[.;!?]|,?\s+(?:who|and|is|was|has|had|said|says|told)\b)"
    # "one of the nurses, Aoife, ...", "one of our graduates, Nguyễn Thu Hà, ..."
    rf"|\b(?:{_PEOPLE_WORDS})s?,\s+(?P<apposed>{_PERSON_NAME}),"
)
# A role just before a span: "his uncle, John Lane" is a person, not a street.
_ROLE_BEFORE = re.compile(rf"\b(?:{_PEOPLE_WORDS}),?\s+$")
_PERSON_CUE = re.compile(
    rf"(?:\b(?:{_PEOPLE_WORDS})\s+(?:called|named)|\bcall\s+(?:her|him|me)"
    # a name given to a person in a story: "A mum I'll call Ffion was admitted"
    rf"|\b(?:I['’]ll|I\s+will|[Ll]et['’]s)\s+call)"
    rf"\s+(?P<name>{WORD}(?:\s+{WORD}){{0,2}})"
    rf"|{_KIN_CUES}"
)
# The same where "call" and "named" do not occur (most paragraphs): only these cues can
# match there, and the regex without the others is a third faster.
_KIN_CUE = re.compile(_KIN_CUES)
# Words that make a capitalised run an organisation's name, not a person's.
_ORG_WORDS = frozenset(
    """Bank Brothers Group Trust Health Healthcare Services Service Council Company Partners
    Hospital Limited Ltd University College School Institute Society Foundation Centre
    Center Agency Network Rock Reserve Fund Board Office Association Church Club Press
    Times News Records Labs Systems Media Capital Holdings Inc Corporation Laboratory
    Laboratories Lab Museum Gallery Library Academy Academical Inspectorate Commission
    Committee Authority Ministry Department Partnership Alliance Federation Union Forum
    Consortium Observatory Studio Studios Airlines Airways Motors Marine Digital Learning
    Heritage Energy Pharmaceuticals Consulting Solutions Technologies Software Team
    Infirmary League Clinic Clinics Hospitals Hospice Coalition Collective Cooperative
    Co-operative Party Parliament Court Tribunal Police Constabulary Army Navy Charity
    Charities Bureau Secretariat Directorate Insurance Industries Enterprises Ventures
    Logistics Supermarkets Railway Railways Telecom Broadcasting Gazette Herald Telegraph
    Chronicle Tribune Magazine Plc PLC LLC LLP GmbH Fellowship Brigade Corps""".split()
)
# The last lines: generic heads of organisations' names in English (a hospital, a
# league, a party, a court, a company's legal form, a newspaper's title word), added
# after a batch written apart from the tagger (tests/tagsets/dev3) showed the small
# model's ORG "Leeds General Infirmary" and "La Leche League" turned into people.


# Words that open an organisation's name before "of" or "for" (see ``_org_of``).
_ORG_OPENERS = _ORG_WORDS | {h.capitalize() for h in ORG_HEADS} | {"Guild", "Guilds"}


def repair_people(texts: Sequence[str], ents: list[Ent], speakers: frozenset[str]) -> list[Ent]:
    """Repairs for people, in order:

    - a name the text introduces as a person's ("a woman called Amal", "my wife
      Funmilayo", "one of the nurses, Aoife,", "I'm Adebayo Ogunleye"), a name after a
      title ("Professor Siobhán Ní Bhriain"), a speaker's name ("Zofia" where a label
      says ZOFIA KOWALSKA) and a name addressed ("Thanks, Aoife.") is PERSON;
    - a two- or three-word model ORG that reads as a person's name, after "called",
      "named" or "by", before ", a/an ..." or before a verb in -ed ("Tony Hoare
      introduced"), is PERSON;
    - a common first name alone that the model calls ORG is PERSON, and a "person"
      ending in an organisation word ORG ("English Heritage");
    - a full name seen once makes a later surname or first name alone the same PERSON,
      and a model ORG ending in a known surname ("Graydon Hoare") PERSON.
    """
    out = ents
    for part, text in enumerate(texts):
        cue = _PERSON_CUE if "call" in text or "named" in text else _KIN_CUE
        for m in cue.finditer(text):
            groups = m.groupdict()
            group = next(g for g in ("name", "kin", "told", "apposed") if groups.get(g))
            start, end = _after_title(text, *m.span(group))
            name = text[start:end]
            if start >= end or name.endswith(("'s", "’s")) or set(name.split()) & _ORG_WORDS:
                continue  # "my partner, Barnardo's, ...", "our partner, Leeds City Council"
            out = relabel(out, texts, Ent(part, start, end, "PERSON"), loose=True)
        mine = [e for e in out if e.part == part and e.source == "model"]
        for start, end in _born(text, mine):
            out = relabel(out, texts, Ent(part, start, end, "PERSON"), loose=True)
        for start, end in _named_people(text, mine, speakers):
            out = relabel(out, texts, Ent(part, start, end, "PERSON"), loose=True)
    fixed: list[Ent] = []
    for e in out:
        if e.source == "model" and e.label == "ORG" and _reads_as_person(texts[e.part], e):
            e = replace(e, label="PERSON")
        elif e.source == "model" and e.label == "ORG" and _first_name_alone(texts[e.part], e):
            e = replace(e, label="PERSON")  # "Riley", a child the model calls ORG
        elif e.source == "model" and e.label == "PERSON" and _org_name(texts[e.part], e):
            e = replace(e, label="ORG")  # "English Heritage", "Harakeke Digital"
        fixed.append(e)
    out = _listed_with_people(texts, fixed)
    tokens: set[str] = set()
    placed: set[str] = set()  # first names that are places too: not after "in", "to"...
    for e in out:
        if e.label == "PERSON":
            words = texts[e.part][e.start : e.end].split()
            # Particles count as part of the name: "Cornelis Hofstede de Groot".
            full = (
                len(words) >= 2
                and words[-1][:1].isupper()
                and all(w[:1].isupper() or w in PARTICLES for w in words)
            )
            if full and words[0] not in _PLACE_WORDS:
                # First name and surname, not the words between ("Preston North End"),
                # and a place name only as the surname after a known first name.
                first = words[0] in lexicon.first_names()
                for w, last in ((words[0], False), (words[-1], True)):
                    if _name_word(w) and (w not in lexicon.places() or (last and first)):
                        tokens.add(w)
                    elif not last and first and _town_too(w) and words[-1] not in lexicon.places():
                        placed.add(w)  # "Marion Kowalczyk", "Florence Nightingale"
            elif len(words) == 1 and e.source == "cue":
                tokens.add(words[0])
    # Surnames the model calls a person alone: "Vermeer" makes "Johannes Vermeer",
    # which it calls a place, a person (1 such name in the development set).
    alone = {
        texts[e.part][e.start : e.end]
        for e in out
        if e.label == "PERSON" and e.source == "model" and " " not in texts[e.part][e.start : e.end]
    }
    fixed = []
    for e in out:
        words = texts[e.part][e.start : e.end].split()
        org = e.source == "model" and e.label == "ORG" and len(words) in (2, 3)
        if org and words[-1] in tokens and not set(words) & _ORG_WORDS:
            e = replace(e, label="PERSON")
        elif e.source == "model" and e.label in ("LOC", "GPE", "FAC") and len(words) in (2, 3):
            named = all(w[:1].isupper() and w.isalpha() for w in words) and words[-1] in alone
            if named and words[0] not in _PLACE_WORDS and not set(words) & _ORG_WORDS:
                e = replace(e, label="PERSON")
        fixed.append(e)
    out = fixed
    # (``in`` first: a name word is in few of the document's paragraphs.)
    for token in sorted(tokens - _town_readings(texts, out, tokens)):
        for part, text in enumerate(texts):
            for start, end in occurrences(text, token) if token in text else ():
                out = relabel(out, texts, Ent(part, start, end, "PERSON"), keep=NOT_PEOPLE)
    # A first name that is a place too ("Marion", "Jordan", "Florence"), after a full name
    # of it: the person, alone, except after "in", "from", "near"... (the place).
    for token in sorted(placed - tokens):
        for part, text in enumerate(texts):
            for start, end in occurrences(text, token) if token in text else ():
                if not _in_place(text, start):
                    out = relabel(out, texts, Ent(part, start, end, "PERSON"), keep=NOT_PEOPLE)
    tokens |= placed
    # A one-word "person" after "in", "to", "from", "at" or "near" that no full name in
    # the document explains is a place ("moved from Porto", "to Glasgow", "in Exeter":
    # 4 of 4 such spans in tests/tagsets/dev and tests/gold; "to Tony" after "Tony
    # Hoare" stays a person).
    fixed = []
    for e in out:
        word = texts[e.part][e.start : e.end]
        if e.source == "model" and e.label == "PERSON" and " " not in word and word not in tokens:
            before = words_before(texts[e.part], e.start)
            if before and before[0] in ("in", "to", "from", "at", "near"):
                e = replace(e, label="GPE")
        fixed.append(e)
    out = _join_particle_names(texts, fixed)
    return [replace(e, source="model") if e.source == "cue" else e for e in out]


# ", " or " and " between two names: a list of people ("two support workers, Shabana
# Iqbal and Kasia Nowak", "Milk Mates, Nadia and Joy Okafor", "Kwame, Jordan and
# Marion"); the small model calls one of them an organisation or a place.
_LIST_GAP = re.compile(r"(?:,\s*|\s+and\s+)")
_LISTED_FROM = frozenset({"ORG", "GPE", "LOC", "FAC", "NORP"})


def _person_like(name: str) -> bool:
    """One or two capitalised words in letters only, no organisation word, and no known
    place's word first unless a common first name ("Jordan", "Marion")."""
    words = name.split()
    if len(words) > 2 or set(words) & _ORG_WORDS:
        return False
    if not all(w[:1].isupper() and w[1:].islower() and w.isalpha() for w in words):
        return False
    # Not a place's name, nor one made on a place's ("Nottingham Forest"), unless the
    # first word is a common first name too.
    return words[0] not in lexicon.places() or words[0] in lexicon.first_names()


def _listed_with_people(texts: Sequence[str], ents: list[Ent]) -> list[Ent]:
    """A model span listed next to a person (", " or " and " between them, in either
    order) that reads as a name (``_person_like``) is a person too; the list is read from
    left to right, so that a name made a person makes the next one a person. Not next to
    a "person" that is a known place ("Leicester, Derby and Nottingham") or a possessive
    ("Colourful Semantics, Alison Bryan's approach"), nor after ", and", which joins
    clauses ("in the Baltic, and Kjærgaard found")."""
    order = sorted(range(len(ents)), key=lambda i: (ents[i].part, ents[i].start))
    out = list(ents)
    for k, i in enumerate(order):
        e = out[i]
        if e.source != "model" or e.label not in _LISTED_FROM:
            continue
        text = texts[e.part]
        neighbours = [
            j
            for j in (order[k - 1] if k else None, order[k + 1] if k + 1 < len(order) else None)
            if j is not None and out[j].part == e.part and out[j].label == "PERSON"
        ]  # tested first: most spans have no person next to them
        if not neighbours:
            continue
        if text[e.end : e.end + 2] in ("'s", "’s") or not _person_like(text[e.start : e.end]):
            continue
        for j in neighbours:
            person = text[out[j].start : out[j].end]
            place = person in lexicon.places() and person not in lexicon.first_names()
            if place or text[out[j].end : out[j].end + 2] in ("'s", "’s"):
                continue  # "Leicester, Derby and Nottingham" (PERSON); "Alison Bryan's"
            left, right = (out[j], e) if out[j].start < e.start else (e, out[j])
            gap = _LIST_GAP.fullmatch(text, left.end, right.start)
            if gap is not None:
                out[i] = replace(e, label="PERSON")
                break
    return out


# Particles inside a person's name, and "the" before an epithet: the small model cuts
# such names at the particle ("Han" NORP + "Meegeren" PERSON, "Anna Maria" + "della
# Pietà" ORG, "Edward" + "the Confessor" ORG: 3 of 3 such names in 3 development files).
_PARTICLE_AFTER = re.compile(rf"\s+{_NAME_PARTICLE}\s+{WORD}(?:\s+{WORD})?")
_PARTICLE_BEFORE = re.compile(rf"(?<![\w’'-]){WORD}(?:\s+{WORD}){{0,2}}\s+{_NAME_PARTICLE}\s+$")
_EPITHET_AFTER = re.compile(rf"\s+the\s+(?P<epithet>{WORD})(?!\s+{WORD})")


def _join_particle_names(texts: Sequence[str], ents: list[Ent]) -> list[Ent]:
    """A model PERSON with a particle and a capitalised name after or before it is one
    person ("Han van Meegeren", "Anna Maria della Pietà"), and so is a first name the
    model calls PERSON with "the" and an epithet after it ("Edward the Confessor"), the
    epithet no place or people ("Harold the Saxon" is not joined)."""
    spans: list[tuple[int, int, int]] = []
    for e in ents:
        if e.label != "PERSON" or e.source != "model":
            continue
        text = texts[e.part]
        start, end = e.start, e.end
        after = _PARTICLE_AFTER.match(text, e.end)
        if after:
            end = after.end()
        before = _PARTICLE_BEFORE.search(text, max(0, e.start - 80), e.start)
        if before:
            start = trim(text, before.start(), e.end)[0]
        if text[end - 2 : end] in ("'s", "’s"):
            end -= 2
        if (start, end) != (e.start, e.end):
            spans.append((e.part, start, end))
            continue
        epithet = _EPITHET_AFTER.match(text, e.end)
        if epithet and text[e.start : e.end] in lexicon.first_names():
            word = epithet.group("epithet")
            end = epithet.end()
            if word.endswith(("'s", "’s")):
                word, end = word[:-2], end - 2
            if word not in lexicon.places() and word not in NORP_WORDS:
                spans.append((e.part, e.start, end))
    out = ents
    for part, start, end in spans:
        out = relabel(out, texts, Ent(part, start, end, "PERSON"), loose=True)
    return out


# "was born", "were born" after a name: people are born, and the small model calls a
# baby's or a child's unusual name an organisation ("Zofia and Tomasz were born": 4
# spans, one of them a name the model missed). Not "the NHS was born in 1948".
_BORN = re.compile(
    rf"(?<![\w’'-])(?P<one>{WORD}(?:\s+{WORD})?)(?:\s+and\s+(?P<two>{WORD}(?:\s+{WORD})?))?"
    r"\s+(?:was|were)\s+born\b"
)
_PRONOUNS = frozenset("He She They We I You Who It This That Everyone Everybody".split())


def _born(text: str, ents: Sequence[Ent]) -> Iterator[tuple[int, int]]:
    """The names before "was born" or "were born" that the model found as a span or that
    are common first names, and the name joined to one of them by "and"."""
    if " born" not in text:
        return
    for m in _BORN.finditer(text):
        names = [m.span(g) for g in ("one", "two") if m.group(g)]
        if words_before(text, m.start()) in (["the"], ["The"]):
            continue
        good: list[bool] = []
        for start, end in names:
            words = text[start:end].split()
            if words[0] in _PRONOUNS or words[0] in NOT_NAME_START or text[start:end].isupper():
                good = []
                break
            found = any((e.start, e.end) == (start, end) for e in ents)
            good.append(found or words[0] in lexicon.first_names())
        if any(good) and not set(text[m.start() : m.end()].split()) & _ORG_WORDS:
            yield from names


def _name_word(word: str) -> bool:
    """A first name or a surname to find alone elsewhere: three letters or more, or two
    that are a capital and a small letter and no title, particle or common word ("Hà",
    "Li", "Wu" of "Nguyễn Thu Hà", "Li Wei"; 3 spans in 2 development files), not "St"."""
    if len(word) > 2:
        return True
    return (
        len(word) == 2
        and word[0].isupper()
        and word[1].islower()
        and word.isalpha()
        and word not in NOT_NAME_START
        and word.lower() not in PARTICLES
        and word not in _SHORT_NOT_NAMES
    )


# Two-letter titles, abbreviations, fillers and English words: never found alone as a
# name, even when a full name holds one ("He Jiankui" must not make every "He" a person).
_SHORT_NOT_NAMES = frozenset(
    """St Dr Mr Ms Jr Sr Co Mt Ft Pt No Oh Ok Ah Eh Um Er Uh Hm Is Be Do Go So To Up He
    Me My Us We Hi Ha Am An As At By If In It Of On Or Ye Yo Lo""".split()
)


# Words of speaker labels that are roles or titles, not names.
_ROLES = frozenset(
    """chair chairperson interviewer interviewee host presenter moderator narrator student
    audience member speaker voice voiceover over guest panellist panelist participant
    respondent question answer q a professor prof dr doctor mr mrs ms miss sir dame lord
    lady sister nurse midwife captain rev reverend father mother woman man child parent
    teacher lecturer tutor facilitator""".split()
)
# Titles before a person's name ("Professor Siobhán Ní Bhriain", "Bishop Odo").
_TITLE_WORDS = """Dr Doctor Professor Prof Mr Mrs Ms Miss Sister Sir Dame Bishop Captain Judge
    Reverend Rev King Queen Prince Princess Emperor Pope""".split()
_PERSON_TITLE = re.compile(
    rf"{literal_first(_TITLE_WORDS, _WORD_CHAR)}\.?\s+"
    rf"(?P<name>{WORD}(?:\s+(?:(?:de|van|von|der|den|da|di|du|la|le|ní|nic|ó|bin|ibn)\s+)?{WORD}){{0,3}})"
)
# A name addressed: "Thanks, Aoife." / "Zofia, what do you think?"
_ADDRESS = re.compile(
    rf"(?:\b(?:Thanks|Thank\s+you|Hi|Hello|Welcome|Morning|Cheers),?\s+(?P<thanked>{WORD})[,.!?]"
    rf"|(?:^|[.!?]\s+)(?P<asked>{WORD}),\s+[^.!?]*\?)"
)
# Who a question, a comment or a message comes from is a person ("a question in the
# chat from Zoë in Tauranga", "one last question, from Harpreet": the small model reads
# "from" as a place's and calls both places, 2 of 2 in the development set, one file);
# not a known place, an acronym or a name with an organisation word, nor a name the
# model calls anything but a place or a person ("a letter from Ofsted").
_SENDER = re.compile(
    r"\b(?:question|questions|comment|comments|message|messages|email|emails|text|texts)"
    r"(?:\s+(?:(?:in|from|on)\s+the\s+(?:chat|line|phone)|here|now))?,?"
    rf"\s+from\s+(?P<name>{WORD}(?:\s+{WORD})?)"
)
# Words one of which ``_SENDER`` and ``_ADDRESS`` need (the question of ``_ADDRESS``
# needs a "?"): tested first, as most paragraphs have none.
_SENT = ("question", "comment", "message", "email", "text")
# The words of a name thanked, then the comma or the space after them.
_GREETING = re.compile(
    literal_first(("Thanks", "Thank", "Hi", "Hello", "Welcome", "Morning", "Cheers"), _WORD_CHAR)
    + r"[,\s]"
)
# A speaker introducing themselves: "I'm Adebayo Ogunleye", "My name's Zoë Abernethy".
_INTRODUCED = re.compile(
    rf"\b(?:I'm|I’m|I am|[Mm]y name is|[Mm]y name's|[Mm]y name’s)\s+"
    rf"(?P<name>{WORD}(?:\s+(?:(?:de|van|von|ní|nic|ó|te)\s+)?{WORD}){{0,2}})"
)


def speaker_names(speakers: Sequence[str]) -> frozenset[str]:
    """The name words of speaker labels, folded ("DR SIOBHAN NI BHRIAIN" gives
    "siobhan" and "bhriain"); roles such as CHAIR give none."""
    out: set[str] = set()
    for label in speakers:
        for word in re.findall(r"[^\W\d_][\w'’-]*", label):
            folded = fold(word)
            if folded not in _ROLES and folded not in PARTICLES and len(folded) > 1:
                out.add(folded)
    return frozenset(out)


def _after_title(text: str, start: int, end: int) -> tuple[int, int]:
    """Without a leading title: "Łukasz Wiśniewski" of "Dr Łukasz Wiśniewski"."""
    m = re.match(
        r"(?:(?:Dr|Doctor|Professor|Prof|Mr|Mrs|Ms|Miss|Sir|Dame)\.?\s+)+", text[start:end]
    )
    return (start + m.end(), end) if m else (start, end)


def _named_people(
    text: str, ents: Sequence[Ent], speakers: frozenset[str]
) -> Iterator[tuple[int, int]]:
    """Spans the text itself marks as people's names: after a title, a speaker's name,
    a name addressed."""
    for m in _PERSON_TITLE.finditer(text):
        name = m.group("name")
        if not set(name.split()) & _ORG_WORDS and not name.endswith(("'s", "’s")):
            yield m.span("name")
    introduced = "I'm" in text or "I’m" in text or "I am" in text or "y name" in text
    for m in _INTRODUCED.finditer(text) if introduced else ():
        start, end = m.span("name")
        words = text[start:end].split()
        named = any(e.start == start and e.end == end and e.label != "NORP" for e in ents)
        if named or len(words) >= 2 or words[0] in lexicon.first_names():
            yield start, end
    sender = "from" in text and any(w in text for w in _SENT)
    for m in _SENDER.finditer(text) if sender else ():
        start, end = m.span("name")
        name = text[start:end]
        if name in lexicon.places() or name.isupper() or set(name.split()) & _ORG_WORDS:
            continue  # "a question from Tauranga", "an email from NHS England"
        if not any(
            e.start < end and start < e.end and e.label not in ("GPE", "PERSON") for e in ents
        ):
            yield start, end
    address = "?" in text or _GREETING.search(text) is not None
    for m in _ADDRESS.finditer(text) if address else ():
        group = "thanked" if m.group("thanked") else "asked"
        start, end = m.span(group)
        word = text[start:end]
        # Only a word the model took for a name, or a known first name: "Finally, ...?"
        # and "Sorry, ...?" open questions too.
        named = any(e.start == start and e.end == end for e in ents)
        if (named or word in lexicon.first_names()) and word not in lexicon.places():
            yield start, end
    if speakers:
        for m in NAME_RUN.finditer(text):
            yield from _speaker_runs(text, m.start(), m.end(), speakers)


_NAME_WORD = re.compile(r"[^\W\d_]+(?:[-'’][^\W\d_]+)*(?<!['’]s)")


def _speaker_runs(
    text: str, start: int, end: int, speakers: frozenset[str]
) -> Iterator[tuple[int, int]]:
    """The stretches of a run of capitalised words made of speakers' name words:
    "Adebayo Ogunleye" in "I'm Adebayo Ogunleye"."""
    run: tuple[int, int] | None = None
    gap = 0  # words since the run's last name word: a particle, or one other name
    for w in _NAME_WORD.finditer(text[start:end]):
        folded = fold(w.group())
        if folded in speakers:
            at = (start + w.start(), start + w.end())
            run, gap = ((run[0], at[1]) if run else at), 0
        elif run and gap == 0:
            gap = 1  # "Nguyễn Thị Mai", "Aroha Te Rangi"
        elif run:
            yield run
            run, gap = None, 0
    if run:
        yield run


# Last words of place names that open with a first name ("Carson City", "Victoria Falls").
_PLACE_ENDS = frozenset(
    "City Town County Borough Island Islands Bay Beach Falls Springs Heights Park Hills Valley".split()
)


def _first_name_alone(text: str, e: Ent) -> bool:
    """A first name alone, not "King" of "King's" (a college) nor a place."""
    word = text[e.start : e.end]
    if text[e.end : e.end + 2] in ("'s", "’s"):
        return False
    return word in lexicon.first_names() and not word.isupper() and word not in lexicon.places()


# Last words of sports clubs' names after a town's ("Nottingham Forest", "Preston North
# End", "Leicester City", "Ipswich Town"; the small model calls them people: 2 of 2 in
# the development set, one file).
_CLUB_ENDS = frozenset(
    """United City Town Rovers Rangers Athletic Albion Wanderers Forest Hotspur Academical
    Argyle Harriers Thistle FC AFC""".split()
)


def _org_name(text: str, e: Ent) -> bool:
    """A "person" whose last word names a kind of organisation: 6 of 6 such model
    PERSON spans in the development sets are organisations; and a "person" made of a
    known place and a sports club's last word(s), itself no known place ("Mexico City")."""
    words = text[e.start : e.end].split()
    if len(words) >= 2 and words[-1] in _ORG_WORDS:
        return True
    club = words[-1] in _CLUB_ENDS or words[-2:] == ["North", "End"]
    return (
        club
        and len(words) >= 2
        and words[0] in lexicon.places()
        and text[e.start : e.end] not in lexicon.places()
    )


_WHO_AFTER = re.compile(r",\s+who(?:['’]d|['’]s)?\s")


def _reads_as_person(text: str, e: Ent) -> bool:
    words = text[e.start : e.end].split()
    if len(words) not in (2, 3) or set(words) & _ORG_WORDS:
        return False
    if not all(w[:1].isupper() and w[1:].islower() and w.isalpha() for w in words):
        return False
    before = words_before(text, e.start)
    after = text[e.end : e.end + 40]
    cue_before = bool(before) and before[0].lower() in ("called", "named", "by")
    apposition = re.match(r",\s+(?:a|an)\s+[a-z]", after) is not None
    # ", who" after two or three capitalised words is a person's name in 36 of 40 cases
    # in tests/tagsets/dev and dev3 ("we hired Wanjiru Kamau, who'd run ..."); the other
    # four are a club, a region, a university and an orchestra ("Lincoln City, who"):
    # not with a place's word.
    who = (
        _WHO_AFTER.match(after) is not None
        and words[-1] not in _CLUB_ENDS | _PLACE_ENDS
        and not any(w in lexicon.places() for w in words)
    )
    verb = re.match(r"\s+[a-z]+ed\b", after) is not None
    # A common first name and a surname that is not a place: "Marc Morris".
    first = words[0] in lexicon.first_names() and words[-1] not in _PLACE_ENDS
    return cue_before or apposition or who or verb or first


# Software, platforms and programming languages the small model calls people,
# organisations or places (7 of 7 such spans in the development set: WhatsApp,
# Android twice, Chrome, Firefox, Valgrind, C++). Companies (Google, Apple) stay ORG.
PRODUCTS = frozenset(
    """WhatsApp Facebook Instagram TikTok YouTube Zoom Skype Slack Android iOS iPhone iPad
    Chrome Firefox Safari Linux Windows GitHub Python Java JavaScript TypeScript C++ C#
    Rust Haskell Excel PowerPoint Valgrind""".split()
)


_PRODUCT_RE = re.compile(
    literal_first(sorted(PRODUCTS, key=len, reverse=True), _IN_WORD) + r"(?![\w+#-])"
)


# Nationalities, peoples and groups (NORP) that the small model calls organisations,
# people or places ("Norse", "Aboriginal", "First Nations", "Pākehā" ORG; "Bangladeshi"
# PERSON: 6 in the development set).
NORP_WORDS = frozenset(
    """Afghan Albanian Algerian American Angolan Argentine Argentinian Armenian Australian
    Austrian Azerbaijani Bangladeshi Belarusian Belgian Bengali Bolivian Bosnian Brazilian
    British Bulgarian Burmese Cambodian Cameroonian Canadian Chilean Chinese Colombian
    Congolese Croatian Cuban Cypriot Czech Danish Dominican Dutch Ecuadorian Egyptian
    English Eritrean Estonian Ethiopian Fijian Filipino Finnish French Gambian Georgian
    German Ghanaian Greek Guatemalan Guinean Haitian Honduran Hungarian Icelandic Indian
    Indonesian Iranian Iraqi Irish Israeli Italian Ivorian Jamaican Japanese Jordanian
    Kazakh Kenyan Korean Kosovan Kurdish Kuwaiti Lao Latvian Lebanese Liberian Libyan
    Lithuanian Malawian Malaysian Maltese Mexican Moldovan Mongolian Montenegrin Moroccan
    Mozambican Namibian Nepalese Nepali Nigerian Norwegian Omani Pakistani Palestinian
    Panamanian Peruvian Polish Portuguese Qatari Romanian Russian Rwandan Samoan Saudi
    Scottish Senegalese Serbian Singaporean Slovak Slovenian Somali Spanish
    Sudanese Swedish Swiss Syrian Taiwanese Tajik Tanzanian Thai Tibetan Tongan Tunisian
    Turkish Ugandan Ukrainian Uruguayan Uzbek Venezuelan Vietnamese Welsh Yemeni Zambian
    Zimbabwean Arab Asian African European Latino Latina Hispanic Caribbean Nordic Norse
    Celtic Gaelic Anglo-Saxon Viking Vikings Norman Normans Saxon Saxons Roman Romans
    Aboriginal Indigenous Māori Maori Pākehā Pakeha Inuit Métis Metis Sámi Roma Romani
    Traveller Travellers Punjabi Sikh Hindu Muslim Jewish Catholic Protestant
    Buddhist Pasifika Polynesian Melanesian""".split()
) | frozenset(
    {"First Nations", "Torres Strait Islander", "Pacific Islander", "Sri Lankan", "Sierra Leonean"}
)
_NOT_NORP_LABELS = frozenset({"ORG", "PERSON", "GPE", "PRODUCT", "LOC"})


# Labels the small model gives place names by mistake ("Glasgow" PERSON, "Sandwell" ORG,
# "Morecambe" LOC); a span with one of them whose whole text is a known place is one.
_NOT_PLACE_LABELS = frozenset({"PERSON", "ORG", "FAC", "LOC", "PRODUCT", "WORK_OF_ART"})
_LOCATIVE = frozenset("in to from at near around across outside into".split())


def _norp(e: Ent, text: str, part: str) -> bool:
    """A nationality or a people the model labelled otherwise; not "Norman" as a PERSON
    (a first name too), unless it is used as an adjective: after an article or a
    possessive and before a word in lower case ("a Norman monastery"; a first name
    never stands there)."""
    if e.source != "model" or e.label not in _NOT_NORP_LABELS or text not in NORP_WORDS:
        return False
    if e.label == "PERSON" and text in lexicon.first_names():
        before = words_before(part, e.start)
        after = words_after(part, e.end)
        return (
            bool(before)
            and before[0].lower() in _ADJECTIVE_BEFORE
            and bool(after)
            and after[0][:1].islower()
        )
    return True


# "a Gamilaraay woman", "a Ngāti Porou man", "a Cree family": a people's name before
# a noun for people, after "a", is the people's (NORP), not an organisation's or a
# person's (1 such model ORG in the development set, the only such phrase there).
_PEOPLE_AFTER = re.compile(
    r"\s+(?:woman|man|elder|girl|boy|family|mother|father|grandmother|grandfather)\b"
)


def _people_of(text: str, e: Ent) -> bool:
    """A one- or two-word model span after "a"/"an" and before a noun for a person,
    not a known place ("a Glasgow woman") nor a first name. A party's or a union's name
    can stand there too ("a Labour man"): the nouns are kin and identity words only."""
    name = text[e.start : e.end]
    if len(name.split()) > 2 or name in lexicon.places() or name in lexicon.first_names():
        return False
    before = words_before(text, e.start)
    return before in (["a"], ["an"]) and _PEOPLE_AFTER.match(text, e.end) is not None


# Languages. A language's name where the text uses it as a language is not annotated
# ("speaks Urdu and Punjabi", "in Punjabi", "they speak between them Welsh, Arabic,
# Tigrinya and Polish"; tests/tagsets/README.md, NORP); the small model calls such names
# places, organisations, people or nationalities (14 spans in 3 files of
# tests/tagsets/dev3: "Urdu" GPE, "Hausa" ORG, "Igbo" PERSON, "Nigerian Pidgin" ORG).
LANGUAGES = frozenset(
    """Urdu Punjabi Hindi Bengali Gujarati Tamil Telugu Marathi Sinhala Nepali Pashto Dari
    Farsi Persian Kurdish Arabic Hebrew Turkish Tigrinya Amharic Somali Oromo Swahili Hausa
    Igbo Yoruba Twi Akan Zulu Xhosa Afrikaans Lingala Shona Mandarin Cantonese Chinese
    Japanese Korean Vietnamese Thai Tagalog Malay Indonesian English French Spanish
    Portuguese Italian German Dutch Polish Czech Slovak Romanian Bulgarian Hungarian
    Ukrainian Russian Lithuanian Latvian Estonian Albanian Greek Welsh Gaelic Irish Scots
    Cornish Latin Māori Maori Samoan Tongan Romani Pidgin Creole Patois""".split()
)
_LANGUAGE = "|".join(sorted(LANGUAGES, key=len, reverse=True))
_LANGUAGE_ITEM = (
    rf"(?:(?:{'|'.join(sorted(NORP_WORDS, key=len, reverse=True))})\s+)?(?:{_LANGUAGE})"
)
_LANGUAGE_RUN = re.compile(
    rf"(?<![\w’'-]){_LANGUAGE_ITEM}(?:(?:,\s*|,?\s+(?:and|or)\s+){_LANGUAGE_ITEM})*(?![\w’'-])"
)
# Before a language: a verb of speaking a few words back, or "in"/"into" just before.
_SPEAK_BEFORE = re.compile(
    r"(?:\b(?:speak|speaks|spoke|spoken|speaking|speakers?)\b[^.,;:!?]{0,25}|\b(?:in|into)\s+)$"
)
# Words that may follow a language after "in" ("in Punjabi at home"); any other word in
# lower case makes it an adjective ("in Polish families").
_AFTER_LANGUAGE = frozenset(
    "and or at with to too as for but so because when while now instead than then is was"
    " are were on from by if".split()
)


def _language_runs(text: str) -> list[tuple[int, int]]:
    """Stretches of the paragraph that name languages used as languages."""
    runs = []
    for m in _LANGUAGE_RUN.finditer(text):
        before = _SPEAK_BEFORE.search(text, max(0, m.start() - 40), m.start())
        if before is None:
            continue
        after = text[m.end() :].split(maxsplit=1)[:1]
        spoken = before.group().split()[0] not in ("in", "into")
        if spoken or not after or not after[0][:1].islower() or after[0] in _AFTER_LANGUAGE:
            runs.append(m.span())
    return runs


def _last_word(texts: Sequence[str], e: Ent) -> str:
    words = texts[e.part][e.start : e.end].rsplit(None, 1)
    return words[-1] if words else ""


def _languages(texts: Sequence[str], ents: list[Ent]) -> list[Ent]:
    """Drop model spans on languages used as languages (see ``LANGUAGES``), reading only
    the paragraphs with a model span that ends in a language's name (most documents
    have none)."""
    candidates = {e.part for e in ents if e.source == "model" and _last_word(texts, e) in LANGUAGES}
    if not candidates:
        return ents
    runs = {part: _language_runs(texts[part]) for part in candidates}
    return [
        e
        for e in ents
        if e.part not in runs
        or e.source != "model"
        or not any(s <= e.start and e.end <= t for s, t in runs[e.part])
    ]


# Greetings in other languages that open talks given in English, which the small model
# takes for names ("Kia ora" PERSON twice in one development file).
_GREETINGS = re.compile(
    r"(?:Kia\s+ora(?:na)?|Tēnā\s+(?:koutou|koe|kōrua)|Mōrena|Talofa(?:\s+lava)?"
    r"|Mālō\s+e\s+lelei|Bula(?:\s+vinaka)?|Namaste|Assalamu\s+alaikum|Salaam|Shalom"
    r"|Aloha|Dia\s+dhuit|Sawubona|Sannu|Jambo|Habari|Diolch(?:\s+yn\s+fawr)?|Croeso"
    r"|Shwmae)(?![\w’'-])"
)


def _greeting(text: str, e: Ent) -> bool:
    """The model span lies inside a greeting in another language."""
    m = _GREETINGS.match(text, e.start)
    return m is not None and e.end <= m.end()


# Words before a nationality used as an adjective ("a Norman monastery", "their
# Norman lords"): 1 such model PERSON in the development set.
_ADJECTIVE_BEFORE = frozenset("a an the this that these those his her their its our".split())


def _known_place(texts: Sequence[str], e: Ent, people: set[str]) -> str | None:
    """GPE (or LOC for a continent) if the model span names a known place, else None.

    Not where the document uses the word in a person's full name ("Tony Preston"), and
    a common first name ("Florence", "Jordan") only after "in", "from", "to"...
    """
    if e.source != "model" or e.label not in _NOT_PLACE_LABELS:
        return None
    text = texts[e.part][e.start : e.end]
    kind = lexicon.places().get(text)
    if kind is None or set(text.split()) & people:
        return None
    if e.label == "PERSON" and text in lexicon.first_names():
        before = words_before(texts[e.part], e.start)
        if not before or before[0].lower() not in _LOCATIVE:
            return None
    label = "LOC" if kind == "continent" else "GPE"
    return None if label == e.label else label


def one_label_per_name(texts: Sequence[str], ents: list[Ent]) -> list[Ent]:
    """One label per name in a document: where the model labels the same text in
    different ways, its most frequent label (a tie keeps each as it is)."""
    winner: dict[str, str] = {}
    for text, counts in label_votes(texts, ents).items():
        ranked = counts.most_common(2)
        if len(ranked) == 2 and ranked[0][1] > ranked[1][1]:
            winner[text] = ranked[0][0]
    if not winner:
        return ents
    out = []
    for e in ents:
        label = winner.get(texts[e.part][e.start : e.end]) if e.source == "model" else None
        if label == "PERSON" and e.label == "GPE" and _in_place(texts[e.part], e.start):
            label = None  # "grew up in Marion, Ohio" after "Marion Kowalczyk"
        out.append(replace(e, label=label) if label else e)
    return out


# Words that end the name of a law, a treaty or a rule book ("NIS2 Directive", "Paris
# Agreement", "Profitability and Sustainability Rules"); "Bill" opens one ("Bill C-92").
_LAW_ENDS = frozenset(
    "Act Acts Directive Regulation Regulations Rules Treaty Convention Agreement Accord"
    " Protocol Charter Constitution Amendment Statute Ordinance".split()
)
_NOT_LAW = frozenset({"ORG", "PERSON", "WORK_OF_ART", "EVENT", "PRODUCT", "FAC", "GPE"})
_ROMAN = re.compile(r"^(?:I{1,3}|IV|V|VI{1,3}|IX|X{1,2}|XI{1,3}|XIV|XV|XVI{1,3})$")


# The name of an Act, with its year: "the Children and Families Act 2014", "the SEND Code
# of Practice". The model misses or cuts most of them in speech (4 of 6 in the
# practitioners' transcripts).
_LAW_NAME = re.compile(
    rf"(?<![\w’'-])(?:{WORD}\s+(?:(?:and|of|for|the|on|to)\s+)?)+"
    r"(?:Act|Code\s+of\s+Practice|Regulations)(?:\s+(?:1[89]|20)\d\d)?\b"
)


def repair_laws(texts: Sequence[str], ents: list[Ent]) -> list[Ent]:
    """Names of Acts and codes are LAW, over the model's pieces of them (and its year)."""
    out = ents
    for part, text in enumerate(texts):
        if "Act" not in text and "Code" not in text and "Regulations" not in text:
            continue
        for m in _LAW_NAME.finditer(text):
            cut = m.group().rfind(" the ")  # "Since the Children and Families Act 2014"
            start, end = trim(text, m.start() + (cut + 5 if cut >= 0 else 0), m.end())
            if " " not in text[start:end]:
                continue
            out = relabel(out, texts, Ent(part, start, end, "LAW", source="cue"), loose=True)
    return out


def _law(words: Sequence[str]) -> bool:
    if len(words) >= 2 and words[-1] in _LAW_ENDS and words[0][:1].isupper():
        return True
    return len(words) == 2 and words[0] == "Bill" and any(c.isdigit() for c in words[1])


# "the work of" before a full name: "the work of Frans Hals", "the work of John
# Gottman", "the work of Kevin Nugent" (3 such names in 3 files of tests/tagsets/dev and
# tests/corpus, all people; the model calls one of them, "Frans Hals", an organisation).
_WORK_OF = re.compile(r"\b(?:work|works|writings|ideas?|theories|theory)\s+of\s+$")


def _work_of(texts: Sequence[str], e: Ent) -> bool:
    """Two or three capitalised words after "the work of", none an organisation's word,
    a word the document writes in lower case ("the work of Family Lives") or a place."""
    text = texts[e.part]
    words = text[e.start : e.end].split()
    if not 2 <= len(words) <= 3 or text[e.start : e.end] in lexicon.places():
        return False
    if not all(w[:1].isupper() and w.isalpha() for w in words) or set(words) & _ORG_WORDS:
        return False
    if _WORK_OF.search(text, max(0, e.start - 30), e.start) is None:
        return False
    return not any(_written_lower(texts, w) for w in words)


# "and his", "and her" right after a name: "Rembrandt and his etchings", "Patel and her
# colleagues", "Haddad and his wife" (7 such names in 6 files of tests/tagsets/dev and
# tests/corpus, all people; the model calls one of them, "Rembrandt", a nationality).
_HIS_OR_HER = re.compile(r"\s+and\s+(?:his|her)\s+[a-z]")


def _his_or_her(text: str, e: Ent) -> bool:
    """A one- or two-word name with "and his"/"and her" after it, not a known place,
    a nationality or a language ("moved to Glasgow and his wife followed", "she speaks
    English and her husband Polish"), nor a name after a preposition of place."""
    if _HIS_OR_HER.match(text, e.end) is None:
        return False  # most names: the cheapest test first
    name = text[e.start : e.end]
    if e.label in ("LAW", INTERVENTION) or len(name.split()) > 2 or name.isupper():
        return False
    if name in lexicon.places() or name in NORP_WORDS or set(name.split()) & _ORG_WORDS:
        return False
    before = words_before(text, e.start)
    return not (before and before[0].lower() in _LOCATIVE)


def _regnal(words: Sequence[str]) -> bool:
    """A first name and a regnal number: "Philip IV", "Henry VIII"."""
    return len(words) == 2 and words[0] in lexicon.first_names() and bool(_ROMAN.match(words[1]))


# Nouns for organisations: "Anemoi, a company based in Norwich", "whose company
# Starlizard", "a small start-up in Tauranga, Harakeke Digital,".
# Not "owner", "maker" or "developer": people are described so too.
_ORG_NOUNS = (
    "company|companies|firm|charity|start-up|startup|club|bank|agency|regulator"
    "|manufacturer|supplier|retailer|chain|broadcaster|airline|consultancy"
    "|insurer|studio|band|orchestra|choir|newspaper|magazine"
)
_ORG_NOUN_LIST = _ORG_NOUNS.split("|")  # every match holds one
_ORG_CUE = re.compile(
    rf"(?P<a>{NAME}),\s+(?:a|an|the|our|their)\s+(?:[\w-]+\s+){{0,3}}?(?:{_ORG_NOUNS})\b(?!['’])"
    rf"|\b(?:{_ORG_NOUNS})\s+(?:called\s+|named\s+)?(?P<b>{NAME})"
    rf"|\b(?:a|an|the)\s+(?:[\w-]+\s+){{0,3}}?(?:{_ORG_NOUNS})(?:\s+in\s+{NAME})?,\s+(?P<c>{NAME}),"
)


# A verb in the plural after a name: British English agrees a body's name with the
# plural ("Ofsted have been positive", "Cafcass get involved", "Cuidiú run a group",
# "The INMO have been saying"), a person's name or a town never does. Past forms that
# show no number ("said", "rated") are left out.
_PLURAL_VERBS = (
    "have|are|were|run|get|say|do|don't|don’t|haven't|haven’t|aren't|aren’t|weren't"
    "|weren’t|provide|offer|fund|want|need"
)
_PLURAL_CUE = re.compile(
    rf"(?P<name>{capital_first(WHOLE_NAME, _IN_WORD)})\s+(?:{_PLURAL_VERBS})\b"
)
# Words before a name that make it something other than the verb's subject: "Zofia and
# Tomasz were" (two people), "Wärtsilä in Vaasa are", "Musicians at the Pietà were".
_NOT_SUBJECT_BEFORE = frozenset("in at on from of to for with by near into than the a an".split())
_QUESTION_WORDS = frozenset("Who Whom Whose How Why Where Do Does Did".split())


def _plural_subject(texts: Sequence[str], part: int, start: int, end: int) -> bool:
    """The name is the subject of a plural verb and reads as a body's name, not as a
    common noun at a sentence start ("Families get free books") nor as one of two
    names ("Microsoft and Google have")."""
    text = texts[part]
    words = text[start:end].split()
    if (
        words[0] in NOT_NAME_START
        or words[0] in _QUESTION_WORDS
        or words[0].startswith(("I'", "I’"))
    ):
        return False
    before = [w.lower() for w in words_before(text, start, 2)]
    if before[-1:] == ["the"]:
        if words[-1].endswith("s") and not words[-1].endswith("ss") and not words[-1].isupper():
            return False  # "the Normans were", "the Smiths have": a people, a family
        before = before[:-1]  # "The INMO have", but not "at the Pietà were"
    if before and before[-1] in ("and", "or", "&"):
        # "Zofia and Tomasz were", but "to live up to that, and Ofsted have"
        if _name_before(text, start):
            return False
    elif before and before[-1] in _NOT_SUBJECT_BEFORE:
        return False
    if len(words) == 1 and (words[0] in lexicon.first_names() or words[0] in lexicon.places()):
        return False
    if words[-1].endswith(("'s", "’s")):
        return False  # "That's run by ..."
    # Every word also written in lower case in the document: common nouns.
    return not all(_written_lower(texts, w) for w in words)


def _written_lower(texts: Sequence[str], word: str) -> bool:
    """``word`` has capitals and the document also writes it in lower case, as a word."""
    lower = word.lower()
    if lower == word:
        return False
    if lower.isalnum():  # the common case: ``occurrences`` finds what the pattern would
        return any(occurrences(t, lower) for t in texts)
    pattern = re.compile(rf"(?<![\w’'-]){re.escape(lower)}(?![\w-])")
    return any(pattern.search(t) for t in texts)


def _name_before(text: str, start: int) -> bool:
    """The word before "and"/"or" is capitalised: a coordination of names."""
    words = text[:start].split()
    return len(words) >= 2 and words[-2][:1].isupper() and not words[-2].endswith((",", "."))


# An organisation's name that the small model cuts at a possessive or at "and" ("St
# Brecan" + "College", "Queen" + "University Belfast", "Education" + "Training
# Inspectorate", "Black Country Women" + "Aid"): capitalised words ending in a word for
# a kind of organisation, optionally with a known place after it.
_HEADS = "|".join(sorted({h.capitalize() for h in ORG_HEADS} | {"Aid"}))
_SPLIT_WORD = rf"{WHOLE_WORD}\s+(?:(?:and|of|for|&)\s+)?"
_SPLIT_ORG = re.compile(
    capital_first(rf"{_SPLIT_WORD}(?:{_SPLIT_WORD})*(?:{_HEADS})\b(?!['’-])", _IN_WORD)
    + rf"(?P<place>\s+{WORD})?"
)


# "of" and a name after an organisation's span that ends in a word for a kind of
# organisation: the rest of its name ("Children's Hospital" + "of Eastern Ontario",
# "Public Health Agency" + "of Sweden"; the small model stops before "of" in 3 of the 3
# such spans in the development sets).
_OF_NAME = re.compile(
    rf"\s+of\s+(?P<name>{WORD}(?:\s+{WORD}){{0,2}})(?![\w’'-]|\s+(?:of\s+)?{WORD})"
)


def _org_of_name(texts: Sequence[str], ents: list[Ent]) -> list[Ent]:
    out = ents
    for e in ents:
        if e.source != "model" or e.label != "ORG":
            continue
        text = texts[e.part]
        if text[e.start : e.end].split()[-1] not in _ORG_OPENERS:
            continue
        m = _OF_NAME.match(text, e.end)
        if m is None or m.group("name").split()[0] in NOT_NAME_START:
            continue
        new = Ent(e.part, e.start, m.end("name"), "ORG", source="cue")
        out = relabel(out, texts, new, loose=True, keep=frozenset({"PERSON", "LAW"}))
    return out


def _split_org_names(texts: Sequence[str], ents: list[Ent]) -> list[Ent]:
    out = ents
    for part, text in enumerate(texts):
        for m in _SPLIT_ORG.finditer(text):
            end = m.end()
            place = m.group("place")
            if place and place.strip() not in lexicon.places():
                end = m.start("place")
            start, end = trim(text, m.start(), end)
            name = text[start:end]
            if not re.search(r"['’]s\s| and | & ", name):
                continue  # only names the model is known to cut
            if any(
                e.part == part
                and e.start < end
                and start < e.end
                and (e.start < start or e.end > end)
                for e in out
            ):
                continue  # "NASA's Goddard Institute for Space Studies": two names
            new = Ent(part, start, end, "ORG", source="cue")
            out = relabel(out, texts, new, loose=True, keep=frozenset({"LAW", "NORP"}))
    return out


# "and" and a place after an organisation named by a place: one body covering two
# places ("NHS Greater Glasgow and Clyde", "NHS Dumfries and Galloway"), which the small
# model cuts at "and", calling the second place a person (2 of 2 in 2 development files).
_AND_PLACE = re.compile(rf"\s+and\s+(?P<place>{WORD})(?![\w’'-]|\s+{WORD})")


def _two_place_bodies(texts: Sequence[str], ents: list[Ent]) -> list[Ent]:
    """A model ORG ending in a known place, not "X of Y" ("University of Glasgow and
    Strathclyde" are two), with "and" and a known place after it, is one ORG."""
    out = ents
    for e in ents:
        if e.source != "model" or e.label != "ORG":
            continue
        text = texts[e.part]
        words = text[e.start : e.end].split()
        if len(words) < 2 or "of" in words or words[-1] not in lexicon.places():
            continue
        m = _AND_PLACE.match(text, e.end)
        if m is None or m.group("place") not in lexicon.places():
            continue
        new = Ent(e.part, e.start, m.end("place"), "ORG", source="cue")
        out = relabel(out, texts, new, loose=True)
    return out


# An organisation's acronym the text defines after its name ("The National Cyber
# Security Centre, the NCSC,", "the International Maritime Organization, the IMO,",
# "Perinatal Anxiety and Depression Aotearoa, or PADA,", "... (CAMHS)"): the acronym is
# the organisation wherever it occurs (3 such definitions in 3 development files; the
# model calls one of the three acronyms a building).
_DEFINED = re.compile(
    rf"(?P<name>{WHOLE_NAME}),?\s+(?:\(|(?:the|or)\s+)(?P<acr>[{UPPER}][{UPPER}a-z0-9&]{{1,6}})[),]"
)
_SMALL_WORDS = frozenset("of and for the & in to as on with".split())


def _initials(name: str, acronym: str) -> bool:
    """The acronym's capitals are the name's initials, with or without its small words'."""
    letters = "".join(c for c in acronym if c.isalpha()).upper()
    words = name.split()
    every = "".join(w[0] for w in words).upper()
    content = "".join(w[0] for w in words if w.lower() not in _SMALL_WORDS).upper()
    return len(letters) >= 2 and letters in (every, content)


def _defined_acronyms(texts: Sequence[str], ents: list[Ent]) -> list[Ent]:
    """An acronym defined after a name the model calls ORG is an ORG at every
    occurrence the model labels otherwise or leaves out."""
    acronyms: set[str] = set()
    for part, text in enumerate(texts):
        for m in _DEFINED.finditer(text):
            start, end = m.span("name")
            if text.startswith(("The ", "the "), start):
                start += 4  # not trim(): "National" opens names as well as sentences
            acronym = m.group("acr")
            named = any(
                (e.part, e.start, e.end) == (part, start, end) and e.label == "ORG" for e in ents
            )
            if named and _initials(text[start:end], acronym):
                acronyms.add(acronym)
    out = ents
    for acronym in sorted(acronyms):
        for part, text in enumerate(texts):
            for start, end in occurrences(text, acronym):
                new = Ent(part, start, end, "ORG", source="cue")
                out = relabel(out, texts, new, keep=frozenset({"LAW", INTERVENTION, "NORP"}))
    return out


# Public bodies named by their field and their country or nation ("Health New Zealand",
# "Audit Scotland", "Key Word Sign Australia", "Sport England", "Public Health Wales"):
# the small model calls the country a place and leaves the field word out (3 of 3 such
# names in 3 development files). The word before the country must be a field's noun.
_BODY_NOUNS = frozenset(
    """Health Audit Sport Sports Transport Education Police Justice Skills Housing Homes
    Heritage Historic Statistics Revenue Tourism Water Energy Arts Sign Care Forestry
    Environment Enterprise Research Innovation Screen Rugby Cricket Football Athletics
    Swimming Cycling Netball Hockey Golf Rowing Volunteering Music Libraries Museums
    Archives Food Parenting Adoption Fostering Autism Dyslexia Diabetes Cancer Stroke
    Asthma Epilepsy Relationships Families Children Youth Carers""".split()
)


_BODY_NOUN_RE = re.compile(rf"{literal_first(sorted(_BODY_NOUNS), _WORD_CHAR)}\s+[{UPPER}]")


def _country_bodies(texts: Sequence[str], ents: list[Ent]) -> list[Ent]:
    """A field's noun (and the capitalised words before it) with a country or a nation
    after it is an organisation, over the model's place."""
    out = ents
    for part, text in enumerate(texts):
        if not _BODY_NOUN_RE.search(text):
            continue  # most texts: no field's noun before a capitalised word
        for m in NAME_RUN.finditer(text):
            start, end = trim(text, *m.span())
            if text[end - 2 : end] in ("'s", "’s"):
                end -= 2
            words = text[start:end].split()
            for k in (2, 1):
                place = " ".join(words[-k:])
                if len(words) <= k or words[-k - 1] not in _BODY_NOUNS:
                    continue
                if lexicon.places().get(place) not in ("country", "region"):
                    continue
                new = Ent(part, start, end, "ORG", source="cue")
                out = relabel(out, texts, new, loose=True, keep=frozenset({"LAW"}))
                break
    return out


# "at the" or "from the" before a whole name: an institution ("a consultant at the
# Coombe", "at the Royal Oldham", "from the Courtauld", "at the Jobcentre"): a town
# takes no article, and the small model calls most of these places or people (7 of 7
# such names the model gets wrong in 4 development files). The name must end there, not
# be a modifier ("from the Ben Nevis area", "from the Patel group").
# A company's things after a possessive: "Ocado's annual report", "Ocado's retail
# business", "the firm's shareholders". A town has no annual report or shareholders.
_COMPANY_THINGS = (
    "annual\\s+report|accounts|shares|share\\s+price|shareholders|chief\\s+executive|CEO"
    "|founders?|board\\s+of\\s+directors|profits?|revenues?|turnover|warehouses"
    "|headquarters|subsidiary|subsidiaries|(?:retail|online|grocery)\\s+business"
)
_COMPANY_CUE = re.compile(rf"(?<![\w’'-])(?P<name>{NAME})['’]s\s+(?:{_COMPANY_THINGS})\b")
# The cue's end alone, found first: most paragraphs have none, and the whole cue, which
# may start at any capital, is searched only in those that do.
_COMPANY_END = re.compile(rf"['’]s\s+(?:{_COMPANY_THINGS})\b")
# An employer after "works for", "worked at", "working as a software engineer at":
# "works for the Climate Policy Initiative", "at Andela", "worked at Maersk in
# Copenhagen" (3 in 3 files of tests/tagsets/dev3 that the model leaves out or calls a
# place or a building; 2 in tests/tagsets/dev it has right).
_EMPLOYER_CUE = re.compile(
    r"\b(?:work|works|worked|working|job|jobs|internship|placement)\s+"
    r"(?:as\s+(?:an?\s+)?(?:[\w-]+\s+){0,3}?)?(?:at|for)\s+(?:the\s+)?"
    rf"(?P<name>{NAME})"
)
_PLACE_AFTER = re.compile(r"\s+(?:in|at)\s+")
_INSTITUTION_CUE = re.compile(
    rf"{literal_first(('at', 'from'), _WORD_CHAR)}\s+the\s+(?P<name>{NAME})(?=\s*[,.;:!?)]|\s*$|\s+(?:and|or|here|there"
    r"|in|on|for|to|with|where|which|who|that|was|were|is|are|has|have|had|will|would"
    r"|can|could|did|does|said|says|now|today|this|as|but|so|because)\b)"
)
_NOT_INSTITUTION = frozenset({"NORP", "LOC", "FAC", "WORK_OF_ART", "LAW", "EVENT", "PRODUCT"})


def repair_organisations(texts: Sequence[str], ents: list[Ent]) -> list[Ent]:
    """Names the text says are organisations' are ORG, in every place the model labels
    them otherwise (not people the text introduced, not interventions): after a noun
    for an organisation ("a company called ...", "..., a payments company"), and as the
    subject of a plural verb ("Ofsted have been positive")."""
    named: set[str] = set()
    out = _split_org_names(texts, _org_of_name(texts, ents))
    out = _country_bodies(texts, _two_place_bodies(texts, out))
    out = _defined_acronyms(texts, out)
    for part, text in enumerate(texts):
        for m in _INSTITUTION_CUE.finditer(text):
            start, end = m.span("name")
            name = text[start:end]
            words = name.split()
            if (
                name in lexicon.places()
                or name in COMMON_ACRONYMS
                or name in NORP_WORDS
                or words[0] in _PLACE_WORDS
                or (len(words) == 1 and words[0] in lexicon.first_names())
                or name.isupper()  # "from the UK", "at the HSE": the model is right
            ):
                continue
            new = Ent(part, start, end, "ORG", source="cue")
            before = out
            out = relabel(out, texts, new, keep=_NOT_INSTITUTION)
            if out is not before:
                named.add(name)
        for m in _PLURAL_CUE.finditer(text):
            start, end = trim(text, *m.span("name"))
            if start >= end or not _plural_subject(texts, part, start, end):
                continue
            new = Ent(part, start, end, "ORG", source="cue")
            before = out
            out = relabel(out, texts, new, keep=frozenset({"NORP", "GPE", "LOC"}))
            if out is not before:
                named.add(text[start:end])
        employer = "work" in text or "job" in text or "intern" in text or "placement" in text
        for m in _EMPLOYER_CUE.finditer(text) if employer else ():
            start, end = m.span("name")
            cut = _PLACE_AFTER.search(text, start, end)  # "Maersk in Copenhagen"
            if cut and text[cut.end() : end].split()[0] in lexicon.places():
                end = cut.start()  # not "Children in Need"
            start, end = trim(text, start, end)
            name = text[start:end]
            if start >= end or name in lexicon.places() or name in NOT_NAME_START:
                continue
            if name.split()[0] in lexicon.first_names() or name.isupper():
                continue  # "working for Sarah"; "at the NHS": the model is right
            new = Ent(part, start, end, "ORG", source="cue")
            before = out
            out = relabel(out, texts, new, keep=frozenset({"NORP", "PERSON", "LOC"}))
            if out is not before:
                named.add(name)
        company = _COMPANY_END.search(text) is not None
        for m in _COMPANY_CUE.finditer(text) if company else ():
            start, end = trim(text, *m.span("name"))
            name = text[start:end]
            if start >= end or name in lexicon.places() or name in NOT_NAME_START:
                continue
            if name.split()[0] in lexicon.first_names():
                continue  # "Tim Steiner's shares": a person's
            new = Ent(part, start, end, "ORG", source="cue")
            before = out
            out = relabel(out, texts, new, keep=frozenset({"NORP", "PERSON", "LOC"}))
            if out is not before:
                named.add(name)
        org_noun = any(noun in text for noun in _ORG_NOUN_LIST)  # in 1 paragraph of 20
        for m in _ORG_CUE.finditer(text) if org_noun else ():
            group = next(g for g in ("a", "b", "c") if m.group(g))
            start, end = trim(text, *m.span(group))
            if start >= end or text[start:end] in NOT_NAME_START:
                continue
            if text[start:end].split()[0] in lexicon.first_names():
                continue  # "Tony Bloom, the club ...": a person
            new = Ent(part, start, end, "ORG", source="cue")
            before = out
            out = relabel(out, texts, new, keep=frozenset({"NORP"}))
            if out is not before:
                named.add(text[start:end])
    out = _split_joined(texts, out)
    if not named:
        return out
    return [
        replace(e, label="ORG", source="cue")
        if e.source == "model" and e.label in _NOT_LAW and texts[e.part][e.start : e.end] in named
        else e
        for e in out
    ]


# Words that join two names in a run the small model reads as one organisation: a
# preposition or a verb between them ("the Perinatal Mental Health Project at UCT",
# "Glasgow ran Creation Records", "from the Prodigy to Adele"): 6 such spans in 5
# development files (with "KinKeep with Lutheran Social Service of Minnesota"), none a
# name of its own. A name that has "at" inside is a university's campus ("University of
# Illinois at Chicago"): kept whole when it starts with "University" and a place follows.
_JOINS = frozenset("at from by into versus vs ran runs run said says was is were had has".split())
# "to" joins two names after "from" only ("from the Prodigy to Adele"): charities are
# named "Room to Read" and "Right to Play". ("with" is left out for the same reason:
# "Working with Families".)
_FROM_BEFORE = re.compile(r"\bfrom\s+(?:the\s+)?$")


def _split_joined(texts: Sequence[str], ents: list[Ent]) -> list[Ent]:
    """Organisation spans (the model's or a cue's, never a gazetteer name) made of two
    names are the two names: joined by one of ``_JOINS`` (each side ORG, or GPE when it
    is a known place, or PERSON when it is a first name alone), a known place's
    possessive before an organisation ("Saudi Arabia's Public Investment Fund": GPE and
    ORG; "King's College" stays), or, for the model's spans only, "and" (``_coordinated``)."""
    out: list[Ent] = []
    alone: dict[str, str] | None = None
    for e in ents:
        parts = None
        if e.label == "ORG" and e.source != "gazetteer":
            parts = _joined_parts(texts[e.part], e)
            if parts is None and e.source == "model" and " and " in texts[e.part][e.start : e.end]:
                if alone is None:
                    alone = {texts[x.part][x.start : x.end]: x.label for x in ents}
                parts = _coordinated(texts[e.part], e, alone)
        out.extend(parts or (e,))
    return out


def _coordinated(text: str, e: Ent, alone: dict[str, str]) -> list[Ent] | None:
    """ "Blur and Oasis", "Tugboat and Bridge to Big School": a model span of two names
    where the document names either alone elsewhere (each side then takes that name's
    label, else ORG); "Marks and Spencer" stays whole, and so do the names the repairs
    above joined ("Education and Training Inspectorate", "NHS Greater Glasgow and
    Clyde")."""
    name = text[e.start : e.end]
    cut = name.find(" and ")
    left, right = name[:cut], name[cut + 5 :]
    if not (left[:1].isupper() and right[:1].isupper()) or " and " in right:
        return None
    if left not in alone and right not in alone:
        return None
    return [
        Ent(e.part, e.start, e.start + cut, alone.get(left, "ORG"), source="cue"),
        Ent(e.part, e.end - len(right), e.end, alone.get(right, "ORG"), source="cue"),
    ]


def _joined_parts(text: str, e: Ent) -> list[Ent] | None:
    tokens = [
        (m.start() + e.start, m.end() + e.start) for m in re.finditer(r"\S+", text[e.start : e.end])
    ]
    words = [text[a:b] for a, b in tokens]
    for i in range(1, len(words) - 1):
        word = words[i]
        joins = word in _JOINS or (
            word == "to" and _FROM_BEFORE.search(text, max(e.start - 12, 0), e.start) is not None
        )
        if joins and words[i - 1][:1].isupper() and words[i + 1][:1].isupper():
            left = text[tokens[0][0] : tokens[i - 1][1]]
            right = text[tokens[i + 1][0] : tokens[-1][1]]
            if word == "at" and words[0] == "University" and right in lexicon.places():
                return None
            return [
                Ent(e.part, tokens[0][0], tokens[i - 1][1], _side_label(left), source="cue"),
                Ent(e.part, tokens[i + 1][0], tokens[-1][1], _side_label(right), source="cue"),
            ]
    for i in range(len(words) - 1):
        word = words[i]
        if word[-2:] not in ("'s", "’s") or not words[i + 1][:1].isupper():
            continue
        owner = text[tokens[0][0] : tokens[i][1] - 2]
        if lexicon.places().get(owner) not in ("country", "region", "city"):
            return None
        return [
            Ent(e.part, tokens[0][0], tokens[i][1] - 2, "GPE", source="cue"),
            Ent(e.part, tokens[i + 1][0], tokens[-1][1], "ORG", source="cue"),
        ]
    return None


def _side_label(name: str) -> str:
    if name in lexicon.places():
        return "GPE"
    if " " not in name and name in lexicon.first_names():
        return "PERSON"
    return "ORG"


def _by(texts: Sequence[str], e: Ent) -> bool:
    """After "by": an author's or a maker's name ("developed by Glen Cooper")."""
    return words_before(texts[e.part], e.start) == ["by"]


_ACRONYM = re.compile(r"[A-Z][A-Z0-9&]{1,5}s?")
# Practitioners' shorthand that names no organisation, which the small model tags as one
# ("my GP", "the EHCP", "in NICU": 15 of 15 such spans in the practitioners'
# transcripts of tests/tagsets/dev): roles, conditions, tests and measures, plans and
# procedures, hospital units, qualifications.
COMMON_ACRONYMS = frozenset(
    """GP GPs HV HVs SENCO SENCo SENCOs TA TAs OT OTs SALT SLT SLTs EP EPs LADO DSL DSLs
    HCA HCAs ANP ANPs RMN RGN NNP CMM ADHD ASD ASC SEN SEND SEMH SLCN SpLD MLD PMLD PTSD
    OCD PND GDM SIDS SUDI FASD DCD EPDS PHQ PHQ-9 GAD GAD-7 CTG BMI ASQ ASQ-3 IQ MMR HPV
    BCG CPAP ECG EEG MRI EHCP EHCPs EHC IEP IEPs CIN PLO ICPC RCPC LAC CLA PEP PEPs CAF
    EHA TAF IVF ICSI A&E ICU NICU SCBU PICU HDU NNU KS1 KS2 KS3 KS4 SATs GCSE GCSEs PGCE
    NVQ BTEC QTS PhD MSc BSc MEd CPD INSET PPA TV PC IT HR CV FAQ PDF""".split()
)
# Words for family members, capitalised when used as names ("Mum said ..."): not names.
KIN_WORDS = frozenset(
    """Mum Mummy Mam Mom Mommy Ma Mama Dad Daddy Da Papa Pa Nan Nana Nanna Nanny Gran
    Granny Grandma Grandad Granddad Grandpa Grandmother Grandfather Auntie Aunty""".split()
)
# Words that make the acronym after them a common noun: nobody says "my NHS" or
# "an NSPCC", but "my GP", "an EHCP", "her BMI".
_COMMON_BEFORE = frozenset("a an my your his her our their its".split())


def _common_acronym(text: str, e: Ent) -> bool:
    """A model span on practitioners' shorthand, or an ORG on an acronym used as a
    common noun."""
    if text[e.start : e.end] in COMMON_ACRONYMS and e.label not in ("LAW", INTERVENTION):
        return True
    if e.label != "ORG" or not _ACRONYM.fullmatch(text[e.start : e.end]):
        return False
    before = words_before(text, e.start)
    return bool(before) and before[0].lower() in _COMMON_BEFORE


# Words after a person's name that make "the" belong to them: "the Patel group", "the
# Hennessy lab", "the Smith family".
_PEOPLES_THINGS = frozenset("group groups lab labs team family brothers sisters".split())
# Titles that take "the" before a person's name: "the Duke of Wellington".
_THE_TITLES = frozenset(
    "Duke Duchess Earl Count Countess Prince Princess King Queen Emperor Empress Pope Lord"
    " Lady Venerable Reverend".split()
)


def _after_the(text: str, e: Ent) -> bool:
    """A model "person" after "the" is a place, a building, a body or a thing (14 of the
    18 such spans in the development set; the other 4 are research groups, "the Patel
    group")."""
    before = words_before(text, e.start)
    if before != ["the"] and before != ["The"]:
        return False
    words = text[e.start : e.end].split()
    after = words_after(text, e.end)
    if after and after[0].strip(",.;:!?") in _PEOPLES_THINGS:
        return False
    if words[0] in _THE_TITLES or "of" in words:
        return False
    # "the Smiths", "the Kennedys": a family
    return not (words[-1].endswith("s") and not words[-1].endswith("ss") and len(words) == 1)


def _common_words(texts: Sequence[str], e: Ent, people: set[str]) -> bool:
    """A model "person" with a word the document also writes in lower case, that opens
    with no common first name and is no surname of a full name in the document: a
    common noun or a verb capitalised ("Methanol and ammonia are ...", "Learning
    Language and Loving It"; 4 of 4 in the development set and tests/gold)."""
    words = texts[e.part][e.start : e.end].split()
    if words[0] in lexicon.first_names() or (len(words) == 1 and words[0] in people):
        return False
    return any(
        _written_lower(texts, w) for w in words if w.isalpha() and w.lower() not in PARTICLES
    )


# Nouns for instruments and tools after a name that names the thing itself ("the GRACE
# satellites", "the SEC spreadsheet": the small model calls both organisations, 2 of 2
# in tests/tagsets/dev and tests/gold). "The NHS app" names the NHS's app: the name must
# come with such a noun at every occurrence in the document.
_PRODUCT_AFTER = re.compile(
    r"\s+(?:satellites?|telescopes?|spacecraft|probes?|rovers?|landers?|rockets?"
    r"|spreadsheets?|calculators?)\b"
)


def _names_a_product(texts: Sequence[str], e: Ent) -> bool:
    """A model ORG after "the" with a noun for an instrument or a tool after each of its
    occurrences; not apps or websites, which organisations own ("a lot of NHS apps",
    the one break of a longer list of nouns)."""
    text = texts[e.part]
    if words_before(text, e.start) not in (["the"], ["The"]):
        return False
    if _PRODUCT_AFTER.match(text, e.end) is None:
        return False
    name = text[e.start : e.end]
    return all(
        _PRODUCT_AFTER.match(t, end) is not None for t in texts for _, end in occurrences(t, name)
    )


def _org_in_place(texts: Sequence[str], e: Ent) -> bool:
    """A one-word model ORG after "in", "near" or "around" is a place ("in Barrow", "here
    in Aotearoa": 4 of the 5 such spans in the development set; the fifth, "in Deloitte's",
    has a possessive), unless it is an acronym or a word the document writes in lower case."""
    text = texts[e.part]
    word = text[e.start : e.end]
    before = words_before(text, e.start)
    if " " in word or word.isupper() or not before or before[0] not in ("in", "near", "around"):
        return False
    if text[e.end : e.end + 2] in ("'s", "’s") or any(c.isdigit() for c in word):
        return False
    return not _written_lower(texts, word)


# Things, not people, that a name is introduced as ("an app called Tidewatch", "a
# course called Secure Coding", "an exercise called Cyber Coalition": 3 of 3 such model
# people in the development set; "a woman called Amal" and "a hospital cook called
# Ali Maow Maalin" are people). Apps, software and vessels are PRODUCT.
_PRODUCT_NOUNS = "app|apps|software|tool|platform|website|device|ship|boat|vessel|game"
_THING_NOUNS = (
    "course|exercise|programme|program|project|scheme|initiative|campaign|report|book"
    "|film|song|album|show|podcast|series|event|festival|conference|service|system|model"
)
_CALLED_THING = re.compile(
    rf"\b(?:(?P<product>{_PRODUCT_NOUNS})|{_THING_NOUNS})s?\s+(?:called|named|known\s+as)"
    r"\s+(?:the\s+)?$"
)


def _called_thing(text: str, e: Ent) -> str | None:
    """PRODUCT or THING when the name is introduced as a thing's, else None."""
    before = text[max(0, e.start - 60) : e.start]
    if "called" not in before and "named" not in before and "known" not in before:
        return None  # most names: the regex need not look
    m = _CALLED_THING.search(before)
    if m is None:
        return None
    return "PRODUCT" if m.group("product") else "THING"


# "and" or "or" between a place and a name: places are listed with places ("from
# Hamilton or Paisley", "Knowle West and Southmead"; the small model calls the second a
# person or an organisation: 2 of 2 such names in 2 development files).
_AND_OR_BEFORE = re.compile(r"\s+(?:and|or)\s+$")
_AND_OR_AFTER = re.compile(r"\s+(?:and|or)\s+")
_RUNS_ON = re.compile(rf"\s+{WORD}")


def _and_or_before(text: str, start: int) -> int | None:
    """Where ``_AND_OR_BEFORE`` matches ``text[:start]`` (the first space before "and" or
    "or"), as its search from the paragraph's start would find, without that search for
    every span: read back from ``start`` over the spaces, the word and the spaces."""
    body = text[:start].rstrip()
    if len(body) == start:
        return None  # no space after the word
    for word in ("and", "or"):
        head = body[: -len(word)]
        if body.endswith(word) and head[-1:].isspace():
            return len(head.rstrip())
    return None


def _known_place_name(name: str) -> bool:
    """A known place, or a part of one ("Knowle West")."""
    return name in lexicon.places() or name.split()[0] in lexicon.places()


def _town_too(word: str) -> bool:
    """A town's or a region's name, not a country's ("Jordan" alone is more often the
    country than a first name)."""
    return lexicon.places().get(word) not in (None, "country", "continent")


def _town_readings(texts: Sequence[str], ents: Sequence[Ent], tokens: set[str]) -> set[str]:
    """Surnames that are towns too ("Francis Cabot Lowell", the town of Lowell) whose
    bare occurrences the model calls places more often than people, once at least after
    "in", "from", "near"... ("resettled in Lowell"): the document is about the town, and the model's reading of each occurrence stands (dev3: 11 "Lowell"
    GPE made PERSON without this, in a file of 14 "Lowell" the town and 3 the man)."""
    towns = {t for t in tokens if t in lexicon.places()}
    if not towns:
        return set()
    votes: dict[str, int] = {}
    placed: set[str] = set()
    for e in ents:
        if e.source == "model" and e.label in ("GPE", "PERSON"):
            name = texts[e.part][e.start : e.end]
            if name in towns:
                votes[name] = votes.get(name, 0) + (1 if e.label == "GPE" else -1)
                if _in_place(texts[e.part], e.start):
                    placed.add(name)
    return {name for name, vote in votes.items() if vote > 0 and name in placed}


# Words before a place that never stand before a person ("to", "at" do: "an oath to
# William", "looked at Marion").
_IN_PLACE = frozenset("in from near around across outside".split())


def _in_place(text: str, start: int) -> bool:
    before = words_before(text, start)
    return bool(before) and before[0] in _IN_PLACE


def _after_locative(text: str, start: int) -> bool:
    before = words_before(text, start)
    return bool(before) and before[0] in _LOCATIVE


def _coordinated_places(texts: Sequence[str], ents: list[Ent], people: set[str]) -> list[Ent]:
    """A one- or two-word model PERSON or ORG joined by "and" or "or" to a known place the
    model found (GPE; not "PostgreSQL and Kafka"), the pair after "in", "from", "to"...
    ("in Glasgow and Amal said" is no list of places), with no other name running on, is
    a place; not a first name, a person's name word, an acronym or a possessive."""
    known = [
        e for e in ents if e.label == "GPE" and _known_place_name(texts[e.part][e.start : e.end])
    ]
    places = {(e.part, e.start) for e in known}
    place_ends = {(e.part, e.end) for e in known if _after_locative(texts[e.part], e.start)}
    out = []
    for e in ents:
        text = texts[e.part]
        name = text[e.start : e.end]
        words = name.split()
        if (
            e.source == "model"
            and e.label in ("PERSON", "ORG")
            and len(words) <= 2
            and not name.isupper()
            and text[e.end : e.end + 2] not in ("'s", "’s")
            and words[0] not in lexicon.first_names()
            and not set(words) & (people | _ORG_WORDS)
        ):
            before = _and_or_before(text, e.start)
            after = _AND_OR_AFTER.match(text, e.end)
            joined = (before is not None and (e.part, before) in place_ends) or (
                after is not None
                and (e.part, after.end()) in places
                and _after_locative(text, e.start)
            )
            running_on = _RUNS_ON.match(text, e.end) is not None
            if joined and not running_on:
                e = replace(e, label="GPE")
        out.append(e)
    return out


_WHEN_AFTER = re.compile(r",\s+when\s+(?!(?:it|they|he|she|we|you|I)\b)")


def _event_when(text: str, e: Ent) -> bool:
    """A name after "the" that ", when" explains is a time, an event ("the Sixties Scoop,
    when thousands of children were taken", "the Harrying of the North, when ..."): the
    small model calls such names organisations (2 of 3 in 2 development files). Not a
    body's name, nor one that "when" takes as its subject ("the Academy of Ancient Music,
    when it plays", the third)."""
    before = words_before(text, e.start)
    if before not in (["the"], ["The"]) or set(text[e.start : e.end].split()) & _ORG_WORDS:
        return False
    return _WHEN_AFTER.match(text, e.end) is not None


# Verbs of authorship around a name: what is published, composed, painted or performed
# is a work ("he published Lombard Street", "An Old Woman Cooking Eggs, painted by
# Velázquez", "the Four Seasons was published in Amsterdam", "performances of
# Messiah"). The small model calls such titles buildings, organisations, events, places
# or people: 6 spans in 5 development files (3 of them then right, 3 titles it cut or
# that are products, wrong as before but no longer organisations).
_WORK_BEFORE = re.compile(r"(?:\bpublished|\bcomposed|\bperformances?\s+of)\s+(?:the\s+)?$")
_WORK_AFTER = re.compile(
    r"(?:,\s+|\s+(?:was|were)\s+)(?:first\s+)?(?:published|painted|composed|written|sculpted)"
    r"\s+(?:by|in|for)\b"
)
_WORK_FROM = frozenset({"ORG", "FAC", "GPE", "LOC", "EVENT", "PRODUCT"})
# A word in lower case after the name that is no preposition, conjunction or verb: the
# name is a modifier ("published Ofsted reports"), not the title.
_WORK_MODIFIES = re.compile(
    r"\s+(?!(?:in|and|or|which|that|with|at|for|to|when|while|as|but|by|from|on|under|was"
    r"|were|is|are|has|had|every|each|twice|once)\b)[a-z]"
)
_WORK_NAME = re.compile(rf"\b(?:published|composed)\s+(?P<name>{NAME})(?=\s*[,.;:!?])")


def _authored_works(texts: Sequence[str], ents: list[Ent]) -> list[Ent]:
    """Model spans that a verb of authorship makes titles are WORK_OF_ART, and so are
    the document's other model spans with the same text; a person only after
    "performances of" (someone "composed" or "painted" can be a person's name too)."""
    titles: set[str] = set()
    for e in ents:
        if e.source != "model" or e.label not in _WORK_FROM | {"PERSON"}:
            continue
        text = texts[e.part]
        name = text[e.start : e.end]
        if set(name.split()) & _ORG_WORDS or name.isupper():
            continue  # "guidance from NICE, published in 2020"
        before = _WORK_BEFORE.search(text, max(0, e.start - 30), e.start)
        if before and _WORK_MODIFIES.match(text, e.end):
            before = None  # "they published Ofsted reports": the name modifies a noun
        performed = before is not None and "perform" in before.group()
        after = _WORK_AFTER.match(text, e.end) is not None
        if (before and (e.label != "PERSON" or performed)) or (e.label != "PERSON" and after):
            titles.add(name)
    out = list(ents)
    # A title the model missed after "published" or "composed": "he published Lombard
    # Street." (then found as a street elsewhere in the document).
    for part, text in enumerate(texts):
        if "published" not in text and "composed" not in text:
            continue
        for m in _WORK_NAME.finditer(text):
            start, end = trim(text, *m.span("name"))
            if start < end and not any(
                e.part == part and e.start < end and start < e.end for e in out
            ):
                out.append(Ent(part, start, end, "WORK_OF_ART"))
                titles.add(text[start:end])
    if not titles:
        return out
    return [
        replace(e, label="WORK_OF_ART")
        if e.source == "model"
        and e.label in _WORK_FROM | {"PERSON"}
        and texts[e.part][e.start : e.end] in titles
        else e
        for e in out
    ]


# A list of known places that the model takes for one name ("Erith and Andover" ORG,
# "Carmarthenshire, Ceredigion and Pembrokeshire" ORG, in 2 files of tests/tagsets/dev3):
# each place is its own span. Not a place whose own name holds "and" ("Trinidad and
# Tobago").
_LIST_SEPARATOR = re.compile(r"\s*,\s*(?:(?:and|or)\s+)?|\s+(?:and|or)\s+")


def _place_list(text: str, e: Ent) -> list[Ent] | None:
    """The places of a model span that lists two or more known places, else None."""
    name = text[e.start : e.end]
    if e.source != "model" or (" and " not in name and " or " not in name and "," not in name):
        return None
    if name in lexicon.places():
        return None
    out = []
    start = e.start
    for m in [*_LIST_SEPARATOR.finditer(text, e.start, e.end), None]:
        end = e.end if m is None else m.start()
        kind = lexicon.places().get(text[start:end])
        if kind is None:
            return None
        out.append(Ent(e.part, start, end, "LOC" if kind == "continent" else "GPE"))
        start = e.end if m is None else m.end()
    return out if len(out) >= 2 else None


def repair_labels(texts: Sequence[str], ents: list[Ent]) -> list[Ent]:
    """Label repairs on model spans: known places are GPE, landforms LOC, software PRODUCT;
    a "person" after "the" is dropped."""
    people = person_tokens(texts, ents)
    out = []
    for e in ents:
        text = texts[e.part][e.start : e.end]
        words = text.split()
        model = e.source == "model" and e.label in ("PERSON", "ORG")
        if e.source == "model" and _common_acronym(texts[e.part], e):
            continue  # "my GP", "an EHCP", "her BMI": a role, a plan, a measure
        if e.source == "model" and e.label == "PERSON" and text in KIN_WORDS:
            continue  # "Mum said ..." (4 of 4 in the practitioners' transcripts)
        if e.source == "model" and _greeting(texts[e.part], e):
            continue  # "Kia ora koutou, and welcome"
        places = _place_list(texts[e.part], e)
        if places:
            out.extend(places)  # "Erith and Andover" (ORG): two places
            continue
        place = _known_place(texts, e, people)
        if _norp(e, text, texts[e.part]) or (model and _people_of(texts[e.part], e)):
            e = replace(e, label="NORP")
        elif place is not None:
            e = replace(e, label=place)
        elif (
            model
            and len(words) >= 2
            and words[0] in _PLACE_WORDS
            and not _by(texts, e)
            and not set(words) & _ORG_WORDS  # "Mount Sinai Hospital"
        ):
            e = replace(e, label="LOC")
        elif e.source == "model" and e.label in _NOT_LAW and _law(words):
            e = replace(e, label="LAW")  # "the Emergency Economic Stabilization Act"
        elif model and len(words) == 2 and words[0] == "County":
            e = replace(e, label="GPE")  # "County Tyrone", "County Durham"
        elif e.source == "model" and e.label in _NOT_PLACE_LABELS and _work_of(texts, e):
            e = replace(e, label="PERSON")  # "the work of Frans Hals" (ORG)
        elif e.source == "model" and e.label != "PERSON" and _his_or_her(texts[e.part], e):
            e = replace(e, label="PERSON")  # "Rembrandt and his etchings" (NORP)
        elif e.source == "model" and e.label != "PERSON" and _regnal(words):
            e = replace(e, label="PERSON")  # "Philip IV", "Elizabeth II"
        elif e.source == "model" and e.label == "PERSON" and len(words) >= 2:
            kind = _FAC_ENDS.get(words[-1]) or _EVENT_OPENERS.get(words[0])
            if kind and not _ROLE_BEFORE.search(texts[e.part], max(0, e.start - 40), e.start):
                e = replace(e, label=kind)  # "Apsley House", "Cyclone Gabrielle"
        elif e.source == "model" and e.label in _NOT_LAW - {"ORG"} and _org_of(words):
            e = replace(e, label="ORG")  # "Guild of St Luke" (WORK_OF_ART)
        elif e.source == "model" and e.label in _NOT_PLACE_LABELS | {"GPE"} and _landform(text):
            e = replace(e, label="LOC")  # "the Channel" (ORG), "Thwaites Glacier" (FAC)
        elif model and e.label == "ORG" and _structure(words):
            e = replace(e, label="FAC")  # "Battle Abbey", "Thames Barrier"
        elif e.source == "model" and text in PRODUCTS:
            e = replace(e, label="PRODUCT")
        elif model and _event_when(texts[e.part], e):
            e = replace(e, label="EVENT")  # "the Sixties Scoop, when thousands of ..."
        if e.source == "model" and e.label == "PERSON" and any(c.isdigit() for c in text):
            continue  # "COP29", "Ariane 4" (not "Bill C-92", a law by now): no person's name has a digit
        if e.source == "model" and e.label == "PERSON" and _after_the(texts[e.part], e):
            continue  # "the Rotunda", "the Moon", "the Baby Box"
        if e.source == "model" and e.label == "PERSON" and _common_words(texts, e, people):
            continue  # "Methanol", "Learning Language", "Safeguard Children"
        if e.source == "model" and e.label in ("PERSON", "ORG", "GPE"):
            kind = _called_thing(texts[e.part], e)
            if kind == "PRODUCT":
                e = replace(e, label="PRODUCT")  # "an app called Tidewatch"
            elif kind and e.label == "PERSON":
                continue  # "an exercise called Cyber Coalition", "a course called ..."
        if e.source == "model" and e.label == "ORG" and _names_a_product(texts, e):
            e = replace(e, label="PRODUCT")  # "the GRACE satellites", "the SEC spreadsheet"
        if e.source == "model" and e.label == "ORG" and _org_in_place(texts, e):
            e = replace(e, label="GPE")  # "in Lochaber", "in Newtownstewart"
        out.append(e)
    out = _authored_works(texts, _coordinated_places(texts, out, people))
    out = _languages(texts, out)
    # The model misses most of them in running text (10 of 22 PRODUCT in the development
    # set: "Rust" eight times, "Python" twice): a capitalised occurrence that no other
    # span holds is the product.
    for part, text in enumerate(texts):
        for m in _PRODUCT_RE.finditer(text):
            start, end = m.span()
            if not any(e.part == part and e.start < end and start < e.end for e in out):
                out.append(Ent(part, start, end, "PRODUCT"))
    return out
