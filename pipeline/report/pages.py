"""Pages: pure functions from results to HTML text (no file access, no clock).

``index_html(rows, corpus)`` builds the index page, ``document_html(result, page)``
one document's page. Every piece of text from a transcript goes through
``html.escape`` (quotes too), so a transcript holding ``<script>`` or an
``onerror=`` attribute shows it as text. The inline scripts only add behaviour
(sorting, filtering, seeking, loading the caption tracks from their inline copy);
without them every page still reads in full.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from html import escape
from operator import attrgetter

import msgspec

from pipeline import __version__
from pipeline.captions.cues import speed
from pipeline.captions.profiles import PROFILES, Profile
from pipeline.clock import format_clock
from pipeline.model import (
    AUDIO,
    CAPTIONS,
    ESTIMATE,
    INTERVENTION,
    TIMING_SOURCES,
    Cue,
    DocumentResult,
    Mention,
    Paragraph,
    Quality,
)
from pipeline.report.charts import Marker, bars, histogram
from pipeline.report.names import page_name

# Statuses on the index page.
OK, WARNINGS, FAILED = "ok", "warnings", "failed"

# Highlight colours by label; other labels are grey.
LABEL_COLOURS = {
    INTERVENTION: "#ffb3b3",
    "PERSON": "#ffd9a8",
    "ORG": "#c9f2b8",
    "GPE": "#aeeef7",
    "LOC": "#b5cdfa",
    "NORP": "#cfc6ff",
    "FAC": "#f6c9f6",
    "EVENT": "#f5f3a6",
    "WORK_OF_ART": "#e6cdf5",
    "PRODUCT": "#d2f0dd",
    "LAW": "#efe4b8",
}
OTHER_COLOUR = "#dddddd"

# Cue rules, in the order they are shown.
RULES = (
    ("line-length", "line length"),
    ("lines", "lines"),
    ("speed", "reading speed"),
    ("duration", "duration"),
    ("gap", "gap"),
)


def e(value: object) -> str:
    """Text (or an attribute value) escaped for HTML, quotes included."""
    return escape(str(value), quote=True)


def seconds(ms: int) -> str:
    """Milliseconds as seconds for a ``data-start`` attribute: '12.345'."""
    return f"{ms / 1000:.3f}"


def clock_ms(ms: int) -> str:
    """The player's clock with milliseconds: 1:07.250."""
    return f"{format_clock(ms)}.{ms % 1000:03d}"


def percent(share: float) -> str:
    return f"{share * 100:.1f}%"


_NOT_ID = re.compile(r"[^A-Za-z0-9_-]")


def label_class(label: str) -> str:
    return "l-" + _NOT_ID.sub("_", label)


def profile_for(quality: Quality | None, given: Profile | None = None) -> Profile:
    """The rules a document's cues are checked against: ``given``, else the named
    profile its quality report says, with that report's own speed limits."""
    if given is not None:
        return given
    if quality is None:
        return PROFILES["default"]
    base = PROFILES.get(quality.profile, PROFILES["default"])
    return Profile(
        name=quality.profile,
        max_chars_per_line=base.max_chars_per_line,
        max_lines=base.max_lines,
        speed_unit=quality.speed_unit,
        max_speed=quality.max_speed,
        target_speed=quality.target_speed,
        min_duration_ms=base.min_duration_ms,
        max_duration_ms=base.max_duration_ms,
        min_gap_ms=base.min_gap_ms,
    )


# --- shared page parts --------------------------------------------------------------

