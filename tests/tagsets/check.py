"""Check the development and frozen test tag sets: `dev/<stem>.jsonl` against `dev/<stem>.txt`, same for `dev3/`
(the third development batch) and `test/`.

A copy of tests/gold/check_gold.py with the same checks: splits each transcript into timed paragraphs independently
of the pipeline (a `Skip to ...` label, optionally glued to a visible clock, or a clock alone on its line), strips a
leading speaker label, then checks that every gold mention occurs verbatim, in order, without overlap, and reports
speaking rates and unannotated repeats. Corpus requirements here: 600 to 1,200 words, 6 to 14 paragraphs, 2.3 to
2.9 words/s between markers. It also reports how many INTERVENTION mentions the gazetteer already lists (the sets
are meant to be mostly names it does not know); that count is informational only.
Run: python tests/tagsets/check.py [--show-test]
The frozen test set's files are checked as strictly, but only their problems are printed
(with the file's name): their summaries and warnings describe their content, which whoever
tunes the tagger must not read. --show-test prints them too, for whoever maintains the set.
"""

import csv
import json
import os
import re
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
SPLITS = ("dev", "dev3", "dev4", "dev5", "dev6", "test")
SOURCES = {f"{split}/{p.stem}": p for split in SPLITS for p in sorted((HERE / split).glob("*.txt"))}
GOLDS = {f"{split}/{p.stem}" for split in SPLITS for p in (HERE / split).glob("*.jsonl")}
# Transcripts on other subjects: they must have no INTERVENTION gold.
UNRELATED = {
    "dev/rust-systems-lecture",
    "dev/glacial-geology-fieldwork",
    "dev/monetary-history-lecture",
    "dev/baroque-music-interview",
    "dev/marine-engineering-lecture",
    "dev/art-history-gallery-talk",
    "dev/football-club-business-interview",
    "dev/cybersecurity-panel",
    "dev/medieval-history-lecture",
    "dev3/grocery-logistics-case-study",
    "dev3/climate-policy-panel",
    "dev3/mill-town-history-talk",
    "dev3/fintech-founder-interview",
    "dev4/aviation-safety-lecture",
    "dev4/publishing-history-talk",
    "dev4/esports-business-panel",
    "dev4/wine-trade-lecture",
    "dev5/independent-record-labels-lecture",
    "dev5/football-governance-panel",
    "dev5/rover-history-lecture",
    "dev5/york-university-history-talk",
    "dev6/semiconductor-industry-lecture",
    "dev6/opera-house-history-talk",
    "dev6/space-agency-history-lecture",
    "dev6/coffee-trade-interview",
    "test/coral-reef-lecture",
    "test/data-pipelines-interview",
    "test/roman-archaeology-lecture",
    "test/exoplanet-panel",
}
GAZETTEER = HERE.parent.parent / "pipeline" / "tag" / "data" / "interventions.csv"
LABELS = {
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
    "INTERVENTION",
}

CLOCK = r"(?P<clock>\d{1,2}(?::\d{2}){1,2})"
SKIP = r"Skip to (?:(?P<h>\d+) hours?,? )?(?P<m>\d+) minutes? and (?P<s>\d+) seconds?"
SKIP_LINE = re.compile(rf"^{CLOCK}?{SKIP}(?: (?P<rest>.*))?$")
CLOCK_LINE = re.compile(rf"^{CLOCK}$")
SPEAKER = re.compile(r"^(?P<name>[A-Z][A-Z.'’ -]*[A-Z]): ")


def clock_seconds(clock):
    secs = 0
    for part in clock.split(":"):
        secs = secs * 60 + int(part)
    return secs


def paragraphs(text):
    """Return [(start_s, speaker, text, marker_line)] for the timed paragraphs."""
    out, cur = [], None
    for line in text.splitlines():
        m = SKIP_LINE.match(line) or CLOCK_LINE.match(line)
        if m:
            if cur:
                out.append(cur)
            if "s" in m.groupdict() and m["s"] is not None:
                secs = int(m["h"] or 0) * 3600 + int(m["m"]) * 60 + int(m["s"])
                if m["clock"]:
                    assert clock_seconds(m["clock"]) == secs, (
                        f"clock disagrees with label: {line[:60]}"
                    )
                rest = m["rest"] or ""
            else:
                secs, rest = clock_seconds(m["clock"]), ""
            cur = [secs, rest.strip(), line if not rest else line[: len(line) - len(rest)].strip()]
        elif cur is not None:
            if not line.strip():
                if cur[1]:  # a blank line ends a paragraph that has text
                    out.append(cur)
                    cur = None
            else:
                cur[1] = (cur[1] + " " + line.strip()).strip()
    if cur:
        out.append(cur)
    result = []
    for secs, body, marker in out:
        sm = SPEAKER.match(body)
        speaker = sm["name"] if sm else None
        result.append((secs, speaker, body[sm.end() :] if sm else body, marker))
    return result


