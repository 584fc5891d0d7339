"""A generated corpus of page transcripts for benchmarks and scale tests.

Sentences are drawn (seeded) from the transcripts in ``tests/corpus`` and
``transcripts``, with names and numbers varied per document so that no two
documents share a paragraph (caches cannot cheat), and written in the page format
with ``Skip to`` markers every 30-45 s of speech at about 2.6 words a second.
"""

from __future__ import annotations

import random
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from pipeline.ingest import read_many  # noqa: E402
from pipeline.timing import split_sentences  # noqa: E402

NAMES = [
    "Amara Okafor",
    "Liam Byrne",
    "Sofia Marques",
    "Tomasz Nowak",
    "Priya Raman",
    "Grace Lindqvist",
    "Daniel Mensah",
    "Hannah Clarke",
    "Yusuf Demir",
    "Elena Rossi",
]
PLACES = ["Leeds", "Cardiff", "Glasgow", "Bristol", "Belfast", "Norwich", "Exeter", "York"]
HEADER = (
    "Want to keep learning?\n\n"
    "This content is taken from the University of {place}'s online course, {course}."
    " Join the course to learn more.\n\n"
)
FOOTER = "\n{title}\n\n{description}\n\nShare this video:\n\nThis video is from the free online course:\n\n{course}\n\nUniversity of {place}\n"


def sentences() -> list[str]:
    found: list[str] = []
    for _path, transcript in read_many([ROOT / "tests" / "corpus", ROOT / "transcripts"]):
        if isinstance(transcript, Exception):
            continue
        for paragraph in transcript.paragraphs:
            found.extend(paragraph.text[a:b] for a, b in split_sentences(paragraph.text))
    return found


def clock(seconds: int) -> str:
    minutes, secs = divmod(seconds, 60)
    unit_m = "minute" if minutes == 1 else "minutes"
    unit_s = "second" if secs == 1 else "seconds"
    return f"{minutes}:{secs:02d}Skip to {minutes} {unit_m} and {secs} {unit_s}"


def document(n: int, pool: list[str], words: int = 800) -> str:
    rng = random.Random(n)
    place = rng.choice(PLACES)
    course = f"Course {n % 97}: {rng.choice(['Practice', 'Research', 'Care', 'Learning'])}"
    person = rng.choice(NAMES)
    paragraphs: list[str] = []
    current: list[str] = []
    total = 0
    while total < words:
        sentence = rng.choice(pool)
        # Vary names and numbers so every document's text is its own.
        sentence = re.sub(r"\b\d+\b", lambda m: str(int(m.group()) + n % 13), sentence)
        if rng.random() < 0.15:
            sentence = f"As {person} from {place} said, {sentence[:1].lower()}{sentence[1:]}"
        current.append(sentence)
        total += len(sentence.split())
        if sum(len(s.split()) for s in current) >= rng.randint(80, 115):
            paragraphs.append(" ".join(current))
            current = []
    if current:
        paragraphs.append(" ".join(current))
    lines = [HEADER.format(place=place, course=course)]
    at = rng.randint(3, 9)
    for text in paragraphs:
        lines.append(f"{clock(at)} {text}\n\n")
        at += round(len(text.split()) / 2.6)
    lines.append(
        FOOTER.format(
            title=f"Step {n}: working with families in {place}",
            description=f"In this video {person} talks about practice in {place}.",
            course=course,
            place=place,
        )
    )
    return "".join(lines)


def write_corpus(folder: Path, count: int, words: int = 800) -> list[Path]:
    pool = sentences()
    paths = []
    for n in range(count):
        path = folder / f"course-{n % 20:02d}" / f"step-{n:05d}.txt"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(document(n, pool, words), encoding="utf-8")
        paths.append(path)
    return paths


if __name__ == "__main__":
    import argparse

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("folder", type=Path, help="where to write the transcripts")
    parser.add_argument("count", type=int, nargs="?", default=100, help="how many (100)")
    args = parser.parse_args()
    write_corpus(args.folder, args.count)
    print(f"wrote {args.count} transcripts under {args.folder}")