STYLE = """
:root{--bad:#c0162b;--warn:#9a5b00;--ok:#1d6b35;--muted:#5b6470;--line:#d8dde3}
*{box-sizing:border-box}
body{font:15px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,Arial,sans-serif;margin:0;color:#1d232a;background:#fff}
header,main,footer{max-width:1180px;margin:0 auto;padding:0 18px}
header{padding-top:14px}
h1{font-size:1.45em;margin:.3em 0}
h2{font-size:1.15em;margin:1.4em 0 .5em;border-bottom:1px solid var(--line);padding-bottom:.2em}
a{color:#0b57b0}
.muted{color:var(--muted)}
.small{font-size:.86em}
table{border-collapse:collapse;width:100%;font-size:.92em}
th,td{border-bottom:1px solid var(--line);padding:4px 6px;text-align:left;vertical-align:top}
th{background:#f3f5f7;position:sticky;top:0}
td.num,th.num{text-align:right;font-variant-numeric:tabular-nums}
th button{font:inherit;font-weight:600;background:none;border:0;padding:0;cursor:pointer;color:inherit}
th[aria-sort=ascending] button::after{content:" ▲"}
th[aria-sort=descending] button::after{content:" ▼"}
.bad{color:var(--bad);font-weight:600}
td.bad{background:#fde8ea}
.warn{color:var(--warn)}
.good{color:var(--ok)}
.status-ok{color:var(--ok)}.status-warnings{color:var(--warn)}.status-failed{color:var(--bad);font-weight:600}
.rule{display:inline-block;border-radius:3px;padding:0 4px;margin:0 2px 2px 0;background:var(--bad);color:#fff;font-size:.82em}
.counts{display:flex;flex-wrap:wrap;gap:8px;margin:.5em 0;padding:0;list-style:none}
.counts li{border:1px solid var(--line);border-radius:4px;padding:3px 8px}
.counts li.bad{border-color:var(--bad);background:#fde8ea}
.charts{display:flex;flex-wrap:wrap;gap:18px}
.charts figure{margin:0}
.charts figcaption{font-weight:600;margin-bottom:4px}
svg.chart{max-width:100%;height:auto;background:#fafbfc;border:1px solid var(--line)}
svg .bar{fill:#5b8bd0}svg .axis{stroke:#888}svg .tick{font-size:11px;fill:#333}
svg .limit{stroke:#c0162b;stroke-width:2}svg .limit-label{font-size:11px;fill:#c0162b}
svg .target{stroke:#b06f00;stroke-width:2;stroke-dasharray:4 3}svg .target-label{font-size:11px;fill:#b06f00}
#filter{font:inherit;padding:4px 8px;width:22em;margin:.4em 0}
.player{position:sticky;top:0;background:#fff;padding:6px 0;z-index:2;border-bottom:1px solid var(--line)}
.player video{max-width:100%;max-height:42vh;background:#000}
.player audio{width:100%}
.para{display:grid;grid-template-columns:8.5em 1fr;gap:10px;padding:6px 0;border-bottom:1px dotted var(--line)}
.para .when{font-variant-numeric:tabular-nums}
.para .speaker{font-weight:600}
.src{display:inline-block;font-size:.78em;border-radius:3px;padding:0 4px;border:1px solid}
.src-audio{color:#1d6b35;border-color:#1d6b35}.src-captions{color:#0b57b0;border-color:#0b57b0}.src-estimate{color:#6b5b00;border-color:#a89200}
mark{border-radius:3px;padding:0 1px;color:inherit;cursor:help}
mark.l-INTERVENTION{outline:1px solid #c0162b}
.legend{list-style:none;padding:0;display:flex;flex-wrap:wrap;gap:6px}
.legend li{font-size:.88em}
[data-start]{cursor:pointer}
tr[data-start]:hover,.para[data-start]:hover{background:#f4f8ff}
tr.now{background:#fff4c2!important}
.seek{font:inherit;background:none;border:0;padding:0;color:#0b57b0;text-decoration:underline;cursor:pointer}
code,pre{font-family:ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;font-size:.9em}
pre{white-space:pre-wrap;margin:0}
nav.toc a{margin-right:12px}
""".strip()


def _colour_css() -> str:
    rules = [
        f"mark.{label_class(k)},.legend .{label_class(k)}{{background:{v}}}"
        for k, v in LABEL_COLOURS.items()
    ]
    rules.append(f"mark.l-other,.legend .l-other{{background:{OTHER_COLOUR}}}")
    return "\n".join(rules)


def _page(title: str, body: str, script: str = "") -> str:
    """A whole page: one inline style, the body, one inline script at the end."""
    script_tag = f"<script>\n{script.strip()}\n</script>\n" if script else ""
    return (
        "<!DOCTYPE html>\n"
        '<html lang="en">\n<head>\n<meta charset="utf-8">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f'<meta name="generator" content="transcript-pipeline {e(__version__)}">\n'
        '<link rel="icon" href="data:,">\n'
        f"<title>{e(title)}</title>\n"
        f"<style>\n{STYLE}\n{_colour_css()}\n</style>\n</head>\n<body>\n"
        f"{body}\n{script_tag}</body>\n</html>\n"
    )


# --- the index page -------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class IndexRow:
    """What the index says of one document (None where a failed document has no record)."""

    doc_id: str
    page: str | None  # href of its page from the index; None without a record
    title: str
    status: str  # ok, warnings or failed
    duration_ms: int | None = None
    duration_estimated: bool = False
    cues: int = 0
    over_speed: float | None = None  # share of cues over the reading-speed limit
    audio: float = 0.0
    captions: float = 0.0
    estimate: float = 0.0
    entities: int = 0
    interventions: int = 0
    warnings: tuple[str, ...] = ()
    errors: tuple[str, ...] = ()