def check(stem, path, show=True):
    raw = path.read_bytes()
    text = raw.decode("utf-8-sig")
    paras = paragraphs(text)
    gold = [
        json.loads(line)
        for line in (HERE / f"{stem}.jsonl").read_text(encoding="utf-8").splitlines()
    ]
    problems, warnings = [], []
    nwords = [len(p[2].split()) for p in paras]
    rates = [nwords[i] / (paras[i + 1][0] - paras[i][0]) for i in range(len(paras) - 1)]

    spans = {}  # paragraph -> [(start, end)]
    last = (-1, -1)
    for row in gold:
        i, mention, label = row["paragraph"], row["text"], row["label"]
        if set(row) != {"paragraph", "text", "label"}:
            problems.append(f"unexpected keys {sorted(row)}")
        if label not in LABELS:
            problems.append(f"bad label {label!r} for {mention!r}")
        if stem in UNRELATED and label == "INTERVENTION":
            problems.append(f"INTERVENTION in unrelated transcript: {mention!r}")
        if not 0 <= i < len(paras):
            problems.append(f"paragraph {i} out of range for {mention!r}")
            continue
        start_from = last[1] if last[0] == i else 0
        if i < last[0]:
            problems.append(f"out of order: {mention!r} in paragraph {i}")
        at = paras[i][2].find(mention, start_from)
        if at < 0:
            where = "at all" if mention not in paras[i][2] else "after the previous mention"
            problems.append(f"{mention!r} not found in paragraph {i} {where}")
            continue
        spans.setdefault(i, []).append((at, at + len(mention)))
        last = (i, at + len(mention))

    # Any other occurrence of an annotated string that no gold span covers (a missed repeat, or a deliberate skip).
    for mention in sorted({r["text"] for r in gold}, key=str.lower):
        pat = re.compile(rf"(?<![\w-]){re.escape(mention)}(?![\w-])", re.IGNORECASE)
        for i, (_, _, body, _) in enumerate(paras):
            for m in pat.finditer(body):
                if not any(a <= m.start() and m.end() <= b for a, b in spans.get(i, [])):
                    warnings.append(
                        f"unannotated occurrence of {mention!r} in paragraph {i}: "
                        f"...{body[max(0, m.start() - 30) : m.end() + 30]}..."
                    )

    if not 600 <= sum(nwords) <= 1200:
        problems.append("word count outside 600-1200")
    if not 6 <= len(paras) <= 14:
        problems.append("paragraph count outside 6-14")
    if rates and not all(2.3 <= r <= 2.9 for r in rates):
        problems.append("speaking rate outside 2.3-2.9 words/s")
    if not show:
        for p in problems:
            print(f"== {stem}: PROBLEM {p}")
        return problems
    crlf = b"\r\n" in raw
    bom = raw.startswith(b"\xef\xbb\xbf")
    labels = {}
    for r in gold:
        labels[r["label"]] = labels.get(r["label"], 0) + 1
    print(f"== {stem} ({path.name})")
    print(
        f"   paragraphs={len(paras)} words={sum(nwords)} crlf={crlf} bom={bom} "
        f"speakers={sorted({p[1] for p in paras if p[1]})}"
    )
    print(f"   markers: first={paras[0][3]!r} last={paras[-1][3]!r}")
    if rates:
        print(
            f"   words/s between markers: min={min(rates):.2f} max={max(rates):.2f} "
            f"mean={sum(nwords[:-1]) / (paras[-1][0] - paras[0][0]):.2f}"
        )
    print(f"   gold mentions={len(gold)} {dict(sorted(labels.items()))}")
    interventions = [r["text"] for r in gold if r["label"] == "INTERVENTION"]
    if interventions and not BLIND:
        known = sorted({t for t in interventions if t.lower() in KNOWN})
        print(
            f"   INTERVENTION mentions the gazetteer lists: "
            f"{sum(t.lower() in KNOWN for t in interventions)} of {len(interventions)} {known}"
        )
    for w in warnings:
        print(f"   WARNING {w}")
    for p in problems:
        print(f"   PROBLEM {p}")
    return problems


def gazetteer_names():
    """Lower-cased names and aliases in the gazetteer."""
    with GAZETTEER.open(encoding="utf-8", newline="") as f:
        rows = list(csv.DictReader(f))
    names = set()
    for row in rows:
        names.add(row["name"].lower())
        names.update(a.strip().lower() for a in row["aliases"].split(";") if a.strip())
    return names


# TAGSET_BLIND=1: no gazetteer counts (for writers who must not know which names it lists).
BLIND = bool(os.environ.get("TAGSET_BLIND"))
KNOWN = gazetteer_names() if GAZETTEER.exists() and not BLIND else set()


def main():
    show_test = "--show-test" in sys.argv[1:]
    bad = 0
    for stem in sorted(GOLDS - set(SOURCES)):
        print(f"== {stem}: gold file without transcript")
        bad += 1
    for stem in sorted(UNRELATED - set(SOURCES)):
        print(f"== {stem}: listed as unrelated but missing")
        bad += 1
    for stem, path in SOURCES.items():
        if not (HERE / f"{stem}.jsonl").exists():
            print(f"== {stem}: no gold file")
            bad += 1
            continue
        bad += len(check(stem, path, show=show_test or not stem.startswith("test/")))
    print(f"\n{len(SOURCES)} files checked, {bad} problem(s)")
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
