"""What a run costs besides spaCy, per document, measured in one process.

Generates a corpus (bench/corpus.py), tags every document once with the model (the
"tagging alone" of bench/run.py: read, then the model and rule components), then runs
`run_corpus` over the same documents in this process (`--jobs 1`, the index and the
report assembled as usual) with the model's output replayed from memory, so what is
timed is everything else: timing, document-level tag rules, cues, caption files,
records, tag cache, tables, search database, review report. Rounds alternate the two
measurements, so a machine that slows down part-way affects both; the best round of
each counts.

    .venv/bin/python bench/overhead.py [--docs 150] [--rounds 3]

Prints tagging alone's ms per document, everything else's (the run's time less the
reading it shares with tagging alone), and (tagging + everything else) / tagging:
about what `bench/run.py` reports as run / tagging for `--jobs 1` on a large corpus
(less process start-up), in a minute and with less noise.
"""

from __future__ import annotations

import argparse
import shutil
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "bench"))
from corpus import write_corpus  # noqa: E402


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--docs", type=int, default=150)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()

    from pipeline.native import status

    print(f"compiled modules: {status()}", flush=True)
    from pipeline.ingest import read_transcript
    from pipeline.run.corpus import Inputs, run_corpus
    from pipeline.run.document import worker_for
    from pipeline.settings import Settings
    from pipeline.tag import parts_of
    from pipeline.tag.tagger import Tagger

    scratch = Path(tempfile.mkdtemp(prefix="bench-overhead-"))
    try:
        corpus = scratch / "corpus"
        write_corpus(corpus, args.docs)
        paths = sorted(corpus.rglob("*.txt"))
        settings = Settings()
        tagger = worker_for(settings).tagger  # loaded once, as a worker does
        model = Tagger.records
        replay: dict[tuple[str, ...], object] = {}

        def replayed(self: Tagger, parts: object) -> object:
            return replay[tuple(p.text for p in parts)], False  # type: ignore[attr-defined]

        best_model = best_rest = best_read = float("inf")
        for n in range(args.rounds):
            Tagger.records = model  # type: ignore[method-assign]
            read_s = 0.0
            started = time.perf_counter()
            for path in paths:
                begun = time.perf_counter()
                parts = parts_of(read_transcript(path))
                read_s += time.perf_counter() - begun
                replay[tuple(p.text for p in parts)] = tagger.records(parts)[0]
            model_s = time.perf_counter() - started
            Tagger.records = replayed  # type: ignore[method-assign, assignment]
            # A new folder each round: deleting the last one would slow this one's file
            # creation (ext4 passes over recently freed inodes; see bench/run.py).
            out = scratch / f"out-{n}"
            started = time.perf_counter()
            run_corpus(Inputs((corpus,)), out, settings)
            rest_s = time.perf_counter() - started
            best_model, best_rest = min(best_model, model_s), min(best_rest, rest_s)
            best_read = min(best_read, read_s)
            print(
                f"round {n + 1}: model {1000 * model_s / len(paths):.1f} ms/doc,"
                f" the rest {1000 * rest_s / len(paths):.1f} ms/doc",
                flush=True,
            )
        Tagger.records = model  # type: ignore[method-assign]
        n_docs = len(paths)
        m, r = 1000 * best_model / n_docs, 1000 * best_rest / n_docs
        read = 1000 * best_read / n_docs
        # The run reads each input once: its reading is in "the rest" as in the model's.
        rest = r - read
        print(
            f"\n{n_docs} documents, best of {args.rounds}: tagging alone (read + model)"
            f" {m:.1f} ms/doc (reading {read:.1f}); everything else {rest:.1f} ms/doc:"
            f" run / tagging about {(m + rest) / m:.2f}x"
            f" (target 1.25x: everything else at most {0.25 * m:.1f} ms/doc)"
        )
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
