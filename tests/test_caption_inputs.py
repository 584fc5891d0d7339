"""Caption files as input: the tolerant WebVTT/SubRip reader, anchors, rolling
captions, errors with file:line and remedy, and round trips through our own writers.

Each test of an issue item is named after the behaviour the issue asks for.
"""

from __future__ import annotations

import itertools
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from pipeline.captions import PROFILES, build_cues, read_cues, to_srt, to_webvtt
from pipeline.cli import app
from pipeline.errors import TranscriptError
from pipeline.ingest import parse_captions, read_transcript
from pipeline.ingest.captions import read_cue_file
from pipeline.model import CAPTIONS, Cue, Metadata, Transcript
from pipeline.timing import build_timeline, segment

runner = CliRunner()


def paragraphs(text: str, fmt: str) -> list[tuple[int, int | None, str | None, str]]:
    transcript = parse_captions(text, fmt)
    return [(p.start_ms, p.end_ms, p.speaker, p.text) for p in transcript.paragraphs]


def anchored(text: str, fmt: str) -> list[tuple[str, int, int, int]]:
    """Every anchor as (its text, start ms, end ms, timing line)."""
    transcript = parse_captions(text, fmt)
    return [
        (p.text[a.start : a.end], a.start_ms, a.end_ms, a.line)
        for p in transcript.paragraphs
        for a in p.anchors
    ]


def repairs(text: str, fmt: str) -> dict[str, int]:
    return {r.kind: r.count for r in parse_captions(text, fmt).repairs}


def error_of(tmp_path: Path, name: str, text: str) -> str:
    path = tmp_path / name
    path.write_text(text)
    with pytest.raises(TranscriptError) as caught:
        read_transcript(path)
    return str(caught.value)


# --- anchors ------------------------------------------------------------------------

TWO_PARAGRAPHS = """WEBVTT

1
00:00:01.000 --> 00:00:03.500
We film the parent

2
00:00:03.600 --> 00:00:05.000
and the baby.

3
00:00:08.000 --> 00:00:10.000
After a pause.
"""


def test_every_paragraph_keeps_one_anchor_per_cue() -> None:
    assert anchored(TWO_PARAGRAPHS, "vtt") == [
        ("We film the parent", 1_000, 3_500, 4),
        ("and the baby.", 3_600, 5_000, 8),
        ("After a pause.", 8_000, 10_000, 12),
    ]
    words = build_timeline(parse_captions(TWO_PARAGRAPHS, "vtt")).words
    assert {w.source for w in words} == {CAPTIONS}
    assert [w.start_ms for w in words if w.text in ("We", "and", "After")] == [1_000, 3_600, 8_000]


def test_re_timing_from_cue_times_a_paragraph_ends_at_its_last_cues_end() -> None:
    first = parse_captions(TWO_PARAGRAPHS, "vtt").paragraphs[0]
    # The paragraph is spoken up to its last cue's end; the silence after it (5-8 s)
    # belongs to no cue, while the paragraph still runs to the next one's start.
    assert first.anchors[-1].end_ms == 5_000
    assert (first.start_ms, first.end_ms) == (1_000, 8_000)


def test_words_are_not_spread_into_the_silence_after_it() -> None:
    transcript = parse_captions(TWO_PARAGRAPHS, "vtt")
    timeline = build_timeline(transcript)
    first = [w for w in timeline.words if w.paragraph == 0]
    assert first[-1].text == "baby." and first[-1].end_ms <= 5_000
    assert not [w for w in timeline.words if w.end_ms > 5_000 and w.start_ms < 8_000]
    assert timeline.end_ms == 10_000


def test_a_known_duration_ends_the_last_paragraph_and_keeps_its_anchors() -> None:
    transcript = parse_captions(TWO_PARAGRAPHS, "vtt", duration_ms=15_000)
    last = transcript.paragraphs[-1]
    assert last.end_ms == 15_000 and [a.end_ms for a in last.anchors] == [10_000]
    assert build_timeline(transcript).words[-1].end_ms <= 10_000


# --- the issue's items ----------------------------------------------------------------

NO_BLANK_LINES = """1
00:00:01,000 --> 00:00:02,000
We film the parent
2
00:00:02,100 --> 00:00:04,000
and the baby.
3
00:00:04,100 --> 00:00:06,000
Then we watch.
"""