@dataclass
class Corpus:
    """The corpus charts' data, gathered while the records stream past: counts of
    values floored to 0.1 (speeds) and to 10 ms (durations), so it stays small
    however many cues there are."""

    profile: Profile | None = None
    speeds: Counter[float] = field(default_factory=Counter)
    durations_ms: Counter[int] = field(default_factory=Counter)
    interventions: Counter[str] = field(default_factory=Counter)

    def add(self, result: DocumentResult, measures: Measures) -> None:
        if self.profile is None:
            self.profile = measures.profile
        rules = self.profile
        other = measures.profile != rules  # another profile's units: measured again
        for check in measures.checks:
            rate = check.speed
            if other:
                text = check.cue.text
                rate = speed(len(text), len(text.split()), check.duration_ms, rules)
            self.speeds[math.floor(rate * 10) / 10 if math.isfinite(rate) else rate] += 1
            self.durations_ms[check.duration_ms // 10 * 10] += 1
        for mention in result.mentions:
            if mention.label == INTERVENTION:
                self.interventions[mention.canonical_name or mention.text] += 1


@dataclass(frozen=True, slots=True)
class Measures:
    """What a document's page, its index row and the charts all need, measured once."""

    profile: Profile
    checks: list[CueCheck]
    shares: dict[str, float]  # timing source -> share of words


_SOURCE = attrgetter("source")


def measure_document(result: DocumentResult, profile: Profile | None = None) -> Measures:
    rules = profile_for(result.quality, profile)
    words = result.timeline.words
    counts = Counter(map(_SOURCE, words))
    shares = {s: counts[s] / len(words) if words else 0.0 for s in TIMING_SOURCES}
    return Measures(rules, cue_checks(result.cues, rules), shares)


def row_for(
    result: DocumentResult, page: str, measures: Measures, errors: Sequence[str] = ()
) -> IndexRow:
    timeline = result.timeline
    interventions = sum(m.label == INTERVENTION for m in result.mentions)
    warnings = tuple(w.render(result.transcript.source) for w in result.warnings)
    status = FAILED if errors else WARNINGS if warnings else OK
    checks = measures.checks
    over = sum("speed" in c.broken for c in checks) / len(checks) if checks else None
    return IndexRow(
        doc_id=result.doc_id,
        page=page,
        title=result.transcript.metadata.step_title or "",
        status=status,
        duration_ms=timeline.end_ms,
        duration_estimated=timeline.end_estimated,
        cues=len(result.cues),
        over_speed=over,
        audio=measures.shares[AUDIO],
        captions=measures.shares[CAPTIONS],
        estimate=measures.shares[ESTIMATE],
        entities=len(result.mentions) - interventions,
        interventions=interventions,
        warnings=warnings,
        errors=tuple(errors),
    )


INDEX_COLUMNS = (
    ("document", False),
    ("status", False),
    ("duration", True),
    ("cues", True),
    ("over speed limit", True),
    ("audio", True),
    ("caption anchors", True),
    ("estimate", True),
    ("entities", True),
    ("interventions", True),
    ("warnings", True),
    ("errors", True),
)

INDEX_SCRIPT = r"""
(function () {
  var table = document.getElementById("documents");
  if (!table) return;
  var body = table.tBodies[0];
  var heads = table.tHead.rows[0].cells;
  Array.prototype.forEach.call(heads, function (th, i) {
    var button = document.createElement("button");
    button.type = "button";
    button.textContent = th.textContent;
    th.textContent = "";
    th.appendChild(button);
    button.addEventListener("click", function () {
      var dir = th.getAttribute("aria-sort") === "ascending" ? -1 : 1;
      Array.prototype.forEach.call(heads, function (h) { h.removeAttribute("aria-sort"); });
      th.setAttribute("aria-sort", dir > 0 ? "ascending" : "descending");
      var rows = Array.prototype.slice.call(body.rows);
      rows.sort(function (a, b) {
        var x = a.cells[i].getAttribute("data-v"), y = b.cells[i].getAttribute("data-v");
        var nx = parseFloat(x), ny = parseFloat(y);
        var c = (!isNaN(nx) && !isNaN(ny)) ? nx - ny : x.localeCompare(y);
        return c * dir;
      });
      rows.forEach(function (r) { body.appendChild(r); });
    });
  });
  var box = document.getElementById("filter");
  box.hidden = false;
  box.addEventListener("input", function () {
    var q = box.value.toLowerCase();
    Array.prototype.forEach.call(body.rows, function (r) {
      r.hidden = q !== "" && r.textContent.toLowerCase().indexOf(q) < 0;
    });
  });
})();
"""


def row_anchor(doc_id: str) -> str:
    """The id of a document's row on the index: 'doc-' and its page name's stem (an
    HTML id holds no spaces; page names never do)."""
    return "doc-" + page_name(doc_id).removesuffix(".html")


def _cell(text: str, value: object, *, num: bool = False, css: str = "") -> str:
    classes = " ".join(c for c in ("num" if num else "", css) if c)
    cls = f' class="{classes}"' if classes else ""
    return f'<td{cls} data-v="{e(value)}">{text}</td>'


def index_row(row: IndexRow) -> str:
    """A document's row of the index page."""
    name = e(row.doc_id)
    link = f'<a href="{e(row.page)}">{name}</a>' if row.page else name
    title = f'<div class="small muted">{e(row.title)}</div>' if row.title else ""
    if row.duration_ms is None:
        duration = _cell("", -1, num=True)
    else:
        shown = ("~" if row.duration_estimated else "") + format_clock(row.duration_ms)
        duration = _cell(e(shown), row.duration_ms, num=True)
    if row.over_speed is None:
        over = _cell("", -1, num=True)
    else:
        over = _cell(
            percent(row.over_speed),
            f"{row.over_speed:.4f}",
            num=True,
            css="bad" if row.over_speed else "",
        )
    warnings = "".join(f"<li>{e(w)}</li>" for w in row.warnings)
    errors = "".join(f"<li>{e(m)}</li>" for m in row.errors)
    warn_cell = f'{len(row.warnings)}<ul class="small">{warnings}</ul>' if row.warnings else "0"
    err_cell = f'{len(row.errors)}<ul class="small">{errors}</ul>' if row.errors else "0"
    cells = [
        _cell(link + title, row.doc_id.lower()),
        _cell(f'<span class="status-{e(row.status)}">{e(row.status)}</span>', row.status),
        duration,
        _cell(str(row.cues), row.cues, num=True),
        over,
        _cell(percent(row.audio), f"{row.audio:.4f}", num=True),
        _cell(percent(row.captions), f"{row.captions:.4f}", num=True),
        _cell(percent(row.estimate), f"{row.estimate:.4f}", num=True),
        _cell(str(row.entities), row.entities, num=True),
        _cell(str(row.interventions), row.interventions, num=True),
        _cell(warn_cell, len(row.warnings), num=True, css="warn" if row.warnings else ""),
        _cell(err_cell, len(row.errors), num=True, css="bad" if row.errors else ""),
    ]
    return f'<tr id="{e(row_anchor(row.doc_id))}">' + "".join(cells) + "</tr>"


def corpus_charts(corpus: Corpus, top: int = 15) -> str:
    profile = corpus.profile or PROFILES["default"]
    unit = profile.speed_unit
    if unit == "wpm":
        width, high = 10.0, max(profile.max_speed + 60, 120.0)
    else:
        width, high = 1.0, max(profile.max_speed + 10, 20.0)
    speeds = histogram(
        corpus.speeds,
        bin_width=width,
        low=0.0,
        high=high,
        title=f"Reading speed of {corpus.speeds.total()} cues ({unit})",
        unit=unit,
        markers=(
            Marker(profile.max_speed, f"limit {profile.max_speed:g}", "limit"),
            Marker(profile.target_speed, f"target {profile.target_speed:g}", "target"),
        ),
    )
    max_s = profile.max_duration_ms / 1000
    durations = histogram(
        Counter({d / 1000: n for d, n in corpus.durations_ms.items()}),
        bin_width=0.5,
        low=0.0,
        high=max(max_s + 2, 4.0),
        title=f"Duration of {corpus.durations_ms.total()} cues (s)",
        unit="seconds",
        markers=(
            Marker(
                profile.min_duration_ms / 1000, f"min {profile.min_duration_ms / 1000:g}", "limit"
            ),
            Marker(max_s, f"max {max_s:g}", "limit"),
        ),
    )
    ranked = sorted(corpus.interventions.items(), key=lambda kv: (-kv[1], kv[0]))[:top]
    interventions = bars(ranked, title=f"The {len(ranked)} most mentioned interventions")
    return (
        '<div class="charts">'
        f'<figure id="chart-speed"><figcaption>Reading speed, all cues (profile {e(profile.name)})</figcaption>{speeds}</figure>'
        f'<figure id="chart-interventions"><figcaption>Most mentioned interventions</figcaption>{interventions}</figure>'
        f'<figure id="chart-durations"><figcaption>Cue durations</figcaption>{durations}</figure>'
        "</div>"
    )


def index_html(
    rows: Sequence[IndexRow],
    corpus: Corpus | None = None,
    *,
    problems: Sequence[str] = (),
    rendered: Mapping[str, str] | None = None,
) -> str:
    """The index page: one row per document, corpus totals and charts. ``rendered``:
    rows already made (``index_row``) by doc_id, as a run keeps them."""
    made = rendered or {}
    corpus = corpus or Corpus()
    heads = "".join(
        f'<th scope="col"{" class=num" if num else ""}>{e(name)}</th>'
        for name, num in INDEX_COLUMNS
    )
    statuses = Counter(r.status for r in rows)
    totals = (
        f"{len(rows)} documents: {statuses[OK]} ok, {statuses[WARNINGS]} with warnings,"
        f" {statuses[FAILED]} failed; {sum(r.cues for r in rows)} cues,"
        f" {sum(r.entities for r in rows)} entities, {sum(r.interventions for r in rows)}"
        " intervention mentions."
    )
    problem_list = ""
    if problems:
        items = "".join(f"<li>{e(p)}</li>" for p in problems)
        problem_list = (
            f'<section id="problems"><h2>Problems</h2><ul class="bad">{items}</ul></section>'
        )
    body = (
        "<header><h1>Transcript pipeline: review report</h1>"
        f'<p class="muted">{e(totals)}</p></header>\n<main>\n'
        f"{problem_list}"
        '<section id="charts"><h2>Corpus</h2>' + corpus_charts(corpus) + "</section>\n"
        '<section id="documents-section"><h2>Documents</h2>'
        '<p class="small muted">Shares of words by where their time comes from: the audio,'
        " caption anchors (cue times of a caption file) or the speech-rate estimate."
        " Over speed limit: the share of cues above the profile's maximum reading speed.</p>"
        '<input id="filter" type="search" placeholder="Filter documents…"'
        ' aria-label="Filter documents" hidden>'
        f'<table id="documents"><thead><tr>{heads}</tr></thead>\n<tbody>\n'
        + "\n".join(made.get(r.doc_id) or index_row(r) for r in rows)
        + "\n</tbody></table></section>\n</main>\n"
        f'<footer class="small muted"><p>Written by transcript-pipeline {e(__version__)}.</p></footer>'
    )
    return _page("Review report", body, INDEX_SCRIPT)


# --- the document page ----------------------------------------------------------------


class CueCheck(msgspec.Struct, frozen=True, gc=False):
    """A cue measured against the profile (a Struct: made in C, a hundred a document)."""

    cue: Cue
    duration_ms: int
    speed: float
    gap_ms: int | None  # from the previous cue's end; None for the first
    broken: tuple[str, ...]  # rule keys (see RULES)


def cue_checks(cues: Sequence[Cue], profile: Profile) -> list[CueCheck]:
    """Each cue measured against the profile, with the rules it breaks."""
    checks = []
    previous: Cue | None = None
    width, most_lines, max_speed = profile.max_chars_per_line, profile.max_lines, profile.max_speed
    shortest, longest, min_gap = (
        profile.min_duration_ms,
        profile.max_duration_ms,
        profile.min_gap_ms,
    )
    for cue in cues:
        duration = cue.end_ms - cue.start_ms
        lines = cue.lines
        text = cue.text
        rate = speed(len(text), len(text.split()), duration, profile)
        gap = None if previous is None else cue.start_ms - previous.end_ms
        broken = []
        if lines and max(map(len, lines)) > width:
            broken.append("line-length")
        if len(lines) > most_lines:
            broken.append("lines")
        if rate > max_speed:
            broken.append("speed")
        if not shortest <= duration <= longest:
            broken.append("duration")
        if gap is not None and gap < min_gap:
            broken.append("gap")
        checks.append(CueCheck(cue, duration, rate, gap, tuple(broken)))
        previous = cue
    return checks


@dataclass(frozen=True, slots=True)
class PageContext:
    """What a document page links to or embeds, worked out by the writer."""

    index_href: str = "../index.html"
    vtt_href: str | None = None
    chapters_href: str | None = None
    srt_href: str | None = None
    quality_href: str | None = None
    media_href: str | None = None  # relative link to a local file, or the video URL
    media_kind: str = "video"  # "video" or "audio"
    media_remote: bool = False
    vtt_text: str | None = None  # inline copies of the tracks, for file:// pages
    chapters_text: str | None = None
    source_lines: Mapping[int, str] = field(default_factory=dict)
    errors: tuple[str, ...] = ()
    profile: Profile | None = None


DOCUMENT_SCRIPT = r"""
(function () {
  var player = document.getElementById("player");
  if (player && location.protocol === "file:") {
    // A page opened from a file is its own origin: the browser refuses the track
    // files beside it, so the tracks load from their inline copies instead.
    Array.prototype.forEach.call(player.querySelectorAll("track[data-vtt]"), function (t) {
      var blob = new Blob([t.getAttribute("data-vtt")], {type: "text/vtt"});
      t.src = URL.createObjectURL(blob);
    });
  }
  document.addEventListener("click", function (event) {
    var target = event.target.closest("[data-start]");
    if (!target || !player) return;
    if (event.target.closest("a[href]") && !event.target.closest(".seek")) return;
    player.currentTime = parseFloat(target.getAttribute("data-start"));
    if (player.paused && player.readyState > 0) { player.play().catch(function () {}); }
  });
  if (!player) return;
  var rows = document.querySelectorAll("#cues tbody tr[data-end]"), current = null;
  player.addEventListener("timeupdate", function () {
    var t = player.currentTime, found = null;
    for (var i = 0; i < rows.length; i++) {
      var r = rows[i];
      if (t >= parseFloat(r.getAttribute("data-start")) && t < parseFloat(r.getAttribute("data-end"))) { found = r; break; }
    }
    if (found === current) return;
    if (current) current.classList.remove("now");
    if (found) found.classList.add("now");
    current = found;
  });
})();
"""


def _source_badge(source: str) -> str:
    label = {AUDIO: "audio", CAPTIONS: "caption anchors", ESTIMATE: "estimate"}.get(source, source)
    return f'<span class="src src-{e(source)}" title="timed from: {e(label)}">{e(label)}</span>'


def _mention_title(m: Mention) -> str:
    parts = [f"{m.label}: {m.text}"]
    if m.canonical_name or m.canonical_id:
        parts.append(f"canonical: {m.canonical_name or ''} ({m.canonical_id or ''})")
    if m.categories:
        parts.append("categories: " + ", ".join(m.categories))
    parts.append(f"source: {m.source}")
    confidence = getattr(m, "confidence", None)
    if confidence is not None:
        parts.append(f"confidence: {confidence:.2f}")
    elif m.source == "gazetteer":
        parts.append("confidence: exact gazetteer match")
    else:
        parts.append("confidence: not scored by the model")
    if m.start_ms is not None:
        parts.append(f"at {format_clock(m.start_ms)}")
    return "\n".join(parts)


def highlight(text: str, mentions: Iterable[Mention]) -> str:
    """``text`` escaped, with each mention wrapped in a ``<mark>`` (overlaps: the
    earlier, then longer, mention wins)."""
    out = []
    at = 0
    for m in sorted(mentions, key=lambda m: (m.start, -m.end, m.mention_id)):
        if m.start < at or m.end > len(text) or m.start >= m.end:
            continue
        out.append(e(text[at : m.start]))
        css = label_class(m.label) if m.label in LABEL_COLOURS else "l-other"
        start = f' data-start="{seconds(m.start_ms)}"' if m.start_ms is not None else ""
        out.append(
            f'<mark class="{css}" id="{e(_anchor(m.mention_id))}" data-label="{e(m.label)}"'
            f' title="{e(_mention_title(m))}"{start}>{e(text[m.start : m.end])}</mark>'
        )
        at = m.end
    out.append(e(text[at:]))
    return "".join(out)


def _anchor(mention_id: str) -> str:
    """A mention's element id: 'm' and the part after '#' of its id."""
    tail = mention_id.rsplit("#", 1)[-1]
    return "mention-" + _NOT_ID.sub("_", tail)


def _paragraph_source(result: DocumentResult, paragraph: Paragraph) -> str:
    sources = result.timeline.sources
    if paragraph.index < len(sources) and sources[paragraph.index] in TIMING_SOURCES:
        return sources[paragraph.index]
    counts = Counter(w.source for w in result.timeline.words if w.paragraph == paragraph.index)
    return counts.most_common(1)[0][0] if counts else ESTIMATE


def _legend(mentions: Sequence[Mention]) -> str:
    counts = Counter(m.label for m in mentions)
    if not counts:
        return '<p class="muted">No entities or intervention names were found.</p>'
    order = [k for k in LABEL_COLOURS if k in counts] + sorted(set(counts) - set(LABEL_COLOURS))
    items = "".join(
        f'<li><mark class="{label_class(k) if k in LABEL_COLOURS else "l-other"}">{e(k)}</mark>'
        f" {counts[k]}</li>"
        for k in order
    )
    return f'<ul class="legend" id="legend">{items}</ul>'


def _player(page: PageContext) -> str:
    if page.media_href is None:
        return ""
    tag = "audio" if page.media_kind == "audio" else "video"
    preload = "none" if page.media_remote else "metadata"
    tracks = []
    if page.vtt_href is not None:
        inline = f' data-vtt="{e(page.vtt_text)}"' if page.vtt_text is not None else ""
        tracks.append(
            f'<track id="captions-track" kind="captions" label="Captions" srclang="en"'
            f' src="{e(page.vtt_href)}" default{inline}>'
        )
    if page.chapters_href is not None:
        inline = f' data-vtt="{e(page.chapters_text)}"' if page.chapters_text is not None else ""
        tracks.append(
            f'<track id="chapters-track" kind="chapters" label="Chapters" srclang="en"'
            f' src="{e(page.chapters_href)}"{inline}>'
        )
    return (
        f'<div class="player"><{tag} id="player" controls preload="{preload}"'
        f' src="{e(page.media_href)}">{"".join(tracks)}'
        f'<a href="{e(page.media_href)}">the media file</a></{tag}></div>'
    )


def _transcript(result: DocumentResult) -> str:
    by_paragraph: dict[int, list[Mention]] = {}
    for m in result.mentions:
        if m.part == "paragraph" and m.paragraph is not None:
            by_paragraph.setdefault(m.paragraph, []).append(m)
    end_of_last = result.timeline.end_ms
    out = []
    for p in result.transcript.paragraphs:
        end = p.end_ms if p.end_ms is not None else end_of_last
        speaker = f'<span class="speaker">{e(p.speaker)}:</span> ' if p.speaker else ""
        out.append(
            f'<div class="para" id="p-{p.index}" data-start="{seconds(p.start_ms)}">'
            f'<div class="when"><button type="button" class="seek" data-start="{seconds(p.start_ms)}">'
            f"{e(format_clock(p.start_ms))}</button>–{e(format_clock(end))}"
            f"<br>{_source_badge(_paragraph_source(result, p))}"
            f'<br><span class="small muted">line {p.line}</span></div>'
            f'<div class="text">{speaker}{highlight(p.text, by_paragraph.get(p.index, ()))}</div></div>'
        )
    return "\n".join(out)


def _rule_counts(checks: Sequence[CueCheck]) -> str:
    counts = Counter(rule for c in checks for rule in c.broken)
    items = "".join(
        f'<li class="{"bad" if counts[key] else ""}" id="count-{key}">{e(name)}:'
        f" <strong>{counts[key]}</strong></li>"
        for key, name in RULES
    )
    broken = sum(bool(c.broken) for c in checks)
    return (
        f'<ul class="counts" id="rule-counts"><li id="count-cues">cues: <strong>{len(checks)}</strong></li>'
        f'<li id="count-broken" class="{"bad" if broken else ""}">cues breaking a rule:'
        f" <strong>{broken}</strong></li>{items}</ul>"
    )


def _cue_table(checks: Sequence[CueCheck], profile: Profile) -> str:
    unit = profile.speed_unit
    rows = []
    for check in checks:
        cue = check.cue
        broken = check.broken
        lines = "<br>".join(map(e, cue.lines))
        speaker = f'<span class="speaker">{e(cue.speaker)}:</span> ' if cue.speaker else ""
        rate = "∞" if math.isinf(check.speed) else f"{check.speed:.1f}"
        gap = "" if check.gap_ms is None else str(check.gap_ms)
        longest = max(map(len, cue.lines), default=0)
        start = seconds(cue.start_ms)
        if broken:  # a few cues: each cell of a broken rule marked, and the rules named
            bad = {key: " bad" for key in broken}
            badges = "".join(
                f'<span class="rule" data-rule="{key}">{e(name)}</span>'
                for key, name in RULES
                if key in bad
            )
        else:
            bad, badges = {}, ""
        rows.append(
            f'<tr id="cue-{cue.idx + 1}" data-start="{start}" data-end="{seconds(cue.end_ms)}"'
            f' data-rules="{" ".join(broken)}">'
            f'<td class="num"><button type="button" class="seek" data-start="{start}">{cue.idx + 1}</button></td>'
            f'<td class="num">{clock_ms(cue.start_ms)}</td><td class="num">{clock_ms(cue.end_ms)}</td>'
            f'<td class="num{bad.get("duration", "")}">{check.duration_ms / 1000:.3f}</td>'
            f'<td class="num{bad.get("speed", "")}">{rate}</td>'
            f'<td class="num{bad.get("lines", "")}">{len(cue.lines)}</td>'
            f'<td class="num{bad.get("line-length", "")}">{longest}</td>'
            f'<td class="num{bad.get("gap", "")}">{gap}</td>'
            f"<td>{speaker}{lines}</td><td>{badges}</td></tr>"
        )
    limits = (
        f"Profile {e(profile.name)}: at most {profile.max_chars_per_line} characters a line,"
        f" {profile.max_lines} lines, {profile.max_speed:g} {unit} (target"
        f" {profile.target_speed:g}), {profile.min_duration_ms}–{profile.max_duration_ms} ms on"
        f" screen, {profile.min_gap_ms} ms between cues."
    )
    return (
        f'<p class="small muted">{limits}</p>'
        '<table id="cues"><thead><tr><th class="num">#</th><th class="num">start</th>'
        '<th class="num">end</th><th class="num">duration (s)</th>'
        f'<th class="num">{e(unit)}</th><th class="num">lines</th><th class="num">longest line</th>'
        '<th class="num">gap (ms)</th><th>text</th><th>rules broken</th></tr></thead>\n<tbody>\n'
        + "\n".join(rows)
        + "\n</tbody></table>"
    )


def _chapters(result: DocumentResult) -> str:
    if not result.chapters:
        return '<p class="muted">No chapters.</p>'
    items = "".join(
        f'<li id="chapter-{n + 1}" data-start="{seconds(c.start_ms)}">'
        f'<button type="button" class="seek" data-start="{seconds(c.start_ms)}">{e(format_clock(c.start_ms))}</button>'
        f"–{e(format_clock(c.end_ms))} {e(c.title)}</li>"
        for n, c in enumerate(result.chapters)
    )
    return f'<ol id="chapters">{items}</ol>'


def _ingest_notes(result: DocumentResult, page: PageContext) -> str:
    t = result.transcript
    parts = []
    if result.warnings:
        rows = []
        for w in result.warnings:
            line = "" if w.line is None else str(w.line)
            text = page.source_lines.get(w.line, "") if w.line is not None else ""
            rows.append(
                f"<tr><td>{e(w.code)}</td><td class=num>{line}</td><td><pre>{e(text)}</pre></td>"
                f"<td>{e(w.message)}</td><td>{e(w.remedy)}</td></tr>"
            )
        parts.append(
            f'<h3>Warnings ({len(result.warnings)})</h3><table id="warnings"><thead><tr><th>code</th>'
            '<th class="num">line</th><th>source line</th><th>message</th><th>remedy</th></tr></thead>'
            f"<tbody>{''.join(rows)}</tbody></table>"
        )
    if t.repairs:
        rows = [
            f"<tr><td>{e(r.kind)}</td><td class=num>{r.count}</td><td>{e(r.detail)}</td></tr>"
            for r in t.repairs
        ]
        parts.append(
            f'<h3>Repairs ({len(t.repairs)})</h3><table id="repairs"><thead><tr><th>kind</th>'
            f'<th class="num">count</th><th>detail</th></tr></thead><tbody>{"".join(rows)}</tbody></table>'
        )
    if t.unclassified:
        rows = [
            f"<tr><td class=num>{u.line}</td><td><pre>{e(u.text)}</pre></td></tr>"
            for u in t.unclassified
        ]
        parts.append(
            f'<h3>Unclassified lines ({len(t.unclassified)})</h3><table id="unclassified"><thead><tr>'
            f'<th class="num">line</th><th>text</th></tr></thead><tbody>{"".join(rows)}</tbody></table>'
        )
    parts.append(
        f'<p class="small muted">{t.boilerplate_lines} lines of page boilerplate were set aside.</p>'
    )
    if len(parts) == 1:
        parts.insert(0, '<p class="good">No warnings and no repairs.</p>')
    return "".join(parts)


def _candidates(result: DocumentResult) -> str:
    if not result.candidates:
        return '<p class="muted">No candidates.</p>'
    rows = []
    for c in result.candidates:
        when = ""
        start = ""
        if c.start_ms is not None:
            start = f' data-start="{seconds(c.start_ms)}"'
            when = (
                f'<button type="button" class="seek"{start}>{e(format_clock(c.start_ms))}</button>'
            )
        where = f"¶{c.paragraph}" if c.paragraph is not None else c.part
        rows.append(
            f"<tr{start}><td>{when}</td><td>{e(where)}</td><td><strong>{e(c.text)}</strong></td>"
            f"<td>{e(c.context)}</td></tr>"
        )
    return (
        '<table id="candidates"><thead><tr><th>time</th><th>where</th><th>name</th>'
        f"<th>context</th></tr></thead><tbody>{''.join(rows)}</tbody></table>"
    )


def _header(result: DocumentResult, page: PageContext, profile: Profile) -> str:
    t = result.transcript
    meta = t.metadata
    title = meta.step_title or t.doc_id
    doc_mentions: dict[str, list[Mention]] = {}
    for m in result.mentions:
        if m.part != "paragraph":
            doc_mentions.setdefault(m.part, []).append(m)
    facts = [x for x in (meta.course, meta.institution) if x]
    links = [
        f'<a href="{e(h)}">{name}</a>'
        for name, h in (
            ("WebVTT", page.vtt_href),
            ("SRT", page.srt_href),
            ("chapters", page.chapters_href),
            ("quality", page.quality_href),
        )
        if h
    ]
    if result.video_url:
        links.append(f'<a href="{e(result.video_url)}">video</a>')
    duration = ("~" if result.timeline.end_estimated else "") + format_clock(result.timeline.end_ms)
    step_title = (
        highlight(meta.step_title, doc_mentions.get("step_title", ()))
        if meta.step_title
        else e(t.doc_id)
    )
    description = ""
    if meta.step_description:
        description = (
            '<p class="small" id="step-description">'
            + highlight(meta.step_description, doc_mentions.get("step_description", ())).replace(
                "\n", "<br>"
            )
            + "</p>"
        )
    errors = ""
    if page.errors:
        items = "".join(f"<li>{e(m)}</li>" for m in page.errors)
        errors = (
            '<section id="errors" class="bad"><p>The last run failed on this document; what'
            f" follows is from an earlier run.</p><ul>{items}</ul></section>"
        )
    return (
        f'<header><p class="small"><a href="{e(page.index_href)}">← all documents</a></p>'
        f'<h1 data-title="{e(title)}">{step_title}</h1>'
        f'<p class="muted">{" · ".join(e(x) for x in facts)}</p>'
        f"{description}"
        f'<p class="small muted">document <code>{e(t.doc_id)}</code> · source <code>{e(t.source)}</code>'
        f" · {len(t.paragraphs)} paragraphs · {len(result.timeline.words)} words · duration"
        f" {e(duration)} · profile {e(profile.name)}</p>"
        f'<p class="small">{" · ".join(links)}</p>{errors}'
        '<nav class="toc small"><a href="#transcript">transcript</a><a href="#cue-list">cues</a>'
        '<a href="#chapter-list">chapters</a><a href="#ingest">warnings and repairs</a>'
        '<a href="#review">review candidates</a></nav></header>'
    )


def document_html(
    result: DocumentResult, page: PageContext | None = None, measures: Measures | None = None
) -> str:
    """One document's page."""
    page = page or PageContext()
    measures = measures or measure_document(result, page.profile)
    profile, checks = measures.profile, measures.checks
    shares = " · ".join(
        f"{name} {percent(measures.shares[source])}"
        for source, name in (
            (AUDIO, "audio"),
            (CAPTIONS, "caption anchors"),
            (ESTIMATE, "estimate"),
        )
    )
    body = (
        _header(result, page, profile)
        + "\n<main>\n"
        + _player(page)
        + _rule_counts(checks)
        + '\n<section id="transcript"><h2>Transcript</h2>'
        f'<p class="small muted">Words timed from: {shares}. Click a time, a paragraph, a'
        " cue or a mention to play from there.</p>"
        + _legend(result.mentions)
        + _transcript(result)
        + '</section>\n<section id="cue-list"><h2>Cues</h2>'
        + _cue_table(checks, profile)
        + '</section>\n<section id="chapter-list"><h2>Chapters</h2>'
        + _chapters(result)
        + '</section>\n<section id="ingest"><h2>Warnings and repairs</h2>'
        + _ingest_notes(result, page)
        + '</section>\n<section id="review"><h2>Review candidates</h2>'
        '<p class="small muted">Names that look like interventions but are not in the gazetteer.</p>'
        + _candidates(result)
        + "</section>\n</main>\n"
        f'<footer class="small muted"><p>Written by transcript-pipeline {e(__version__)}.</p></footer>'
    )
    title = result.transcript.metadata.step_title or result.doc_id
    return _page(f"{title}: review", body, DOCUMENT_SCRIPT)
