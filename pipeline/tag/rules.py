"""Rule components that run after the model's ner.

``entity_cleanup`` (span and label repairs), ``intervention_gazetteer`` (gazetteer
hits, which win over overlapping model entities) and ``intervention_candidates``
(unknown names that look like interventions, kept for review).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from spacy.language import Language
from spacy.matcher import Matcher, PhraseMatcher
from spacy.tokens import Doc, Span

from pipeline.tag.gazetteer import Gazetteer, Phrase, phrases
from pipeline.tag.nlp import DEFAULT_LABELS, INTERVENTION

# --- rule components ------------------------------------------------------------

# Entity labels that name things: their text must contain a capital letter.
PROPER_LABELS = frozenset(DEFAULT_LABELS)
_LEADING_DROP = frozenset({"the", "a", "an"})
# Titles and honorifics before a person's name, never part of it in the annotation
# guidelines ("Judge [Marcus Oyelaran]", "Aunty [Dot Wilson]", "Queen [Elizabeth]").
_TITLES = frozenset(
    """dr dr. doctor prof prof. professor mr mr. mrs mrs. ms ms. mx miss sir dame lady lord
    captain capt capt. judge pastor officer councillor councilor sister reverend rev rev.
    bishop aunty auntie uncle king queen prince princess emperor empress pope""".split()
)
# What the small model sometimes opens a span with after a contraction: the "’s" of
# "there’s Barbe-Nicole Ponsardin".
_CLITICS = frozenset({"'s", "’s"})
# A name ending in one of these is an organisation, whatever the small model says
# ("the Anna Freud Centre" comes out as FAC, "Hadley Centre" as GPE).
ORG_HEADS = frozenset(
    """centre center institute institution foundation trust charity society association
    agency council university college department ministry office network league committee
    commission organisation organization fund hospital hospitals services inspectorate
    board authority museum gallery library academy partnership alliance federation union
    laboratory laboratories school primary nursery hub""".split()
)
_RELABEL_AS_ORG = frozenset({"FAC", "GPE", "LOC", "PERSON", "PRODUCT", "WORK_OF_ART"})
# Words that end the title of a work of art or a historical document.
WORK_HEADS = frozenset(
    """Tapestry Chronicle Chronicles Symphony Concerto Sonata Requiem Oratorio Cantata
    Manuscript Codex Portrait Nocturne""".split()
)
_RELABEL_AS_WORK = frozenset({"ORG", "PERSON", "GPE", "FAC", "PRODUCT", "EVENT"})
# "the charity Mellow Parenting": a gazetteer name used as an organisation's name.
ORG_APPOSITION = frozenset(
    "charity charities organisation organization company provider foundation".split()
)


@Language.component("entity_cleanup")
def entity_cleanup(doc: Doc) -> Doc:
    """Trim determiners, titles, quotes and possessives off model entities; fix labels.

    Annotation guidelines (and search users) expect "Anna Freud Centre", not "The
    Anna Freud Centre"; a lower-case "fed" is never an ORG.
    """
    ents: list[Span] = []
    for ent in doc.ents:
        start, end = ent.start, ent.end
        while start < end and _drop_leading(doc[start], ent.label_):
            start += 1
        while end > start and (
            _drop_trailing(doc[end - 1]) or _trailing_word(doc[end - 1], ent.label_)
        ):
            end -= 1
        if start == end:
            continue
        span = doc[start:end]
        label = ent.label_
        if label in PROPER_LABELS and not any(c.isupper() for c in span.text):
            continue
        if label in _RELABEL_AS_ORG and (
            doc[end - 1].lower_ in ORG_HEADS or (doc[start].text == "NHS" and end - start > 1)
        ):
            label = "ORG"  # "Mount Sinai Hospital" (FAC), "NHS Greater Glasgow" (FAC)
        elif label in _RELABEL_AS_WORK and doc[end - 1].text in WORK_HEADS:
            label = "WORK_OF_ART"  # "the Bayeux Tapestry" (ORG)
        ents.append(Span(doc, start, end, label=label, span_id=ent.id_))
    doc.ents = _join_national_branches(doc, ents)
    return doc


# Country names that close an organisation's name: "UNICEF UK", "Nurture UK", "NHS
# Scotland", "Google Ireland". The small model splits them into ORG + GPE (2 of 2 in
# tests/tagsets/dev, 1 of 1 in tests/gold).
_BRANCHES = frozenset(
    """UK U.K. USA US Scotland Wales Cymru England Ireland Australia Canada""".split()
)


def _join_national_branches(doc: Doc, ents: list[Span]) -> list[Span]:
    """ORG + country, or an untagged acronym + country ("run by UNICEF UK"), is one ORG."""
    out: list[Span] = []
    for ent in ents:
        prev = out[-1] if out else None
        before = doc[ent.start - 1] if ent.start > 0 else None
        if (
            ent.label_ == "GPE"
            and ent.text in _BRANCHES
            and before is not None
            and (prev is None or prev.end <= before.i)
            and len(before.text) >= 2
            and before.text.isupper()
            and before.is_alpha
            and before.whitespace_ == " "
        ):
            out.append(Span(doc, before.i, ent.end, label="ORG"))
            continue
        if (
            prev is not None
            and prev.label_ == "ORG"
            and ent.label_ == "GPE"
            and prev.end == ent.start
            and ent.text in _BRANCHES
            and doc[prev.end - 1].whitespace_ == " "
        ):
            out[-1] = Span(doc, prev.start, ent.end, label="ORG", span_id=prev.id_)
            continue
        out.append(ent)
    return out


def _drop_leading(token: Any, label: str) -> bool:
    lower = token.lower_
    if lower in _LEADING_DROP or lower in _CLITICS or token.is_quote or token.is_punct:
        return True
    return label == "PERSON" and lower in _TITLES


# Labels whose names never end in a lower-case word: "Tony Hoare introduced", "Social
# Work with" (the small model runs on into the next word). Titles of works can
# ("Études sur les glaciers"), so WORK_OF_ART, LAW and EVENT are left alone.
_NO_LOWER_END = frozenset({"PERSON", "ORG", "GPE", "LOC", "NORP", "FAC", "PRODUCT"})


def _trailing_word(token: Any, label: str) -> bool:
    return label in _NO_LOWER_END and token.is_alpha and token.is_lower


def _drop_trailing(token: Any) -> bool:
    return token.lower_ in ("'s", "’s", "'") or token.is_quote or token.is_punct


class GazetteerRuler:
    """Phrase matches for gazetteer names; they replace overlapping model entities.

    Names match on LOWER, acronyms on ORTH; a title-styled name only where each of
    its capitalised words is capitalised in the text. What a model entity keeps
    outside the match stays an entity if it still reads as a name
    ("UNICEF UK" of "UNICEF UK Baby Friendly Initiative").
    """

    def __init__(self, nlp: Language, name: str = "intervention_gazetteer") -> None:
        self.nlp = nlp
        self.name = name
        self.lower = PhraseMatcher(nlp.vocab, attr="LOWER")
        self.orth = PhraseMatcher(nlp.vocab, attr="ORTH")
        # match key -> (entry id, per-token "must be capitalised" mask or None)
        self.keys: dict[int, tuple[str, tuple[bool, ...] | None]] = {}
        self.gazetteer_sha = ""  # of the gazetteer whose phrases were added

    def add_phrases(self, items: Iterable[Phrase]) -> None:
        for phrase in items:
            pattern = self.nlp.make_doc(phrase.text)
            mask = tuple(t.text[:1].isupper() for t in pattern) if phrase.titled else None
            key = f"{phrase.entry_id}|{phrase.text}"
            self.keys[self.nlp.vocab.strings.add(key)] = (phrase.entry_id, mask)
            (self.orth if phrase.acronym else self.lower).add(key, [pattern])

    def __call__(self, doc: Doc) -> Doc:
        found: list[tuple[int, int, str]] = []
        for key, start, end in [*self.lower(doc), *self.orth(doc)]:
            entry_id, mask = self.keys[key]
            if mask is not None and not all(
                not needed or t.text[:1].isupper()
                for t, needed in zip(doc[start:end], mask, strict=True)
            ):
                continue
            found.append((start, end, entry_id))
        if not found:
            return doc
        found.sort(key=lambda m: (m[0] - m[1], m[0]))  # longest first, then leftmost
        taken: list[Span] = []
        covered: set[int] = set()
        for start, end, entry_id in found:
            if covered.intersection(range(start, end)):
                continue
            covered.update(range(start, end))
            before = doc[start - 1].lower_ if start > 0 else ""
            label = "ORG" if before in ORG_APPOSITION else INTERVENTION
            taken.append(Span(doc, start, end, label=label, span_id=entry_id))
        kept: list[Span] = []
        for ent in doc.ents:
            if not covered.intersection(range(ent.start, ent.end)):
                kept.append(ent)
                continue
            kept.extend(_remainders(doc, ent, covered))
        doc.ents = sorted([*kept, *taken], key=lambda s: s.start)
        return doc


def _remainders(doc: Doc, ent: Span, covered: set[int]) -> list[Span]:
    """The runs of a model entity outside gazetteer matches that still look like names."""
    out: list[Span] = []
    run: list[int] = []
    for i in [*range(ent.start, ent.end), -1]:
        if i >= 0 and i not in covered:
            run.append(i)
            continue
        if run:
            span = doc[run[0] : run[-1] + 1]
            if any(c.isupper() for c in span.text) and not span[-1].is_punct:
                out.append(Span(doc, span.start, span.end, label=ent.label_))
            run = []
    return out


@Language.factory("intervention_gazetteer")
def make_gazetteer_ruler(nlp: Language, name: str) -> GazetteerRuler:
    return GazetteerRuler(nlp, name)


CANDIDATE_KEY = "intervention_candidates"
# Words that end an intervention-like name: "the Little Steps programme".
CANDIDATE_HEADS = frozenset(
    """programme programmes program programs therapy therapies psychotherapy intervention
    interventions class classes group groups guidance approach model method scheme initiative
    project course coaching counselling counseling""".split()
)
# Small words allowed inside a name ("Circle of Security", "Watch, Wait and Wonder").
_CONNECTORS = frozenset({"of", "and", "for", "the", "to", "&", "-", "–", "in", "with", ","})
# Capitalised words that open sentences, not names.
_NOT_NAMES = frozenset(
    """the a an this that these those our their your my his her its each every any some
    what which i we you they it in on at for so and but or if when while as one another
    many most other such new""".split()
)
# A name that the model already calls a place, people or date is not an intervention.
_NOT_INTERVENTION_LABELS = frozenset({"GPE", "NORP", "LOC", "DATE", "TIME", "PERSON", "LANGUAGE"})
# A head word inside an entity of these labels belongs to an organisation's or a
# law's name ("World Climate Research Programme"). The small model also calls
# unknown programme names WORK_OF_ART, PRODUCT or EVENT ("Happy Mums Intervention"):
# those stay candidates for review.
_NAMED_LABELS = frozenset({"ORG", "FAC", "LAW"})
MAX_NAME_TOKENS = 8


class CandidateFinder:
    """Capitalised names followed by a word like programme or therapy, not in the gazetteer."""

    def __init__(self, nlp: Language, name: str = CANDIDATE_KEY) -> None:
        self.name = name
        self.matcher = Matcher(nlp.vocab)
        self.matcher.add("HEAD", [[{"LOWER": {"IN": sorted(CANDIDATE_HEADS)}}]])

    def __call__(self, doc: Doc) -> Doc:
        spans: list[Span] = []
        ent_of = {i: ent for ent in doc.ents for i in range(ent.start, ent.end)}
        for _, head, _ in self.matcher(doc):
            if head in ent_of and ent_of[head].label_ in (_NAMED_LABELS | {INTERVENTION}):
                continue  # part of a known name: "World Climate Research Programme"
            start = head
            while start > 0 and head - start < MAX_NAME_TOKENS:
                token = doc[start - 1]
                # A small word only between capitalised words: "Circle of Security",
                # not "London, the Little Steps".
                joins = token.lower_ in _CONNECTORS and start < head and _is_capitalised(doc[start])
                if _is_capitalised(token) or joins:
                    start -= 1
                    continue
                break
            while start < head and (
                doc[start].lower_ in _CONNECTORS or doc[start].lower_ in _NOT_NAMES
            ):
                start += 1
            name = doc[start:head]
            capitalised = [t for t in name if _is_capitalised(t)]
            if not capitalised:
                continue
            if len(capitalised) == 1 and _opens_sentence(doc, capitalised[0].i):
                continue  # "Group therapy is ..." at a sentence start
            if any(t.i in ent_of and ent_of[t.i].label_ == INTERVENTION for t in name):
                continue  # the gazetteer knows it
            if all(
                t.i in ent_of and ent_of[t.i].label_ in _NOT_INTERVENTION_LABELS
                for t in capitalised
            ):
                continue  # "the UK programme", "Tuesday's group"
            spans.append(doc[start : head + 1])
        doc.spans[self.name] = spans
        return doc


def _is_capitalised(token: Any) -> bool:
    text: str = token.text
    return text[:1].isupper() and any(c.isalpha() for c in text)


def _opens_sentence(doc: Doc, i: int) -> bool:
    return i == 0 or doc[i - 1].text in (".", "!", "?", ":", ";", "“", '"', "‘", "'")


@Language.factory(CANDIDATE_KEY)
def make_candidate_finder(nlp: Language, name: str) -> CandidateFinder:
    return CandidateFinder(nlp, name)


RULE_PIPES = ("entity_cleanup", "intervention_gazetteer", CANDIDATE_KEY)
GAZETTEER_PIPE = "intervention_gazetteer"


def add_rules(nlp: Language, gazetteer: Gazetteer, *, candidates: bool = True) -> Language:
    """Add the rule components after the model's ner (or at the end of a blank pipeline).

    Rule components already there (from another gazetteer) are replaced.
    """
    for name in RULE_PIPES:
        if name in nlp.pipe_names:
            nlp.remove_pipe(name)
    where: dict[str, Any] = {"after": "ner"} if "ner" in nlp.pipe_names else {"last": True}
    nlp.add_pipe("entity_cleanup", **where)
    ruler = nlp.add_pipe(GAZETTEER_PIPE, after="entity_cleanup")
    assert isinstance(ruler, GazetteerRuler)
    ruler.add_phrases(phrases(gazetteer))
    ruler.gazetteer_sha = gazetteer.sha256
    if candidates:
        nlp.add_pipe(CANDIDATE_KEY, after=GAZETTEER_PIPE)
    return nlp
