"""Build a batch's transcripts and gold from its hand-marked sources (`<batch>/src/*.marked`).

Each `<name>.marked` file: `#key: value` header lines, a `---` line, then one timed paragraph per block
(blank-line separated). A block may start with a speaker label (`NAME: `). Every mention is marked by hand
where it occurs, as `[surface|X]`, X one of the letters in LABELS; the markup is removed in the page and
each mark becomes one gold row, in `<batch>/<name>.txt` and `<batch>/<name>.jsonl`. Marker times are
computed from word counts so that every gap is read at 2.3-2.9 words/s.
Run: python tests/tagsets/gen.py dev3 [name ...]     (dev3 and dev4 are written this way)
"""

import json
import re
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
LABELS = {
    "P": "PERSON",
    "O": "ORG",
    "G": "GPE",
    "L": "LOC",
    "N": "NORP",
    "F": "FAC",
    "E": "EVENT",
    "W": "WORK_OF_ART",
    "R": "PRODUCT",
    "A": "LAW",
    "I": "INTERVENTION",
}
MARK = re.compile(r"\[([^\[\]|]+)\|([A-Z])\]")
SPEAKER = re.compile(r"^([A-Z][A-Z.'’ -]*[A-Z]): ")
RATES = [2.55, 2.7, 2.45, 2.62, 2.5, 2.78, 2.4, 2.66, 2.58, 2.48, 2.72, 2.52]


def unit(n, word):
    return f"{n} {word}" if n == 1 else f"{n} {word}s"


def marker(secs):
    h, rem = divmod(secs, 3600)
    m, s = divmod(rem, 60)
    if h:
        label = f"Skip to {unit(h, 'hour')}, {unit(m, 'minute')} and {unit(s, 'second')}"
        clock = f"{h}:{m:02d}:{s:02d}"
    else:
        label = f"Skip to {unit(m, 'minute')} and {unit(s, 'second')}"
        clock = f"{m}:{s:02d}"
    return label, clock


def build(path, out):
    head, body = path.read_text(encoding="utf-8").split("\n---\n", 1)
    meta = dict(line[1:].split(": ", 1) for line in head.splitlines() if line.startswith("#"))
    blocks = [" ".join(b.split()) for b in body.strip().split("\n\n")]
    secs = int(meta.get("start", "3"))
    out_paras, gold = [], []
    for i, block in enumerate(blocks):
        sm = SPEAKER.match(block)
        label = sm.group(0) if sm else ""
        text = block[len(label) :]
        plain, last = "", 0
        for m in MARK.finditer(text):
            plain += text[last : m.start()]
            gold.append({"paragraph": i, "text": m.group(1), "label": LABELS[m.group(2)]})
            plain += m.group(1)
            last = m.end()
        plain += text[last:]
        assert "[" not in plain and "]" not in plain and "|" not in plain, (path.name, i, plain)
        words = len(plain.split())
        out_paras.append((secs, label + plain))
        if i == len(blocks) - 1:
            break
        ok = [d for d in range(1, 200) if 2.32 <= words / d <= 2.88]
        if not ok:
            print(
                f"{path.name}: paragraph {i} has {words} words: no whole-second gap fits 2.3-2.9 words/s"
            )
            ok = [max(1, round(words / 2.6))]
        secs += min(ok, key=lambda d: abs(words / d - RATES[i % len(RATES)]))
    style = meta["style"]
    lines = ["Want to keep learning?", "", meta["header"], ""]
    for secs, text in out_paras:
        label, clock = marker(secs)
        if style == "plain":
            lines += [f"{label} {text}", ""]
        elif style == "glued":
            lines += [f"{clock}{label} {text}", ""]
        elif style == "alone":
            lines += [clock, text, ""]
        elif style == "skipline":
            lines += [label, text, ""]
        else:
            raise ValueError(style)
    lines += [
        meta["title"],
        "",
        meta["desc1"],
        "",
        meta["desc2"],
        "",
        "Share this video:",
        "",
        "This video is from the free online course:",
        "",
        meta["course"],
        "",
        meta["institution"],
        "",
        "Get a taste of this course",
        "",
        "Find out what this course is like by previewing some of the course steps before you join:",
    ]
    nl = meta.get("newline", "lf")
    sep = "\r\n" if nl == "crlf" else "\n"
    page = sep.join(lines) + ("" if nl == "none" else sep)
    if meta.get("quotes") == "curly":
        page = page.replace("'", "\u2019")
        gold = [dict(g, text=g["text"].replace("'", "\u2019")) for g in gold]
    (out / f"{path.stem}.txt").write_bytes(page.encode("utf-8"))
    (out / f"{path.stem}.jsonl").write_text(
        "".join(json.dumps(g, ensure_ascii=False) + "\n" for g in gold), encoding="utf-8"
    )
    return path.stem, len(out_paras), len(gold)


if __name__ == "__main__":
    if len(sys.argv) < 2:
        sys.exit("usage: python tests/tagsets/gen.py BATCH [name ...]   (BATCH: dev3, dev4)")
    out = HERE / sys.argv[1]
    src = out / "src"
    names = sys.argv[2:] or sorted(p.stem for p in src.glob("*.marked"))
    for name in names:
        print(*build(src / f"{name}.marked", out))