def test_an_srt_without_blank_lines_between_cues_a_timing_line_starts_a_new_cue() -> None:
    assert anchored(NO_BLANK_LINES, "srt") == [
        ("We film the parent", 1_000, 2_000, 2),
        ("and the baby.", 2_100, 4_000, 5),
        ("Then we watch.", 4_100, 6_000, 8),
    ]
    assert paragraphs(NO_BLANK_LINES, "srt")[0][3] == (
        "We film the parent and the baby. Then we watch."
    )
    assert repairs(NO_BLANK_LINES, "srt") == {"cues-not-separated": 2}


BLANK_INSIDE = """1
00:00:01,000 --> 00:00:03,000
A blank line

inside the cue.

2
00:00:03,100 --> 00:00:05,000
The next cue.
"""


def test_a_blank_line_inside_an_srt_cue_is_accepted() -> None:
    assert anchored(BLANK_INSIDE, "srt") == [
        ("A blank line inside the cue.", 1_000, 3_000, 2),
        ("The next cue.", 3_100, 5_000, 8),
    ]
    assert repairs(BLANK_INSIDE, "srt") == {"blank-line-in-cue": 1}


def test_a_missing_timing_line_names_file_line_and_remedy(tmp_path: Path) -> None:
    text = "1\n00:00:01,000 --> 00:00:02,000\nFirst.\n\n2\nNo timing here.\n\n3\n"
    text += "00:00:05,000 --> 00:00:06,000\nThird.\n"
    path = tmp_path / "gap.srt"
    assert error_of(tmp_path, "gap.srt", text) == (
        f"{path}:5: cue 2 has no timing line. Add its timing line under the cue number"
        " (such as 00:00:01,000 --> 00:00:03,000), or delete the cue."
    )


def test_a_missing_webvtt_header_is_accepted_with_a_warning_on_line_1() -> None:
    text = "1\n00:00:01.000 --> 00:00:02.000\nNo header.\n"
    transcript = parse_captions(text, "vtt")
    assert transcript.paragraphs[0].text == "No header."
    assert [(w.code, w.line) for w in transcript.warnings] == [("vtt-header", 1)]
    assert "browsers refuse the file without it" in transcript.warnings[0].remedy


@pytest.mark.parametrize(
    ("name", "text", "expected"),
    [
        (
            "bad.srt",
            "1\n00:00:01,000 --> soon\nText\n",
            ":2: the cue timing '00:00:01,000 --> soon' cannot be read. Write it as"
            " hh:mm:ss,mmm --> hh:mm:ss,mmm (such as 00:00:01,000 --> 00:00:03,000).",
        ),
        (
            "bad.vtt",
            "WEBVTT\n\n00:00:01.000 --> 00:00:02.000\nOne.\n\n00:00:03.000 -> 00:00:04.000\n",
            ":6: the cue timing '00:00:03.000 -> 00:00:04.000' cannot be read. Write it as"
            " hh:mm:ss.mmm --> hh:mm:ss.mmm (such as 00:00:01.000 --> 00:00:03.000).",
        ),
        (
            "empty.vtt",
            "WEBVTT\n\n00:00:01.000 --> 00:00:02.000\n<i></i>\n",
            ":3: the caption file's cues hold no text. Check that it is a complete WebVTT or"
            " SubRip file.",
        ),
        (
            "order.srt",
            "1\n00:00:05,000 --> 00:00:06,000\nLate.\n\n2\n00:00:01,000 --> 00:00:02,000\nX.\n",
            ":6: cue at 0:01 starts before the cue before it (0:05). Sort the cues by start time.",
        ),
    ],
)
def test_every_caption_file_error_names_file_and_line_and_the_remedy(
    tmp_path: Path, name: str, text: str, expected: str
) -> None:
    assert error_of(tmp_path, name, text) == f"{tmp_path / name}{expected}"


def test_a_file_with_no_cue_timing_at_all_says_which_line_is_not_the_header(
    tmp_path: Path,
) -> None:
    message = error_of(tmp_path, "notes.vtt", "Just some notes\nabout a video\n")
    assert message == (
        f"{tmp_path / 'notes.vtt'}: not a valid WebVTT file (line 1 is 'Just some notes', not"
        " the 'WEBVTT' header, and no line is a cue timing). Check that it is a WebVTT"
        " file: 'WEBVTT' on the first line, then cues timed hh:mm:ss.mmm --> hh:mm:ss.mmm."
    )


