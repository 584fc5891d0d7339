"""Evaluate tagging against gold annotations: precision, recall and F1 per label.

Gold files are JSON lines ``{"paragraph": 0, "text": "...", "label": "..."}``, one per
mention of a timed paragraph. Gold and predictions are compared as multisets of
(paragraph, normalised text, label), so a repeated name counts once per occurrence.
"""

from __future__ import annotations

import json
import re
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from pipeline.errors import ConfigError, PipelineError
from pipeline.model import Mention, Transcript
from pipeline.settings import Settings

Key = tuple[int, str, str]  # (paragraph, normalised text, label)

_DASHES = re.compile(r"\s*[‐‑–—-]\s*")
_QUOTES = str.maketrans({"’": "'", "‘": "'", "“": '"', "”": '"'})


def normalise(text: str) -> str:
    """Case, dashes, quotes, a leading 'the' and a trailing possessive do not count."""
    text = text.translate(_QUOTES).casefold()
    text = _DASHES.sub("-", text)
    text = re.sub(r"\s+", " ", text).strip(" \"'.,;:()[]")
    text = re.sub(r"^the ", "", text)
    return re.sub(r"'s$", "", text)


@dataclass(frozen=True, slots=True)
class GoldMention:
    paragraph: int
    text: str
    label: str


def parse_gold(text: str, source: str = "<gold>") -> list[GoldMention]:
    out = []
    for number, line in enumerate(text.splitlines(), 1):
        if not line.strip():
            continue
        try:
            row = json.loads(line)
            out.append(GoldMention(int(row["paragraph"]), str(row["text"]), str(row["label"])))
        except (ValueError, KeyError, TypeError) as error:
            raise ConfigError(
                f"{source}:{number}: not a gold mention ({error}). Each line must be"
                ' {"paragraph": 0, "text": "...", "label": "..."}.'
            ) from None
    return out


def gold_keys(gold: Iterable[GoldMention]) -> Counter[Key]:
    return Counter((g.paragraph, normalise(g.text), g.label) for g in gold)


def predicted_keys(mentions: Iterable[Mention]) -> Counter[Key]:
    return Counter(
        (m.paragraph, normalise(m.text), m.label)
        for m in mentions
        if m.part == "paragraph" and m.paragraph is not None
    )


@dataclass(frozen=True, slots=True)
class Score:
    label: str
    tp: int
    fp: int
    fn: int

    @property
    def precision(self) -> float:
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else 1.0

    @property
    def recall(self) -> float:
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else 1.0

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0


@dataclass(frozen=True, slots=True)
class Comparison:
    name: str
    tp: Counter[Key]
    fp: Counter[Key]
    fn: Counter[Key]
    # (source, label, correct) -> found mentions: who found what, and how well.
    sources: Counter[tuple[str, str, bool]] = field(default_factory=Counter)


def compare(
    name: str, gold: Counter[Key], predicted: Counter[Key], mentions: Iterable[Mention] = ()
) -> Comparison:
    tp = gold & predicted
    return Comparison(name, tp, predicted - tp, gold - tp, source_counts(tp, mentions))


# When a name was found more than once and only some finds are right, the right ones
# are credited in this order.
_SOURCE_ORDER = {"gazetteer": 0, "pattern": 1, "model": 2}


def source_counts(tp: Counter[Key], mentions: Iterable[Mention]) -> Counter[tuple[str, str, bool]]:
    """Found mentions per (source, label, correct)."""
    left = Counter(tp)
    out: Counter[tuple[str, str, bool]] = Counter()
    scored = [m for m in mentions if m.part == "paragraph" and m.paragraph is not None]
    for m in sorted(scored, key=lambda m: _SOURCE_ORDER.get(m.source, 3)):
        assert m.paragraph is not None
        key = (m.paragraph, normalise(m.text), m.label)
        correct = left[key] > 0
        if correct:
            left[key] -= 1
        out[(m.source, m.label, correct)] += 1
    return out


def source_scores(comparisons: Sequence[Comparison]) -> list[tuple[str, str, int, int]]:
    """(source, label, found, correct) summed over documents, each source's ALL last."""
    total: Counter[tuple[str, str, bool]] = Counter()
    for c in comparisons:
        total.update(c.sources)
    rows: list[tuple[str, str, int, int]] = []
    for source in sorted({s for s, _, _ in total}, key=lambda s: _SOURCE_ORDER.get(s, 3)):
        labels = sorted({label for s, label, _ in total if s == source})
        found_all = correct_all = 0
        for label in labels:
            right, wrong = total[(source, label, True)], total[(source, label, False)]
            rows.append((source, label, right + wrong, right))
            found_all, correct_all = found_all + right + wrong, correct_all + right
        rows.append((source, "ALL", found_all, correct_all))
    return rows


def format_source_scores(rows: Sequence[tuple[str, str, int, int]]) -> str:
    lines = [f"{'source':<11}{'label':<14}{'found':>7}{'right':>7}{'P':>8}"]
    for source, label, found, correct in rows:
        precision = correct / found if found else 1.0
        lines.append(f"{source:<11}{label:<14}{found:>7}{correct:>7}{precision:>8.3f}")
    return "\n".join(lines)


KNOWN = "listed"
NEW = "not listed"


