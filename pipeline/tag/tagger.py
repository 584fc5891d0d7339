"""Tag: (Transcript, Timeline, Chunks) -> Mentions placed in time, plus review Candidates.

One document at a time: its step title, description and paragraphs go through the
model (``nlp.pipe`` in batches) and the rule components, or come from the cache when
the same text was tagged before with the same model, gazetteer and code.
"""

from __future__ import annotations

import hashlib
import json
import re
from bisect import bisect_right
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from spacy.language import Language

from pipeline import __version__
from pipeline.model import Candidate, Chunk, Mention, Timeline, Transcript
from pipeline.tag import consistency
from pipeline.tag.cache import CACHE_FORMAT, CODE_SHA256, TagCache, _Record, record_of
from pipeline.tag.gazetteer import Gazetteer, load_gazetteer
from pipeline.tag.names import Ent, by_first_letter
from pipeline.tag.nlp import DEFAULT_LABELS, INTERVENTION, load_nlp, model_id
from pipeline.tag.rules import GAZETTEER_PIPE, GazetteerRuler, add_rules

# --- results --------------------------------------------------------------------


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


# --- the tagger -----------------------------------------------------------------

# Words that mark a document as being about the field: babies, parents, families,
# children and the services around them. In other documents, a gazetteer name written
# in lower case ("video feedback" on code review) is a common phrase, not the
# intervention, and a programme name the text introduces is not one either.
_DOMAIN_WORDS = (
    *r"bab(?:y|ies) infants? newborns? neonatal mothers? fathers? mums? dads? parents?".split(),
    *r"parenting parenthood pregnan\w* perinatal antenatal postnatal prenatal".split(),
    *r"postpartum toddlers? breastfe\w* midwi\w* caregivers? carers? famil(?:y|ies)".split(),
    *r"child(?:ren)? kinship nurser(?:y|ies)".split(),
    r"early[- ]years",
    r"health visit\w*",
    r"social work\w*",
    *r"safeguarding wellbeing pupils? grandparents?".split(),
)
# Grouped by first letter (``by_first_letter``): a third faster than the plain list.
_DOMAIN_RE = re.compile(
    rf"\b(?:{by_first_letter(_DOMAIN_WORDS)})\b"
)  # matched against lower-cased text: three times faster than re.IGNORECASE
# Of the words: 0.023-0.059 in the field's transcripts of tests/tagsets/dev and
# tests/gold, 0-0.0072 in the unrelated ones (history of medicine, baroque music).
DOMAIN_MIN_SHARE = 0.015


def in_domain(texts: Iterable[str]) -> bool:
    words = hits = 0
    for text in texts:
        words += len(text.split())
        hits += len(_DOMAIN_RE.findall(text.lower()))
    return words > 0 and hits / words >= DOMAIN_MIN_SHARE


