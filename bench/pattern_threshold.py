"""Choose the confidence threshold for pattern intervention mentions on the DEV set only.

Tags tests/tagsets/dev once (the model runs once; the threshold only acts in
``assemble``) and, for each threshold, prints the INTERVENTION scores for names the
gazetteer does not list, the precision of pattern mentions, all INTERVENTION, and the
intervention mentions found in the unrelated-subject transcripts. The chosen
threshold maximises F1 on unlisted names with pattern precision >= 0.9 and no
intervention in the unrelated transcripts; among ties, the highest (precision is
the harder target on unseen text). It goes into ``pipeline/tag/patterns.py``
THRESHOLD. Measured (README, Tags): 0.4 to 0.5 tie (unlisted P 1.000, R 0.946), 0.5 chosen.

Never run this on tests/tagsets/test: that set is frozen.

Run: .venv/bin/python bench/pattern_threshold.py
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))

from pipeline.settings import Settings  # noqa: E402
from pipeline.tag import consistency  # noqa: E402
from pipeline.tag.evaluate import (  # noqa: E402
    NEW,
    evaluate,
    known_names,
    scores,
    source_scores,
    split_interventions,
)

DEV = HERE.parent / "tests" / "tagsets" / "dev"
UNRELATED = {
    "rust-systems-lecture",
    "glacial-geology-fieldwork",
    "monetary-history-lecture",
    "baroque-music-interview",
}
THRESHOLDS = (0.0, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9)


def main() -> None:
    known = known_names()
    with tempfile.TemporaryDirectory() as cache:
        settings = Settings(cache_dir=Path(cache))
        print(
            f"{'threshold':>9}  {'new P':>6} {'new R':>6}  {'pattern P':>9}  {'all P':>6} {'all R':>6}  unrelated"
        )
        for threshold in THRESHOLDS:
            consistency.THRESHOLD = threshold
            comparisons = evaluate(DEV, [DEV], settings).comparisons
            new = {s.label: s for s in scores([split_interventions(c, known) for c in comparisons])}
            every = {s.label: s for s in scores(comparisons)}["INTERVENTION"]
            pattern = [
                r
                for r in source_scores(comparisons)
                if r[0] == "pattern" and r[1] == "INTERVENTION"
            ]
            found, right = (pattern[0][2], pattern[0][3]) if pattern else (0, 0)
            stray = sum(
                n
                for c in comparisons
                if c.name in UNRELATED
                for (_, _, label), n in c.fp.items()
                if label == "INTERVENTION"
            )
            s = new.get(NEW)
            p, r = (s.precision, s.recall) if s else (1.0, 0.0)
            print(
                f"{threshold:>9.1f}  {p:>6.3f} {r:>6.3f}  {right / found if found else 1.0:>9.3f}"
                f"  {every.precision:>6.3f} {every.recall:>6.3f}  {stray}"
            )


if __name__ == "__main__":
    main()
