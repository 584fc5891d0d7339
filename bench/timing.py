"""Leave-one-out accuracy of word timing: remove one interior marker, predict its
time from the others, compare with the real one. Prints mean and max absolute
error per transcript, against spreading time by characters in the same run.

    .venv/bin/python bench/timing.py [PATH...]   (default: transcripts/ tests/corpus/)
"""

from __future__ import annotations

import statistics
import sys
from pathlib import Path

from pipeline.ingest import read_many
from pipeline.model import Transcript
from pipeline.timing import speech as seg

ROOT = Path(__file__).resolve().parent.parent
CHARS = seg.SpeechModel(syllable=0.0, char=1.0, word=1.0, comma=0.0, sentence=0.0)


def errors(transcript: Transcript, model: seg.SpeechModel) -> list[int]:
    return [abs(e) for e in seg.leave_one_out(transcript.paragraphs, model)]


def main(paths: list[Path]) -> int:
    print(f"{'transcript':48} {'n':>3} {'model mean':>10} {'max':>6} {'chars mean':>10} {'max':>6}")
    rows = []
    for _path, result in read_many(paths):
        if not isinstance(result, Transcript):
            print(f"skipped: {result}", file=sys.stderr)
            continue
        ours, chars = errors(result, seg.DEFAULT_MODEL), errors(result, CHARS)
        if not ours:
            continue
        rows.append((ours, chars))
        print(
            f"{result.doc_id[:48]:48} {len(ours):3d} {statistics.mean(ours) / 1000:10.3f}"
            f" {max(ours) / 1000:6.2f} {statistics.mean(chars) / 1000:10.3f}"
            f" {max(chars) / 1000:6.2f}"
        )
    all_ours = [e for o, _ in rows for e in o]
    all_chars = [e for _, c in rows for e in c]
    if all_ours:
        print(
            f"{'all':48} {len(all_ours):3d} {statistics.mean(all_ours) / 1000:10.3f}"
            f" {max(all_ours) / 1000:6.2f} {statistics.mean(all_chars) / 1000:10.3f}"
            f" {max(all_chars) / 1000:6.2f}"
        )
        ratio = statistics.mean(all_ours) / statistics.mean(all_chars)
        print(f"mean error ratio model/chars: {ratio:.2f} (seconds; markers are whole seconds)")
    return 0


if __name__ == "__main__":
    args = [Path(a) for a in sys.argv[1:]] or [ROOT / "transcripts", ROOT / "tests" / "corpus"]
    raise SystemExit(main(args))
