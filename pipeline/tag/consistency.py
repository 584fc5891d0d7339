"""Document-level tagging: one reading per name.

Runs per document after the model and the rule components (and after the cache: it
reads only the texts and the cached entity records, so it never re-tags). ``apply``
makes every occurrence of an established intervention name (gazetteer hit, or a
pattern name of ``patterns`` at or above ``THRESHOLD``), with or without its head noun
and as its short first word ("Bluebell" after "Bluebell Steps"), INTERVENTION over a
model span on it; then the label repairs of ``repairs`` run.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace

from pipeline.tag.names import INTERVENTION, Ent, occurrences
from pipeline.tag.patterns import REVIEW_MIN, THRESHOLD, find_evidence, score, short_form
from pipeline.tag.repairs import (
    one_label_per_name,
    repair_labels,
    repair_laws,
    repair_organisations,
    repair_people,
    speaker_names,
)


def apply(
    texts: Sequence[str],
    ents: Sequence[Ent],
    *,
    domain: bool,
    threshold: float | None = None,
    speakers: Sequence[str] = (),
) -> tuple[list[Ent], list[Ent]]:
    """The document's spans after document-level consistency, and the pattern names
    below the threshold (default ``THRESHOLD``; for review, one per evidence place)."""
    threshold = THRESHOLD if threshold is None else threshold
    evidence = find_evidence(texts)
    confidence = score(evidence, texts, ents, domain=domain)
    established: dict[str, tuple[float | None, str]] = {}  # name -> (confidence, entry id)
    for e in ents:
        if e.label == INTERVENTION and e.source == "gazetteer":
            text = texts[e.part][e.start : e.end]
            if any(c.isupper() for c in text):
                established.setdefault(text, (None, e.entry_id))
    review: list[Ent] = []
    for name, sure in confidence.items():
        if sure >= threshold:
            established.setdefault(name, (sure, ""))
    for item in evidence:
        low = confidence.get(item.name)
        if low is not None and REVIEW_MIN <= low < threshold:
            review.append(Ent(item.part, item.start, item.end, INTERVENTION, "", "pattern", low))
    for name in list(established):
        short = short_form(name)
        if short and short not in established and established[name][1] == "":
            established[short] = established[name]
    out = list(ents)
    # Longest names first, so "Bluebell Steps" is placed before "Bluebell".
    for name in sorted(established, key=len, reverse=True):
        value, entry_id = established[name]
        for part, text in enumerate(texts):
            for start, end in occurrences(text, name):
                source = "gazetteer" if entry_id else "pattern"
                new = Ent(part, start, end, INTERVENTION, entry_id, source, value)
                out = _place(out, texts, new)
    out = repair_people(texts, out, speaker_names(speakers))
    out = repair_organisations(texts, out)
    out = repair_laws(texts, out)
    out = repair_labels(texts, out)
    out = one_label_per_name(texts, out)
    out = [replace(e, source="model") if e.source == "cue" else e for e in out]
    return sorted(out, key=lambda e: (e.part, e.start)), review


def _place(ents: list[Ent], texts: Sequence[str], new: Ent) -> list[Ent]:
    """Add ``new`` unless an intervention or a longer name already holds its place.

    A model span on it is replaced when what the span has beyond the name is only
    lower case (a head noun, "the"): "Harbour Parents scheme" gives way, "Harbour
    Families Trust" does not.
    """
    text = texts[new.part]
    kept: list[Ent] = []
    for e in ents:
        if e.part != new.part or e.end <= new.start or e.start >= new.end:
            kept.append(e)
            continue
        if e.label == INTERVENTION:
            return ents
        outside = text[e.start : new.start] + " " + text[new.end : e.end]
        if any(w[:1].isupper() for w in outside.split() if w not in ("The",)):
            return ents
    return [*kept, new]
