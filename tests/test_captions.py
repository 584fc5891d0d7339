"""Captions: invariants over random transcripts, readers agree, golden files, profiles."""

from __future__ import annotations

import io
import itertools
from pathlib import Path

import pysrt
import pytest
import webvtt
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pipeline.captions import (
    PROFILES,
    break_lines,
    build_chapters,
    build_cues,
    chapter_title,
    load_profile,
    measure,
    protected_breaks,
    read_cues,
    to_chapters_vtt,
    to_srt,
    to_webvtt,
)
from pipeline.errors import ConfigError
from pipeline.ingest import parse_transcript, read_transcript
from pipeline.model import Cue, Metadata, Paragraph, Transcript, Word
from pipeline.timing import segment

ROOT = Path(__file__).resolve().parent.parent
SAMPLE = ROOT / "transcripts" / "babies-in-mind" / "methods-of-working-first-year.txt"
GOLDEN = Path(__file__).parent / "golden"
DEFAULT = PROFILES["default"]

WORDS = st.sampled_from(
    "the a parent baby video group of and to in research shows that mothers practise"
    " sensitive interaction, attunement. Mellow Babies University Warwick psychotherapy"
    " parent-infant extraordinarily-long-hyphenated-compound-word-that-overflows 14 &"
    " <tag> “quoted” programme. however, because".split()
)


@st.composite
def transcripts(draw: st.DrawFn) -> Transcript:
    count = draw(st.integers(1, 6))
    paragraphs = []
    clock = draw(st.integers(0, 3_600_000))
    for index in range(count):
        words = draw(st.lists(WORDS, min_size=1, max_size=60))
        duration = draw(st.integers(len(words) * 150, len(words) * 900))
        speaker = draw(st.sampled_from([None, "ANNA", "DR BO"]))
        paragraphs.append(
            Paragraph(index, clock, clock + duration, speaker, " ".join(words), index + 1)
        )
        clock += duration
    last = paragraphs[-1]
    if draw(st.booleans()):
        paragraphs[-1] = Paragraph(last.index, last.start_ms, None, last.speaker, last.text, 1)
    return Transcript("doc", "doc.txt", "0" * 64, Metadata(), tuple(paragraphs))


@given(transcripts(), st.sampled_from(sorted(PROFILES)))
@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
def test_cue_invariants(transcript: Transcript, profile_name: str) -> None:
    profile = PROFILES[profile_name]
    timeline = segment(transcript).timeline
    cues = build_cues(transcript, timeline, profile)
    for cue in cues:
        assert cue.end_ms > cue.start_ms
        assert len(cue.lines) <= profile.max_lines
        for line in cue.lines:
            assert len(line) <= profile.max_chars_per_line or " " not in line
        if cue.first_word != cue.last_word:
            assert cue.end_ms - cue.start_ms <= profile.max_duration_ms
    for before, after in itertools.pairwise(cues):
        assert after.start_ms >= before.start_ms
        assert after.start_ms - before.end_ms >= profile.min_gap_ms
    joined = " ".join(" ".join(c.lines) for c in cues)
    assert joined.split() == " ".join(p.text for p in transcript.paragraphs).split()
    quality = measure(cues, profile)
    assert quality.overlaps == 0 and quality.gaps_under_min == 0


def sample_cues() -> tuple[Transcript, tuple]:  # type: ignore[type-arg]
    transcript = read_transcript(SAMPLE, root=ROOT / "transcripts")
    timeline = segment(transcript).timeline
    return transcript, build_cues(transcript, timeline, DEFAULT)


def test_sample_meets_the_default_profile() -> None:
    _, cues = sample_cues()
    quality = measure(cues, DEFAULT)
    assert quality.longest_line <= 42
    assert quality.most_lines <= 2
    assert quality.overlaps == 0 and quality.gaps_under_min == 0
    assert quality.share_within_max >= 0.98
    assert 0.0 < quality.share_within_target <= quality.share_within_max