COMMAS = """WEBVTT

00:00:01,000 --> 00:00:02,500
Commas, as SubRip writes them.

00:00:02,600 --> 00:00:04,000
Still read.
"""


def test_vtt_with_srt_style_commas_in_timestamps_is_accepted_with_a_counted_repair() -> None:
    assert anchored(COMMAS, "vtt") == [
        ("Commas, as SubRip writes them.", 1_000, 2_500, 3),
        ("Still read.", 2_600, 4_000, 6),
    ]
    assert repairs(COMMAS, "vtt") == {"timestamp-commas": 2}


def test_captions_lint_reads_vtt_with_srt_style_commas(tmp_path: Path) -> None:
    path = tmp_path / "commas.vtt"
    path.write_text(COMMAS)
    assert [(c.start_ms, c.end_ms, c.lines) for c in read_cues(path)] == [
        (1_000, 2_500, ("Commas, as SubRip writes them.",)),
        (2_600, 4_000, ("Still read.",)),
    ]
    result = runner.invoke(app, ["captions", "--lint", str(path)])
    assert result.exit_code == 0, result.output
    assert f"{path}: 2 cues" in result.stdout


def test_captions_lint_prints_what_the_reader_repaired_by_line(tmp_path: Path) -> None:
    """A lint that measures a repaired cue must say so: the same warnings, by line, as
    ingest gives for the same file; a clean file gets none."""
    path = tmp_path / "backwards.vtt"
    path.write_text(
        "WEBVTT\n\n00:00:02.000 --> 00:00:01.000\nBackwards.\n\n"
        "00:00:03.000 --> 00:00:04.000\nFine.\n"
    )
    result = runner.invoke(app, ["captions", "--lint", str(path)])
    assert result.exit_code == 0, result.output
    assert f"  warning: {path}:3: the cue ends (0:01) before it starts (0:02)" in result.stdout
    clean = tmp_path / "clean.vtt"
    clean.write_text("WEBVTT\n\n00:00:01.000 --> 00:00:02.000\nFine.\n")
    result = runner.invoke(app, ["captions", "--lint", str(clean)])
    assert result.exit_code == 0 and "warning" not in result.stdout


def test_captions_lint_never_prints_a_table_for_a_file_it_could_not_read(
    tmp_path: Path,
) -> None:
    good = tmp_path / "good.srt"
    good.write_text("1\n00:00:01,000 --> 00:00:02,000\nFine.\n")
    empty = tmp_path / "empty.vtt"
    empty.write_text("WEBVTT\n\nNOTE nothing but a note\n")
    broken = tmp_path / "broken.srt"
    broken.write_text("1\n00:00:01,000 --> 00:00:02,000\nFine.\n\n2\n00:00:03 --> later\nX\n")
    result = runner.invoke(app, ["captions", "--lint", str(good), str(empty), str(broken)])
    assert result.exit_code == 1
    assert f"{good}: 1 cues" in result.stdout
    assert f"{empty}: 0 cues" not in result.output and f"{broken}: " not in result.stdout
    assert f"{empty}: the caption file holds no cue with text" in result.output
    assert f"{broken}:6: the cue timing '00:00:03 --> later' cannot be read" in result.output


# The shape video sites generate (\x20: the lone space their files hold).
ROLLING = """WEBVTT
Kind: captions
Language: en

00:00:00.030 --> 00:00:02.270 align:start position:0%
\x20
we<00:00:00.480><c> film</c><00:00:00.960><c> the</c><00:00:01.199><c> parent</c>

00:00:02.270 --> 00:00:02.280 align:start position:0%
we film the parent
\x20

00:00:02.280 --> 00:00:05.150 align:start position:0%
we film the parent
and<00:00:02.700><c> the</c><00:00:03.000><c> baby</c>

00:00:05.150 --> 00:00:05.160 align:start position:0%
and the baby
\x20

00:00:05.160 --> 00:00:07.000 align:start position:0%
and the baby
then<00:00:05.500><c> we</c><00:00:06.000><c> watch</c>
"""


