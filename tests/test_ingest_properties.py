"""Hypothesis: rendered transcripts parse back; nothing raises but our own error."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pipeline.errors import TranscriptError
from pipeline.ingest import decode_bytes, format_clock, parse_captions, parse_transcript

WORDS = st.sampled_from(
    [
        "the",
        "parent",
        "baby",
        "video",
        "group",
        "we",
        "talk",
        "about",
        "time",
        "care",
        "and",
        "of",
        "to",
        "it",
        "is",
        "a",
        "how",
        "why",
        "research",
        "shows",
        "mothers",
        "practise",
        "interaction",
        "sensitive",
    ]
)


@st.composite
def paragraph_texts(draw: st.DrawFn) -> str:
    words = draw(st.lists(WORDS, min_size=1, max_size=30))
    text = " ".join(words)
    text = text[0].upper() + text[1:]
    for _ in range(draw(st.integers(0, 2))):
        i = draw(st.integers(0, len(words) - 1))
        words[i] = words[i] + ","
    return text + draw(st.sampled_from([".", "?", "!", "…"]))


def unit(n: int, name: str) -> str:
    return f"{n} {name}" + ("" if n == 1 else "s")


def label(ms: int, hours_comma: bool) -> str:
    h, rest = divmod(ms // 1000, 3600)
    m, s = divmod(rest, 60)
    if h:
        sep = ", " if hours_comma else " "
        return f"Skip to {unit(h, 'hour')}{sep}{unit(m, 'minute')} and {unit(s, 'second')}"
    return f"Skip to {unit(m, 'minute')} and {unit(s, 'second')}"


STYLES = ["label", "glued", "spaced", "clock-line", "label-line", "clock-prefix", "bullet"]


def render(ms: int, text: str, style: str, hours_comma: bool) -> str:
    if style == "label":
        return f"{label(ms, hours_comma)} {text}"
    if style == "glued":
        return f"{format_clock(ms)}{label(ms, hours_comma)} {text}"
    if style == "spaced":
        return f"{format_clock(ms)} {label(ms, hours_comma)} {text}"
    if style == "clock-line":
        return f"{format_clock(ms)}\n{text}"
    if style == "clock-prefix":
        return f"[{format_clock(ms)}] {text}"
    if style == "bullet":
        return f"• {label(ms, hours_comma)} {text}"
    return f"{label(ms, hours_comma)}\n{text}"


@st.composite
def transcripts(draw: st.DrawFn) -> tuple[str, list[int], list[str]]:
    style = draw(st.sampled_from(STYLES))
    # Leading clocks count as markers only from two lines on (prose can open with a time).
    least = 2 if style == "clock-prefix" else 1
    seconds = draw(st.lists(st.integers(0, 3 * 3600), min_size=least, max_size=12, unique=True))
    times = [s * 1000 for s in sorted(seconds)]
    texts = [draw(paragraph_texts()) for _ in times]
    hours_comma = draw(st.booleans())
    separator = draw(st.sampled_from(["\n\n", "\n"]))
    body = separator.join(
        render(ms, text, style, hours_comma) for ms, text in zip(times, texts, strict=True)
    )
    header = draw(st.sampled_from(["", "Want to keep learning?\n\n"]))
    trailer = draw(
        st.sampled_from(
            ["", "\n\nShare this video:\n\nThis video is from the free online course:\n\nC\n\nI\n"]
        )
    )
    line_end = draw(st.sampled_from(["\n", "\r\n"]))
    return (header + body + trailer).replace("\n", line_end), times, texts


@given(transcripts())
@settings(max_examples=300, suppress_health_check=[HealthCheck.too_slow])
def test_rendered_transcripts_parse_back(case: tuple[str, list[int], list[str]]) -> None:
    text, times, texts = case
    transcript = parse_transcript(text)
    assert [p.start_ms for p in transcript.paragraphs] == times
    assert [p.text for p in transcript.paragraphs] == texts
    assert [p.end_ms for p in transcript.paragraphs] == [*times[1:], None]
    assert transcript.unclassified == ()


@given(st.text(max_size=400))
@settings(max_examples=400)
def test_arbitrary_text_raises_only_our_error(text: str) -> None:
    try:
        transcript = parse_transcript(text)
    except TranscriptError:
        return
    starts = [p.start_ms for p in transcript.paragraphs]
    assert starts == sorted(starts)  # equal markers are legal (turns in the same second)
    assert all(p.text for p in transcript.paragraphs)


MARKERISH = st.sampled_from(
    ["Skip to 1 minute and 3 seconds ", "1:09", "\n", "HI: ", "0:07Skip to 0 minutes and 7 seconds"]
)


@given(st.lists(st.one_of(MARKERISH, st.text(max_size=20)), max_size=20))
@settings(max_examples=400)
def test_marker_soup_raises_only_our_error(parts: list[str]) -> None:
    try:
        parse_transcript("".join(parts))
    except TranscriptError:
        pass


@given(st.binary(max_size=400))
@settings(max_examples=400)
def test_arbitrary_bytes_raise_only_our_error(raw: bytes) -> None:
    try:
        text, _ = decode_bytes(raw)
        parse_transcript(text)
    except TranscriptError:
        pass


@given(st.text(max_size=300), st.sampled_from(["vtt", "srt"]))
@settings(max_examples=300)
def test_arbitrary_captions_raise_only_our_error(text: str, fmt: str) -> None:
    try:
        parse_captions(text, fmt)
    except TranscriptError:
        pass