def test_vtt_and_srt_read_back_through_both_libraries() -> None:
    transcript, cues = sample_cues()
    vtt = to_webvtt(transcript, cues, DEFAULT)
    srt = to_srt(cues)
    expected = [(c.start_ms, c.end_ms, "\n".join(c.lines)) for c in cues]

    parsed_vtt = webvtt.from_string(vtt)
    assert [
        (c.start_time.in_milliseconds(), c.end_time.in_milliseconds(), c.text)
        for c in parsed_vtt.captions
    ] == expected
    assert len({c.identifier for c in parsed_vtt.captions}) == len(cues)

    parsed_srt = pysrt.from_string(srt, error_handling=pysrt.ERROR_RAISE)
    assert [(i.start.ordinal, i.end.ordinal, i.text) for i in parsed_srt] == expected

    cross_vtt = webvtt.from_buffer(io.StringIO(srt), format="srt")
    assert [
        (c.start_time.in_milliseconds(), c.end_time.in_milliseconds(), c.text)
        for c in cross_vtt.captions
    ] == expected
    cross_srt = pysrt.from_string(
        vtt.split("\n\n", 2)[2].replace("methods-of-working", "x"), error_handling=pysrt.ERROR_PASS
    )
    assert [(i.start.ordinal, i.end.ordinal) for i in cross_srt] == [e[:2] for e in expected]


def _webvtt_py(note: str, blocks: list[tuple[str, int, int, list[str]]]) -> str:
    """What webvtt-py's own writer makes of the same cues: the reference."""
    from pipeline.captions.vtt import vtt_time

    captions = [
        webvtt.Caption(start=vtt_time(a), end=vtt_time(b), text=lines, identifier=ident)
        for ident, a, b, lines in blocks
    ]
    return str(webvtt.WebVTT(captions=captions, header_comments=[note]).content)


@given(transcripts(), st.sampled_from(sorted(PROFILES)))
@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
def test_vtt_is_what_webvtt_py_writes(transcript: Transcript, profile_name: str) -> None:
    """The cue blocks are formatted here, not by webvtt-py's Caption objects (too slow
    for a catalogue): byte for byte what webvtt-py writes, speakers and escapes included."""
    from pipeline.captions.vtt import _provenance, cue_blocks

    profile = PROFILES[profile_name]
    timeline = segment(transcript).timeline
    cues = build_cues(transcript, timeline, profile)
    note = _provenance(transcript, f"profile: {profile.name}")
    assert to_webvtt(transcript, cues, profile) == _webvtt_py(note, cue_blocks(transcript, cues))
    chapters = build_chapters(transcript, timeline)
    blocks = [
        (f"doc-chapter-{n + 1}", c.start_ms, c.end_ms, [c.title.replace("&", "&amp;")])
        for n, c in enumerate(chapters)
    ]
    if all("<" not in c.title and ">" not in c.title for c in chapters):
        note = _provenance(transcript, 'kind: chapters (use as <track kind="chapters">)')
        assert to_chapters_vtt(transcript, chapters) == _webvtt_py(note, blocks)


def test_vtt_of_the_sample_is_what_webvtt_py_writes() -> None:
    from pipeline.captions.vtt import _provenance, cue_blocks

    transcript, cues = sample_cues()
    note = _provenance(transcript, "profile: default")
    assert to_webvtt(transcript, cues, DEFAULT) == _webvtt_py(note, cue_blocks(transcript, cues))


@pytest.mark.parametrize(
    ("ident", "lines"),
    [("a-->b", ["text"]), ("a\nb", ["text"]), ("ok", ["one", "", "two"]), ("ok", ["a --> b"])],
)
def test_vtt_refuses_what_webvtt_py_refuses(ident: str, lines: list[str]) -> None:
    from pipeline.captions.vtt import _webvtt

    with pytest.raises(ValueError):
        _webvtt_py("note", [(ident, 0, 1000, lines)])
    with pytest.raises(ValueError):
        _webvtt("note", [(ident, 0, 1000, lines)])


def test_vtt_keeps_what_webvtt_py_keeps() -> None:
    from pipeline.captions.vtt import _webvtt

    blocks = [("a", 0, 1000, ["one", "two", ""]), ("b", 1000, 2000, []), ("c", 2000, 3000, [" "])]
    assert _webvtt("n1\nn2", blocks) == _webvtt_py("n1\nn2", blocks)