def test_rolling_auto_captions_collapse_the_repeats() -> None:
    transcript = parse_captions(ROLLING, "vtt")
    assert [p.text for p in transcript.paragraphs] == [
        "we film the parent and the baby then we watch"
    ]
    assert {r.kind: r.count for r in transcript.repairs} == {"rolling-captions": 4}
    # Captions and search chunks say every line once.
    segmented = segment(transcript)
    cues = build_cues(transcript, segmented.timeline)
    assert " ".join(c.text for c in cues) == "we film the parent and the baby then we watch"
    assert " ".join(c.text for c in segmented.chunks) == (
        "we film the parent and the baby then we watch"
    )


def test_rolling_auto_captions_keep_the_word_timings_they_carry() -> None:
    assert anchored(ROLLING, "vtt")[:5] == [
        ("we", 30, 480, 5),
        ("film", 480, 960, 5),
        ("the", 960, 1_199, 5),
        ("parent", 1_199, 2_270, 5),
        ("and", 2_280, 2_700, 13),
    ]
    words = build_timeline(parse_captions(ROLLING, "vtt")).words
    assert [(w.text, w.start_ms) for w in words] == [
        ("we", 30),
        ("film", 480),
        ("the", 960),
        ("parent", 1_199),
        ("and", 2_280),
        ("the", 2_700),
        ("baby", 3_000),
        ("then", 5_160),
        ("we", 5_500),
        ("watch", 6_000),
    ]


def test_roll_up_captions_without_word_timings_collapse_too() -> None:
    text = "".join(
        f"{n + 1}\n00:00:0{n},000 --> 00:00:0{n + 1},000\n{lines}\n\n"
        for n, lines in enumerate(
            ["One line", "One line\ntwo lines", "two lines\nthree lines", "three lines\nfour."]
        )
    )
    assert anchored(text, "srt") == [
        ("One line", 0, 1_000, 2),
        ("two lines", 1_000, 2_000, 6),
        ("three lines", 2_000, 3_000, 11),
        ("four.", 3_000, 4_000, 16),
    ]


def test_a_line_repeated_once_in_pop_on_captions_is_kept() -> None:
    text = "WEBVTT\n\n00:01.000 --> 00:02.000\nNo.\n\n00:02.000 --> 00:03.000\nNo.\n\n"
    text += "00:03.000 --> 00:04.000\nYes.\n\n00:04.000 --> 00:05.000\nMaybe.\n"
    assert paragraphs(text, "vtt")[0][3] == "No. No. Yes. Maybe."


def test_ass_override_tags_in_srt_are_stripped() -> None:
    text = "1\n00:00:01,000 --> 00:00:02,000\n{\\an8}At the top,\n{\\i1}in italics{\\i0}.\n"
    assert paragraphs(text, "srt") == [(1_000, 2_000, None, "At the top, in italics.")]
    assert repairs(text, "srt") == {"ass-tags": 3}


def test_a_cue_whose_end_is_before_its_start_is_warned_with_the_line() -> None:
    text = "1\n00:00:01,000 --> 00:00:02,000\nFine.\n\n2\n00:00:04,000 --> 00:00:03,000\n"
    text += "Backwards.\n\n3\n00:00:06,000 --> 00:00:07,000\nFine again.\n"
    transcript = parse_captions(text, "srt")
    assert [(w.code, w.line, w.message) for w in transcript.warnings] == [
        (
            "cue-times",
            6,
            "the cue ends (0:03) before it starts (0:04); it is read as ending at 0:06",
        )
    ]
    assert anchored(text, "srt")[1] == ("Backwards.", 4_000, 6_000, 6)


# --- what players accept ----------------------------------------------------------


def test_vtt_note_style_and_region_blocks_are_not_text() -> None:
    text = """WEBVTT - a title
Kind: captions

NOTE a comment
over two lines

STYLE
::cue { color: yellow }

REGION
id:fred width:40%

1
00:00:01.000 --> 00:00:02.000
Spoken.

NOTE between cues

2
00:00:02.100 --> 00:00:03.000
NOTE is a word in a cue.
"""
    assert paragraphs(text, "vtt") == [(1_000, 3_000, None, "Spoken. NOTE is a word in a cue.")]
    assert parse_captions(text, "vtt").warnings == ()


