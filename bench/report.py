"""What writing the review report costs beside a full run, measured in one invocation.

Generates a corpus of about 100 transcripts of about 1,000 words (paragraphs of the
transcripts in transcripts/ and tests/corpus/, sampled with a seed, with their own
"Skip to" markers every ~2.5 words a second), runs a full ``run_corpus`` on it into a
fresh output folder (every stage, tagging with one worker per core, an empty tag
cache, the index and the report), then times ``write_report`` alone on the same
output folder, from an empty report/ folder each time (best of --repeat), and
prints the ratio. The target is at most 5%.

    .venv/bin/python bench/report.py [--docs 100] [--words 1000] [--repeat 3] [--jobs N]
"""

from __future__ import annotations

import argparse
import os
import random
import shutil
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
WORDS_PER_SECOND = 2.5


def paragraph_pool() -> list[str]:
    from pipeline.ingest import read_many
    from pipeline.model import Transcript

    found = read_many([ROOT / "transcripts", ROOT / "tests" / "corpus"])
    return [p.text for _, t in found if isinstance(t, Transcript) for p in t.paragraphs if p.text]


def marker(ms: int) -> str:
    minutes, seconds = divmod(ms // 1000, 60)
    return f"Skip to {minutes} minutes and {seconds} seconds"


def write_corpus(folder: Path, n_docs: int, words: int, seed: int = 11) -> int:
    """n_docs transcripts under folder/course-<k>/step-<n>.txt; returns the word count."""
    pool = paragraph_pool()
    rng = random.Random(seed)
    total = 0
    for n in range(n_docs):
        paragraphs: list[str] = []
        count = 0
        while count < words:
            text = rng.choice(pool)
            paragraphs.append(text)
            count += len(text.split())
        lines = [
            "This content is taken from the Example University's online course,"
            f" Course {n % 10}. Join the course to learn more.",
            "",
        ]
        at = rng.randrange(0, 8) * 1000
        for text in paragraphs:
            lines += [f"{marker(at)} {text}", ""]
            at += round(len(text.split()) / WORDS_PER_SECOND) * 1000
        path = folder / f"course-{n % 10}" / f"step-{n:03d}.txt"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text("\n".join(lines), encoding="utf-8")
        total += count
    return total


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--docs", type=int, default=100)
    parser.add_argument("--words", type=int, default=1000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 1)
    args = parser.parse_args()

    from pipeline.report import write_report
    from pipeline.run.corpus import Inputs, run_corpus
    from pipeline.run.executors import make_executor
    from pipeline.run.records import record_paths
    from pipeline.settings import Settings

    with tempfile.TemporaryDirectory(prefix="bench-report-") as tmp:
        base = Path(tmp)
        words = write_corpus(base / "in", args.docs, args.words)
        out = base / "out"
        settings = Settings(cache_dir=out / ".cache" / "tags", media=False)
        started = time.perf_counter()
        report = run_corpus(
            Inputs((base / "in",)), out, settings, executor=make_executor("local", args.jobs)
        )
        run_s = time.perf_counter() - started
        if report.failed:
            print(report.to_json(), file=sys.stderr)
            return 1
        doc_ids = [doc_id for doc_id, _ in record_paths(out)]
        times = []
        for _ in range(args.repeat):
            shutil.rmtree(out / "report")  # written afresh, as after a change to every page
            started = time.perf_counter()
            write_report(out, doc_ids, report, profile=settings.profile)
            times.append(time.perf_counter() - started)
        report_s = min(times)
        pages = sum(1 for _ in (out / "report" / "docs").iterdir())
        size = sum(p.stat().st_size for p in (out / "report").rglob("*.html"))
    ratio = report_s / run_s
    print(f"corpus: {len(doc_ids)} documents, {words:,} words, {args.jobs} worker(s)")
    print(f"full run (every stage, index and report): {run_s:8.2f} s")
    print(
        f"write_report alone (best of {args.repeat}):     {report_s:8.2f} s"
        f"  ({pages} pages, {size / 1e6:.1f} MB)"
    )
    verdict = "within" if ratio <= 0.05 else "OVER"
    print(f"report / full run: {ratio:.1%} ({verdict} the 5% budget)")
    return 0 if ratio <= 0.05 else 1


if __name__ == "__main__":
    raise SystemExit(main())