def _pysrt(cues: list[Cue]) -> str:
    """What pysrt's own writer makes of the same cues: the reference."""
    items = pysrt.SubRipFile(
        [
            pysrt.SubRipItem(
                index=cue.idx + 1,
                start=pysrt.SubRipTime.from_ordinal(cue.start_ms),
                end=pysrt.SubRipTime.from_ordinal(cue.end_ms),
                text="\n".join(cue.lines),
            )
            for cue in cues
        ]
    )
    buffer = io.StringIO()
    items.write_into(buffer, eol="\n")
    return buffer.getvalue()


@given(transcripts(), st.sampled_from(sorted(PROFILES)))
@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
def test_srt_is_what_pysrt_writes(transcript: Transcript, profile_name: str) -> None:
    """SubRip is formatted here, not through pysrt's items: byte for byte the same."""
    cues = build_cues(transcript, segment(transcript).timeline, PROFILES[profile_name])
    assert to_srt(cues) == _pysrt(list(cues))


@given(
    st.lists(
        st.tuples(
            st.integers(-5_000, 400 * 3_600_000),
            st.integers(-5_000, 400 * 3_600_000),
            st.lists(st.text(st.characters(blacklist_categories=["Cs"]), max_size=12), max_size=3),
        ),
        max_size=6,
    )
)
@settings(max_examples=200, deadline=None)
def test_srt_times_and_odd_lines_are_what_pysrt_writes(
    items: list[tuple[int, int, list[str]]],
) -> None:
    """Negative times, hours past 99, empty and line-ending texts: as pysrt has them."""
    cues = [Cue(n, a, b, tuple(lines)) for n, (a, b, lines) in enumerate(items)]
    assert to_srt(cues) == _pysrt(cues)


def test_vtt_escapes_and_voices() -> None:
    text = "Skip to 0 minutes and 1 second ANNA LEE: Fish & chips <b>are</b> > salad."
    transcript = parse_transcript(text, doc_id="d")
    timeline = segment(transcript).timeline
    vtt = to_webvtt(transcript, build_cues(transcript, timeline), DEFAULT)
    assert "<v ANNA LEE>Fish &amp; chips &lt;b&gt;are&lt;/b&gt; &gt; salad." in vtt
    assert vtt.startswith("WEBVTT\n\nNOTE\nsource: <text>\nsha256: ")
    assert "\r" not in vtt and not vtt.startswith("\ufeff")
    assert webvtt.from_string(vtt).captions[0].voice == "ANNA LEE"


def words_of(text: str) -> list[Word]:
    out, pos = [], 0
    for n, token in enumerate(text.split()):
        start = text.index(token, pos)
        pos = start + len(token)
        out.append(Word(0, start, pos, token, n * 300, n * 300 + 250))
    return out


def test_line_breaks_avoid_function_words_and_names() -> None:
    words = words_of(
        "We watched the video together with Hilary Kennedy at the University of Warwick"
    )
    blocked = protected_breaks(words)
    laid = break_lines(words, 0, len(words) - 1, DEFAULT, blocked)
    assert laid is not None
    _, lines = laid
    assert len(lines) == 2
    assert all(len(line) <= 42 for line in lines)
    assert lines[0].split()[-1].lower() not in {"the", "with", "at", "of"}
    assert "University of Warwick" in " ".join(lines) and not lines[0].endswith("University")


def test_tagger_spans_are_protected() -> None:
    text = "parents used video interaction guidance at home every single week"
    words = words_of(text)
    start = text.index("video")
    span = (0, start, start + len("video interaction guidance"))
    blocked = protected_breaks(words, [span])
    assert {2, 3} <= blocked