def test_cue_settings_identifiers_voices_and_entities() -> None:
    text = """WEBVTT

intro
00:00:01.000 --> 00:00:02.500 line:0 position:20% align:start
<v.loud Ann Smith>Caf&eacute; &amp; <b>bold</b> &lt;3 <ruby>漢<rt>kan</rt></ruby>

second-cue
00:00:02.600 --> 00:00:04.000 region:fred
<v Ann Smith>more</v>

00:00:04.100 --> 00:00:05.000
<v Bo>Another voice.
"""
    assert paragraphs(text, "vtt") == [
        (1_000, 4_100, "Ann Smith", "Café & bold <3 漢 more"),
        (4_100, 5_000, "Bo", "Another voice."),
    ]


def test_bom_crlf_and_hourless_timestamps() -> None:
    text = "\ufeffWEBVTT\r\n\r\n00:01.000 --> 00:02.500\r\nShort form.\r\n\r\n"
    text += "01:00:03.000 --> 01:00:04.000\r\nAn hour on.\r\n"
    assert anchored(text, "vtt") == [
        ("Short form.", 1_000, 2_500, 3),
        ("An hour on.", 3_603_000, 3_604_000, 6),
    ]
    kinds = repairs(text, "vtt")
    assert kinds["line-ends"] == 1 and kinds["invisible-characters"] == 1  # counted once


def test_srt_with_dots_without_hours_and_short_fractions_counts_each_repair() -> None:
    text = "1\n00:01.5 --> 00:02.25\nOdd timings.\n"
    assert anchored(text, "srt") == [("Odd timings.", 1_500, 2_250, 2)]
    assert repairs(text, "srt") == {
        "timestamp-dots": 1,
        "timestamp-hours": 1,
        "timestamp-digits": 1,
    }


def test_srt_text_before_the_first_cue_is_warned_about() -> None:
    text = "Downloaded from example.org\n\n1\n00:00:01,000 --> 00:00:02,000\nText.\n"
    transcript = parse_captions(text, "srt")
    assert [p.text for p in transcript.paragraphs] == ["Text."]
    assert [(w.code, w.line) for w in transcript.warnings] == [("outside-cues", 1)]


def test_speaker_labels_in_capitals_open_a_cue() -> None:
    text = "1\n00:00:01,000 --> 00:00:02,000\nHILARY: Hello.\n\n"
    text += "2\n00:00:02,100 --> 00:00:03,000\nTESSA: Hi.\n"
    assert paragraphs(text, "srt") == [
        (1_000, 2_100, "HILARY", "Hello."),
        (2_100, 3_000, "TESSA", "Hi."),
    ]


def test_lint_and_ingest_read_the_same_cues(tmp_path: Path) -> None:
    path = tmp_path / "x.srt"
    path.write_text(NO_BLANK_LINES)
    cues = read_cue_file(NO_BLANK_LINES, "srt").cues
    assert [(c.start_ms, c.end_ms, c.lines) for c in read_cues(path)] == [
        (c.start_ms, c.end_ms, c.lines) for c in cues
    ]


# --- round trips through our own writers ---------------------------------------------

LINE = st.lists(
    st.sampled_from(
        "the a parent baby video & <3 a<b “quoted” 14 2:30 {curly} naïve programme. however,"
        " why? Mellow Babies".split()
    ),
    min_size=1,
    max_size=6,
).map(" ".join)


@st.composite
def cue_lists(draw: st.DrawFn) -> list[Cue]:
    count = draw(st.integers(1, 8))
    lines = draw(st.lists(LINE, min_size=count * 2, max_size=count * 2, unique=True))
    speaker = draw(st.sampled_from([None, "Ann Smith", "Bo", "R&D <team>"]))
    clock = draw(st.integers(0, 9 * 3_600_000))
    cues = []
    for idx in range(count):
        clock += draw(st.integers(0, 3_000))
        duration = draw(st.integers(1, 7_000))
        shown = tuple(lines[2 * idx : 2 * idx + draw(st.integers(1, 2))])
        cues.append(Cue(idx, clock, clock + duration, shown, speaker))
        clock += duration
    return cues


def _document() -> Transcript:
    return Transcript("talk", "talk.txt", "0" * 64, Metadata(), ())