def split_interventions(comparison: Comparison, known: frozenset[str]) -> Comparison:
    """The INTERVENTION keys only, relabelled by whether the gazetteer lists the name
    (``known``: normalised names, aliases and their variants)."""

    def split(counter: Counter[Key]) -> Counter[Key]:
        out: Counter[Key] = Counter()
        for (paragraph, text, label), n in counter.items():
            if label == "INTERVENTION":
                out[(paragraph, text, KNOWN if text in known else NEW)] += n
        return out

    return Comparison(
        comparison.name, split(comparison.tp), split(comparison.fp), split(comparison.fn)
    )


def known_names(gazetteers: Iterable[Path] = ()) -> frozenset[str]:
    """Normalised surface forms of the gazetteer (packaged plus ``gazetteers``)."""
    from pipeline.tag.gazetteer import load_gazetteer, phrases

    return frozenset(normalise(p.text) for p in phrases(load_gazetteer(gazetteers)))


def scores(comparisons: Sequence[Comparison], labels: Iterable[str] | None = None) -> list[Score]:
    """Per-label scores summed over documents, then ALL (micro-averaged)."""
    tp: Counter[str] = Counter()
    fp: Counter[str] = Counter()
    fn: Counter[str] = Counter()
    for c in comparisons:
        for counter, into in ((c.tp, tp), (c.fp, fp), (c.fn, fn)):
            for (_, _, label), n in counter.items():
                into[label] += n
    names = sorted(set(labels) if labels is not None else set(tp) | set(fp) | set(fn))
    out = [Score(label, tp[label], fp[label], fn[label]) for label in names]
    total = Score("ALL", sum(s.tp for s in out), sum(s.fp for s in out), sum(s.fn for s in out))
    return [*out, total]


def format_scores(rows: Sequence[Score]) -> str:
    lines = [f"{'label':<14}{'gold':>6}{'found':>7}{'P':>8}{'R':>8}{'F1':>8}"]
    for s in rows:
        lines.append(
            f"{s.label:<14}{s.tp + s.fn:>6}{s.tp + s.fp:>7}"
            f"{s.precision:>8.3f}{s.recall:>8.3f}{s.f1:>8.3f}"
        )
    return "\n".join(lines)


# --- pairing gold files with transcripts ------------------------------------------


def flat_id(doc_id: str) -> str:
    return doc_id.replace("/", "-")


def pair_gold(
    gold_files: Sequence[Path], transcripts: Sequence[Transcript]
) -> list[tuple[Path, Transcript | None]]:
    """Each gold file's transcript: by name (file stem or document id), else by content.

    By content: the transcript in whose paragraphs the most gold texts occur where
    the gold says, if that is at least 90% of them (the sample's gold is named
    after the course step, not after the file).
    """
    by_name: dict[str, Transcript] = {}
    for t in transcripts:
        by_name.setdefault(flat_id(t.doc_id), t)
        by_name.setdefault(Path(t.source).stem, t)
    out: list[tuple[Path, Transcript | None]] = []
    for path in gold_files:
        match = by_name.get(path.stem)
        if match is None:
            gold = parse_gold(path.read_text(encoding="utf-8"), str(path))
            match = _best_fit(gold, transcripts)
        out.append((path, match))
    return out


def _best_fit(gold: Sequence[GoldMention], transcripts: Sequence[Transcript]) -> Transcript | None:
    best, best_found = None, 0
    for t in transcripts:
        texts = {p.index: p.text for p in t.paragraphs}
        found = sum(g.text in texts.get(g.paragraph, "") for g in gold)
        if found > best_found:
            best, best_found = t, found
    return best if gold and best_found >= 0.9 * len(gold) else None


# --- running --------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Evaluation:
    comparisons: tuple[Comparison, ...]
    unmatched: tuple[Path, ...]  # gold files with no transcript


def evaluate(gold_dir: Path, corpus: Sequence[Path], settings: Settings) -> Evaluation:
    """Tag the transcripts that the gold files annotate (the one document road) and compare."""
    from pipeline.run.corpus import Inputs, sources
    from pipeline.run.document import Source, process_document, worker_for

    gold_files = sorted(Path(gold_dir).glob("*.jsonl"))
    if not gold_files:
        raise ConfigError(f"{gold_dir}: no gold files (*.jsonl). Pass the folder with --gold.")
    worker = worker_for(settings)
    found = [s for s in sources(Inputs(tuple(corpus)), settings) if isinstance(s, Source)]
    transcripts: list[Transcript] = []
    by_doc: dict[str, Source] = {}
    for source in found:
        try:
            read = process_document(source, settings, worker, until="ingest").transcript
        except PipelineError:
            continue
        transcripts.append(read)
        by_doc[read.doc_id] = source
    pairs = pair_gold(gold_files, transcripts)
    comparisons = []
    for path, paired in pairs:
        if paired is None:
            continue
        result = process_document(by_doc[paired.doc_id], settings, worker, until="tag")
        gold = gold_keys(parse_gold(path.read_text(encoding="utf-8"), str(path)))
        predicted = predicted_keys(result.mentions)
        comparisons.append(compare(path.stem, gold, predicted, result.mentions))
    unmatched = tuple(path for path, t in pairs if t is None)
    return Evaluation(tuple(comparisons), unmatched)