def test_chapters_are_short_and_cover_the_paragraphs() -> None:
    transcript, _ = sample_cues()
    timeline = segment(transcript).timeline
    chapters = build_chapters(
        transcript, timeline, {3: ["Mellow Babies"], 4: ["Mellow Babies", "Video Feedback"]}
    )
    assert len(chapters) == 9  # the 8 s last paragraph joins the one before
    assert all(len(c.title) <= 60 for c in chapters)
    assert chapters[3].title == "Mellow Babies"
    assert chapters[4].title == "Video Feedback"  # not the same title twice in a row
    assert chapters[0].start_ms == 7_000 and chapters[-1].end_ms == timeline.end_ms
    assert chapter_title("So for example, the group meets weekly, for months.") == (
        "The group meets weekly"
    )
    assert (
        chapter_title("Hello. In Britain, by contrast, uptake fell.") == "In Britain, by contrast"
    )
    assert chapter_title("Thanks, Jane. Next question.") == "Thanks, Jane"


@pytest.mark.parametrize("suffix", [".vtt", ".srt", ".chapters.vtt"])
def test_golden_files(suffix: str, update_golden: bool) -> None:
    transcript, cues = sample_cues()
    timeline = segment(transcript).timeline
    # The provenance names the source as given; golden files use the relative path.
    transcript = Transcript(
        transcript.doc_id,
        "transcripts/babies-in-mind/methods-of-working-first-year.txt",
        transcript.sha256,
        transcript.metadata,
        transcript.paragraphs,
    )
    output = {
        ".vtt": lambda: to_webvtt(transcript, cues, DEFAULT),
        ".srt": lambda: to_srt(cues),
        ".chapters.vtt": lambda: to_chapters_vtt(transcript, build_chapters(transcript, timeline)),
    }[suffix]()
    golden = GOLDEN / f"methods-of-working-first-year{suffix}"
    if update_golden:
        golden.write_bytes(output.encode("utf-8"))
    assert golden.read_bytes() == output.encode("utf-8"), "run pytest --update-golden to accept"


def test_profiles_named_and_toml(tmp_path: Path) -> None:
    assert load_profile("bbc").max_chars_per_line == 37
    assert load_profile("dcmp").min_duration_ms == 2000
    custom = tmp_path / "narrow.toml"
    custom.write_text('max_chars_per_line = 30\nmax_speed = 15\nspeed_unit = "cps"\n')
    profile = load_profile(str(custom))
    assert (profile.name, profile.max_chars_per_line, profile.max_speed) == ("narrow", 30, 15.0)
    bad = tmp_path / "bad.toml"
    bad.write_text("max_chars = 3\n")
    with pytest.raises(ConfigError, match="unknown key 'max_chars'"):
        load_profile(str(bad))
    with pytest.raises(ConfigError, match="unknown caption profile 'nope'"):
        load_profile("nope")


def test_lint_reads_existing_files(tmp_path: Path) -> None:
    transcript, cues = sample_cues()
    path = tmp_path / "x.vtt"
    path.write_text(to_webvtt(transcript, cues, DEFAULT))
    assert [c.lines for c in read_cues(path)] == [c.lines for c in cues]
    srt = tmp_path / "x.srt"
    srt.write_text(to_srt(cues))
    assert [(c.start_ms, c.end_ms) for c in read_cues(srt)] == [
        (c.start_ms, c.end_ms) for c in cues
    ]


def test_a_title_abbreviation_does_not_end_a_cue_inside_a_name() -> None:
    from pipeline.captions.cues import break_cost, name_spans, sentence_ends

    text = (
        "This approach was developed over many years of careful research by Prof."
        " Lynne Murray and her colleagues at the University of Reading, who filmed"
        " mothers and babies at home."
    )
    transcript = Transcript(
        "d", "d.txt", "0" * 64, Metadata(), (Paragraph(0, 0, 12_000, None, text, 1),)
    )
    timeline = segment(transcript).timeline
    words = timeline.words
    prof = next(i for i, w in enumerate(words) if w.text == "Prof.")
    assert prof not in sentence_ends(timeline)
    assert any(a <= prof < b for a, b in name_spans(words))
    assert break_cost(words, prof, {prof}) >= 40
    cues = build_cues(transcript, timeline, PROFILES["default"])
    for cue in cues:
        assert not cue.text.endswith("Prof.")
        for line in cue.lines:
            assert not line.endswith("Prof.")