@given(cue_lists(), st.sampled_from(["vtt", "srt"]))
@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
def test_cues_from_our_own_writers_read_back_the_same(cues: list[Cue], fmt: str) -> None:
    text = to_webvtt(_document(), cues, PROFILES["default"]) if fmt == "vtt" else to_srt(cues)
    read = read_cue_file(text, fmt)
    assert read.repairs == () and read.warnings == ()
    assert [(c.start_ms, c.end_ms, c.plain_lines) for c in read.cues] == [
        (c.start_ms, c.end_ms, c.lines) for c in cues
    ]
    if fmt == "vtt":
        assert [c.voice for c in read.cues] == [c.speaker for c in cues]
    # Re-timed into paragraphs, every cue is one anchor with its own text and times.
    transcript = parse_captions(text, fmt)
    assert [
        (p.text[a.start : a.end], a.start_ms, a.end_ms)
        for p in transcript.paragraphs
        for a in p.anchors
    ] == [(c.text, c.start_ms, c.end_ms) for c in cues]


CAPTION_LINES = st.sampled_from(
    [
        "WEBVTT",
        "",
        " ",
        "1",
        "2",
        "NOTE a note",
        "STYLE",
        "00:00:01.000 --> 00:00:02.000",
        "00:00:01,500 --> 00:00:03,000 align:start position:0%",
        "00:02.000 --> 00:04.000",
        "00:00:05,000 --> 00:00:04,000",
        "00:00:06,000 --> soon",
        "we film the parent",
        "we<00:00:01.200><c> film</c><00:00:01.500><c> it</c>",
        "<v Ann>Hello &amp; welcome.",
        "{\\an8}HILARY: Top.",
        "<i>and the baby.</i>",
    ]
)


@given(st.lists(CAPTION_LINES, max_size=30), st.sampled_from(["vtt", "srt"]), st.booleans())
@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
def test_caption_like_files_parse_or_raise_our_error(
    lines: list[str], fmt: str, crlf: bool
) -> None:
    text = ("\r\n" if crlf else "\n").join(lines)
    try:
        transcript = parse_captions(text, fmt)
    except TranscriptError as error:
        # Only a file with no cue at all is an error about no line in particular.
        assert error.issue.remedy and (
            error.issue.line or error.issue.code in ("no-cues", "malformed-captions")
        )
        return
    for paragraph in transcript.paragraphs:
        assert paragraph.text and paragraph.anchors
        for anchor in paragraph.anchors:
            assert 0 <= anchor.start < anchor.end <= len(paragraph.text)
            assert paragraph.start_ms <= anchor.start_ms <= anchor.end_ms
    words = build_timeline(transcript).words
    assert all(a.start_ms <= b.start_ms for a, b in itertools.pairwise(words))


def test_blank_lines_above_the_webvtt_header_are_skipped() -> None:
    transcript = parse_captions("\n\nWEBVTT\n\n00:01.000 --> 00:02.000\nHi.\n", "vtt")
    assert [(p.text, p.line) for p in transcript.paragraphs] == [("Hi.", 5)]
    assert transcript.warnings == ()


def test_a_timing_out_of_range_is_an_error_with_its_line(tmp_path: Path) -> None:
    text = "1\n00:00:01,000 --> 00:00:02,000\nOne.\n\n2\n00:00:75,000 --> 00:00:76,000\nTwo.\n"
    assert error_of(tmp_path, "range.srt", text) == (
        f"{tmp_path / 'range.srt'}:6: the cue timing '00:00:75,000 --> 00:00:76,000' cannot"
        " be read. Write it as hh:mm:ss,mmm --> hh:mm:ss,mmm (such as 00:00:01,000 -->"
        " 00:00:03,000)."
    )


def test_captions_without_sentence_ends_still_make_paragraphs_of_a_minute() -> None:
    text = "WEBVTT\n\n" + "".join(
        f"00:{n * 2 // 60:02d}:{n * 2 % 60:02d}.000 --> 00:{(n * 2 + 2) // 60:02d}:"
        f"{(n * 2 + 2) % 60:02d}.000\nwords without an end {n}\n\n"
        for n in range(90)
    )
    starts = [p.start_ms for p in parse_captions(text, "vtt").paragraphs]
    assert starts == [0, 60_000, 120_000]


def test_a_cut_off_srt_ending_in_the_next_cue_number_warns_about_it() -> None:
    text = "1\n00:00:01,000 --> 00:00:02,000\nLast words.\n\n2\n"
    transcript = parse_captions(text, "srt")
    assert [p.text for p in transcript.paragraphs] == ["Last words."]
    assert [(w.code, w.line) for w in transcript.warnings] == [("stray-number", 5)]