class Tagger:
    """Tags one document at a time; one instance holds the loaded pipeline.

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
    ) -> None:
        self.gazetteer = gazetteer if gazetteer is not None else load_gazetteer()
        self.gazetteer_sha256 = self.gazetteer.sha256  # once: it hashes every entry
        self.nlp = nlp if nlp is not None else load_nlp(model)
        ruler = self.nlp.get_pipe(GAZETTEER_PIPE) if GAZETTEER_PIPE in self.nlp.pipe_names else None
        if not isinstance(ruler, GazetteerRuler) or ruler.gazetteer_sha != self.gazetteer_sha256:
            add_rules(self.nlp, self.gazetteer)  # first time, or another gazetteer's rules
        self.labels = frozenset(labels) | {INTERVENTION}
        self.cache = TagCache(cache_dir) if cache_dir is not None else None
        self.batch_size = batch_size
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
            "gazetteer": self.gazetteer_sha256,
            "content": content.hexdigest(),
        }
        blob = json.dumps(about, sort_keys=True).encode()
        return hashlib.sha256(blob).hexdigest()

    def records(self, parts: Sequence[Part]) -> tuple[list[_Record], bool]:
        """Entity and candidate records for each part, and whether they came from the cache."""
        key = self.cache_key(parts)
        cached = self.cache.get(key) if self.cache else None
        if cached is not None and len(cached) == len(parts):
            self.hits += 1
            return cached, True
        self.misses += 1
        limit = min(self.nlp.max_length, PIECE_CHARS)
        pieces = [
            (n, offset, text)
            for n, part in enumerate(parts)
            for offset, text in split_long(part.text, limit)
        ]
        records: list[_Record] = [{"ents": [], "candidates": []} for _ in parts]
        docs = self.nlp.pipe((text for _, _, text in pieces), batch_size=self.batch_size)
        for (n, offset, _), doc in zip(pieces, docs, strict=True):
            record = record_of(doc)
            for kind in ("ents", "candidates"):
                records[n][kind].extend(
                    [[a + offset, b + offset, *rest] for a, b, *rest in record[kind]]
                )
        if self.cache is not None:
            about = {
                "model": self.model_id,
                "gazetteer": self.gazetteer_sha256,
                "pipeline": __version__,
            }
            self.cache.put(key, records, about)
        return records, False

    def tag_document(
        self, transcript: Transcript, timeline: Timeline, chunks: tuple[Chunk, ...]
    ) -> TagResult:
        parts = parts_of(transcript)
        records, cached = self.records(parts)
        return assemble(
            transcript, timeline, chunks, parts, records, self.entries, self.labels, cached=cached
        )

    def tag_documents(
        self, items: Iterable[tuple[Transcript, Timeline, tuple[Chunk, ...]]]
    ) -> Iterator[TagResult]:
        """Mentions and candidates per document, in input order."""
        for transcript, timeline, chunks in items:
            yield self.tag_document(transcript, timeline, chunks)

    def tag(
        self, items: Iterable[tuple[Transcript, Timeline, tuple[Chunk, ...]]]
    ) -> Iterator[tuple[Mention, ...]]:
        """Mentions per document, in input order."""
        for result in self.tag_documents(items):
            yield result.mentions


# A paragraph longer than this is tagged in pieces cut at sentence ends: spaCy refuses
# texts over nlp.max_length (1,000,000 characters), and memory grows with the text.
PIECE_CHARS = 100_000
_CUT = re.compile(r"(?<=[.!?…])\s+")


def split_long(text: str, limit: int) -> list[tuple[int, str]]:
    """``text`` as (offset, piece) pairs of at most ``limit`` characters, cut after a
    sentence end where there is one, else at a space, else anywhere."""
    pieces: list[tuple[int, str]] = []
    start = 0
    while len(text) - start > limit:
        window = text[start : start + limit]
        cuts = [m.end() for m in _CUT.finditer(window)]
        cut = cuts[-1] if cuts and cuts[-1] > limit // 2 else window.rfind(" ") + 1
        if cut <= 0:
            cut = limit
        pieces.append((start, text[start : start + cut]))
        start += cut
    pieces.append((start, text[start:]))
    return pieces


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
    texts = [part.text for part in parts]
    ents: list[Ent] = []
    for n, (part, record) in enumerate(zip(parts, records, strict=True)):
        for start, end, label, entry_id in record["ents"]:
            entry = entries.get(entry_id) if entry_id else None
            if entry is not None and not domain and _common_phrase(part.text[start:end]):
                continue
            source = "gazetteer" if entry is not None else "model"
            ents.append(Ent(n, start, end, label, entry_id if entry else "", source))
    resolved, review = consistency.apply(texts, ents, domain=domain, speakers=transcript.speakers)
    # Each mention's fields, made once its number (its place in reading order) is known.
    found: list[tuple[tuple[int, int, int], int, tuple[Any, ...]]] = []
    for ent in resolved:
        if ent.label not in labels:
            continue
        part = parts[ent.part]
        entry = entries.get(ent.entry_id) if ent.entry_id else None
        start_ms, chunk_id = clock.at(part.paragraph, ent.start)
        paragraph = part.paragraph
        order = (
            _PART_ORDER.get(part.part, 3),
            paragraph if paragraph is not None else -1,
            ent.start,
        )
        fields = (
            chunk_id,
            paragraph,
            ent.start,
            ent.end,
            part.text[ent.start : ent.end],
            ent.label,
            entry.id if entry else None,
            entry.name if entry else None,
            entry.categories if entry else (),
            ent.source,
            start_ms,
            part.part,
            ent.confidence,
        )
        found.append((order, len(found), fields))
    found.sort()  # reading order; ties as found
    mentions = [
        Mention(f"{doc_id}#m{n}", doc_id, *fields) for n, (_, _, fields) in enumerate(found)
    ]
    candidates: list[Candidate] = []
    spans = [(n, start, end) for n, r in enumerate(records) for start, end in r["candidates"]]
    spans += [(e.part, e.start, e.end) for e in review]
    # A candidate whose name became a pattern mention is not listed again for review.
    taken = {(m.part, m.paragraph, m.start) for m in mentions if m.label == INTERVENTION}
    seen: set[tuple[int, int]] = set()
    for n, start, end in spans if domain else ():
        part = parts[n]
        if (n, start) in seen or (part.part, part.paragraph, start) in taken:
            continue  # the candidate finder's span, with its head noun, comes first
        seen.add((n, start))
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
    candidates.sort(key=lambda c: (_PART_ORDER.get(c.part, 3), c.paragraph or -1, c.start))
    return TagResult(doc_id, tuple(mentions), tuple(candidates), cached)


_PART_ORDER = {"step_title": 0, "step_description": 1, "paragraph": 2}


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
        paragraph = None
        starts: list[int] = []
        indexes: list[int] = []
        for i, word in enumerate(timeline.words):
            if word.paragraph != paragraph:  # words come paragraph by paragraph
                paragraph = word.paragraph
                starts = self.starts.setdefault(paragraph, [])
                indexes = self.indexes.setdefault(paragraph, [])
            starts.append(word.start)
            indexes.append(i)
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
    )
