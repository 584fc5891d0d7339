"""Sentence splitting: our rule-based splitter against spaCy's, for speed and accuracy.

Accuracy is exact-match of sentence boundaries on tests/sentences.json (the hard
cases: abbreviations, initials, numbers, quotes, ellipses); speed is characters per
second over every transcript, measured in the same run.

    .venv/bin/python bench/sentences.py
"""

from __future__ import annotations

import importlib.util
import json
import time
from collections.abc import Callable
from pathlib import Path

import spacy

from pipeline.ingest import read_many
from pipeline.model import Transcript
from pipeline.tag import PREFERRED_MODELS
from pipeline.timing import split_sentences

ROOT = Path(__file__).resolve().parent.parent
Splitter = Callable[[str], list[str]]


def ours(text: str) -> list[str]:
    return [text[a:b] for a, b in split_sentences(text)]


def spacy_splitter(nlp: spacy.language.Language) -> Splitter:
    return lambda text: [s.text for s in nlp(text).sents]


def main() -> None:
    cases = json.loads((ROOT / "tests" / "sentences.json").read_text(encoding="utf-8"))
    texts = [
        p.text
        for _, t in read_many([ROOT / "transcripts", ROOT / "tests" / "corpus"])
        if isinstance(t, Transcript)
        for p in t.paragraphs
    ] * 5
    sentencizer = spacy.blank("en")
    sentencizer.add_pipe("sentencizer")
    name = next(m for m in PREFERRED_MODELS if importlib.util.find_spec(m) is not None)
    others = ["tok2vec", "tagger", "parser", "attribute_ruler", "lemmatizer", "ner"]
    senter = spacy.load(name, exclude=others)
    senter.enable_pipe("senter")  # shipped disabled: the parser usually sets sentences
    splitters: dict[str, Splitter] = {
        "rules (ours)": ours,
        "spaCy sentencizer": spacy_splitter(sentencizer),
        "spaCy senter (model)": spacy_splitter(senter),
    }
    chars = sum(len(t) for t in texts)
    print(f"{'splitter':24} {'cases right':>12} {'chars/s':>12} {'vs ours':>8}")
    base = None
    for name, split in splitters.items():
        right = sum(split(c["text"]) == c["sentences"] for c in cases)
        start = time.perf_counter()
        for text in texts:
            split(text)
        rate = chars / (time.perf_counter() - start)
        base = base or rate
        print(f"{name:24} {right:>5}/{len(cases):<6} {rate:12,.0f} {rate / base:8.2f}")


if __name__ == "__main__":
    main()
