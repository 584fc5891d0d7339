"""Ingest: every input variant of DESIGN.md "The job", and every error, asserted exactly."""

from __future__ import annotations

from pathlib import Path

import pytest

from pipeline.errors import TranscriptError
from pipeline.ingest import (
    decode_bytes,
    doc_id_for,
    format_clock,
    parse_captions,
    parse_transcript,
    read_many,
    read_transcript,
    slugify,
)
from pipeline.model import Metadata, Repair

ROOT = Path(__file__).resolve().parent.parent
SAMPLE = ROOT / "transcripts" / "babies-in-mind" / "methods-of-working-first-year.txt"


def starts(text: str) -> list[int]:
    return [p.start_ms for p in parse_transcript(text).paragraphs]


def error_of(text: str) -> str:
    with pytest.raises(TranscriptError) as caught:
        parse_transcript(text, source="t.txt")
    return str(caught.value)


# --- the real sample ----------------------------------------------------------------


def test_sample_paragraphs_times_and_metadata() -> None:
    transcript = read_transcript(SAMPLE, root=ROOT / "transcripts")
    assert transcript.doc_id == "babies-in-mind/methods-of-working-first-year"
    assert [p.start_ms // 1000 for p in transcript.paragraphs] == [
        7,
        46,
        93,
        136,
        185,
        226,
        261,
        297,
        358,
        396,
    ]
    assert transcript.metadata.course == "Babies in Mind: Why the Parent's Mind Matters"
    assert transcript.metadata.institution == "The University of Warwick"
    assert transcript.metadata.step_title == "Methods of working during the first year"
    assert transcript.metadata.step_description is not None
    assert transcript.metadata.step_description.startswith("In this video we examine")
    assert transcript.unclassified == ()
    assert transcript.warnings == ()
    boilerplate = ("Skip to", "Want to keep", "Share this", "online course", "Get a taste")
    for paragraph in transcript.paragraphs:
        assert not any(b in paragraph.text for b in boilerplate)
        assert paragraph.speaker is None
    assert transcript.paragraphs[0].text.startswith("In this section we’re going")
    assert transcript.paragraphs[-1].text.endswith("a bit more about this approach.")
    assert transcript.paragraphs[-1].end_ms is None
    assert transcript.paragraphs[0].end_ms == 46_000
    assert transcript.paragraphs[3].line == 11


# --- marker variants ----------------------------------------------------------------


def test_label_only_and_singular_forms() -> None:
    text = (
        "Skip to 0 minutes and 1 second Hello there.\n\n"
        "Skip to 1 minute and 0 seconds Next part.\n\n"
        "Skip to 1 minute and 1 second Last part."
    )
    assert starts(text) == [1_000, 60_000, 61_000]


def test_hours_with_and_without_comma() -> None:
    text = (
        "Skip to 59 minutes and 58 seconds One.\n"
        "Skip to 1 hour, 2 minutes and 5 seconds Two.\n"
        "Skip to 1 hour 3 minutes and 40 seconds Three.\n"
        "Skip to 2 hours, 0 minutes and 1 second Four."
    )
    assert starts(text) == [3_598_000, 3_725_000, 3_820_000, 7_201_000]


def test_clock_glued_or_separated_from_label() -> None:
    text = (
        "1:09Skip to 1 minute and 9 seconds Glued.\n\n"
        "1:20 Skip to 1 minute and 20 seconds Spaced.\n\n"
        "1:02:05Skip to 1 hour, 2 minutes and 5 seconds Hours."
    )
    transcript = parse_transcript(text)
    assert [p.start_ms for p in transcript.paragraphs] == [69_000, 80_000, 3_725_000]
    assert [p.text for p in transcript.paragraphs] == ["Glued.", "Spaced.", "Hours."]
    # The clocks agree with their labels; one word over an hour is another matter.
    assert [w.code for w in transcript.warnings] == ["implausible-gap"]


def test_clock_alone_on_its_line_with_paragraph_below() -> None:
    text = "0:07\nFirst paragraph,\nwrapped over two lines.\n\n1:09\nSecond paragraph."
    transcript = parse_transcript(text)
    assert [p.start_ms for p in transcript.paragraphs] == [7_000, 69_000]
    assert transcript.paragraphs[0].text == "First paragraph, wrapped over two lines."
    assert transcript.paragraphs[1].line == 5


def test_clock_line_followed_by_its_label_is_one_marker() -> None:
    text = "1:09\nSkip to 1 minute and 9 seconds Text.\n2:00\nSkip to 2 minutes and 0 seconds More."
    assert starts(text) == [69_000, 120_000]


def test_marker_alone_on_its_line() -> None:
    text = "Skip to 0 minutes and 7 seconds\nThe text below.\n\nSkip to 0 minutes and 20 seconds\nMore."
    transcript = parse_transcript(text)
    assert [p.text for p in transcript.paragraphs] == ["The text below.", "More."]


def test_markers_inline_in_one_line() -> None:
    text = "Skip to 0 minutes and 7 seconds One. Skip to 0 minutes and 9 seconds Two."
    transcript = parse_transcript(text)
    assert [(p.start_ms, p.text) for p in transcript.paragraphs] == [
        (7_000, "One."),
        (9_000, "Two."),
    ]


def test_clock_and_label_disagree_warns_and_uses_label() -> None:
    transcript = parse_transcript("1:10Skip to 1 minute and 9 seconds Text.", source="t.txt")
    assert transcript.paragraphs[0].start_ms == 69_000
    assert [w.render("t.txt") for w in transcript.warnings] == [
        "t.txt:1: clock 1:10 disagrees with label 'Skip to 1 minute and 9 seconds'; using the label."
    ]


def test_blank_lines_inside_a_paragraph_between_markers_are_kept() -> None:
    text = "Skip to 0 minutes and 1 second First half.\n\nSecond half.\n\nSkip to 0 minutes and 9 seconds B."
    assert parse_transcript(text).paragraphs[0].text == "First half. Second half."


# --- speakers -----------------------------------------------------------------------


def test_speaker_labels_leave_the_text_and_carry_over() -> None:
    text = (
        "Skip to 0 minutes and 1 second HILARY KENNEDY: We use video.\n\n"
        "Skip to 0 minutes and 9 seconds And it works.\n\n"
        "Skip to 0 minutes and 20 seconds DR. O'NEILL-SMITH: Indeed. Note: this is prose.\n\n"
        "Skip to 0 minutes and 30 seconds For example: mixed case is not a label."
    )
    paragraphs = parse_transcript(text).paragraphs
    assert [p.speaker for p in paragraphs] == [
        "HILARY KENNEDY",
        "HILARY KENNEDY",
        "DR. O'NEILL-SMITH",
        "DR. O'NEILL-SMITH",
    ]
    assert paragraphs[0].text == "We use video."
    assert paragraphs[2].text == "Indeed. Note: this is prose."
    assert paragraphs[3].text == "For example: mixed case is not a label."


def test_speaker_labels_with_accented_capitals() -> None:
    text = (
        "Skip to 0 minutes and 1 second JOSÉ ÁLVAREZ: Hola.\n\n"
        "Skip to 0 minutes and 9 seconds ŁUKASZ NOWAK: Cześć.\n\n"
        "Skip to 0 minutes and 20 seconds Ça marche: not a label."
    )
    paragraphs = parse_transcript(text).paragraphs
    assert [p.speaker for p in paragraphs] == ["JOSÉ ÁLVAREZ", "ŁUKASZ NOWAK", "ŁUKASZ NOWAK"]
    assert [p.text for p in paragraphs] == ["Hola.", "Cześć.", "Ça marche: not a label."]


# --- boilerplate and metadata -------------------------------------------------------


def test_header_only_metadata_and_other_institution_forms() -> None:
    text = (
        "Want to keep learning?\n\n"
        "This content is taken from The Open University's online course, Start Writing Fiction."
        " Join the course to learn more.\n\n"
        "Skip to 0 minutes and 5 seconds Hello.\n"
    )
    assert parse_transcript(text).metadata == Metadata(
        course="Start Writing Fiction", institution="The Open University"
    )
    text2 = text.replace("The Open University's", "the King's College London's")
    assert parse_transcript(text2).metadata.institution == "King's College London"


def test_step_title_before_the_transcript_and_unclassified_text() -> None:
    text = (
        "2.7\n\nWhy sleep matters\n\nSkip to 0 minutes and 5 seconds Hello.\n\n"
        "Some stray sentence that is not page text.\n"
    )
    transcript = parse_transcript(text, source="t.txt")
    assert transcript.metadata.step_title == "Why sleep matters"
    assert [(u.line, u.text) for u in transcript.unclassified] == [
        (7, "Some stray sentence that is not page text.")
    ]
    assert [w.render("t.txt") for w in transcript.warnings] == [
        "t.txt:7: text outside the transcript is neither a marker nor known page text:"
        " 'Some stray sentence that is not page text.'. It is kept as unclassified; add a"
        " marker if it is spoken."
    ]


def test_trailer_lines_name_course_and_institution() -> None:
    text = (
        "Skip to 0 minutes and 5 seconds Hello.\n\nA title\n\nA description sentence.\n\n"
        "Share this video:\n\nThis video is from the free online course:\n\n"
        "Course Name\n\nSome University\n\nGet a taste of this course\n"
    )
    transcript = parse_transcript(text)
    assert transcript.metadata == Metadata(
        "Course Name", "Some University", "A title", "A description sentence."
    )
    assert transcript.boilerplate_lines == 5
    assert transcript.paragraphs[0].text == "Hello."


# --- encodings and repairs ----------------------------------------------------------

SIMPLE = "Skip to 0 minutes and 5 seconds We don’t stop – café.\n"


@pytest.mark.parametrize(
    ("raw", "repairs"),
    [
        (SIMPLE.encode("utf-8"), []),
        (b"\xef\xbb\xbf" + SIMPLE.encode("utf-8"), [Repair("bom-removed", 1, "utf-8")]),
        (SIMPLE.encode("utf-16"), [Repair("bom-removed", 1, "utf-16-le")]),
        (SIMPLE.encode("utf-16-le"), [Repair("decoded", 1, "as utf-16-le, no BOM")]),
        (SIMPLE.encode("cp1252"), [Repair("decoded", 1, "as Windows-1252, not UTF-8")]),
    ],
)
def test_encodings(raw: bytes, repairs: list[Repair]) -> None:
    text, found = decode_bytes(raw)
    assert found == repairs
    assert parse_transcript(text).paragraphs[0].text == "We don’t stop – café."


def test_mojibake_line_ends_and_nfc_are_repaired_and_counted() -> None:
    text = (
        "Skip to 0 minutes and 5 seconds We donâ€™t know.\r\n\r\n"
        "Skip to 0 minutes and 9 seconds Cafe\u0301\u00a0time.\r\n"
    )
    transcript = parse_transcript(text)
    assert [p.text for p in transcript.paragraphs] == ["We don’t know.", "Café time."]
    assert transcript.repairs == (
        Repair("line-ends", 1, "CRLF to LF, 3 line ends"),
        Repair("mojibake", 1, "donâ€™t -> don’t"),
        Repair("unicode-nfc", 1, "composed characters"),
        Repair("spaces", 1),
    )


def test_cr_only_line_ends() -> None:
    transcript = parse_transcript(
        "Skip to 0 minutes and 5 seconds A.\rSkip to 0 minutes and 9 seconds B."
    )
    assert [p.line for p in transcript.paragraphs] == [1, 2]
    assert transcript.repairs == (Repair("line-ends", 1, "CR to LF, 1 line end"),)


# --- errors -------------------------------------------------------------------------


def test_no_marker() -> None:
    assert error_of("Just some text.\n") == (
        "t.txt: no timing marker found. Each paragraph must start with a marker such as 'Skip"
        " to 1 minute and 33 seconds' or a clock such as '1:33' on its own line; caption files"
        " need the .vtt or .srt extension."
    )


def test_marker_earlier_than_the_one_before() -> None:
    text = "Skip to 0 minutes and 9 seconds A.\n\nSkip to 0 minutes and 8 seconds B."
    assert error_of(text) == (
        "t.txt:3: marker 'Skip to 0 minutes and 8 seconds' (0:08) is earlier than the one"
        " before it at line 1 (0:09). Fix the time, or move the paragraph to where it is spoken."
    )


def test_empty_paragraph() -> None:
    text = "Skip to 0 minutes and 5 seconds\n\nSkip to 0 minutes and 9 seconds B."
    assert error_of(text) == (
        "t.txt:1: the paragraph at 0:05 ('Skip to 0 minutes and 5 seconds') has no text. Add"
        " the paragraph's text after its marker, or delete the marker."
    )


def test_empty_last_paragraph() -> None:
    assert error_of("Skip to 0 minutes and 5 seconds A.\n0:09\n").startswith(
        "t.txt:2: the paragraph at 0:09 ('0:09') has no text."
    )


@pytest.mark.parametrize(
    ("marker", "message"),
    [
        (
            "Skip to 1 minute and 75 seconds",
            "t.txt:1: marker 'Skip to 1 minute and 75 seconds' has 75 seconds; seconds run from"
            " 0 to 59. Correct the marker in the source file (carry the excess into the next"
            " unit).",
        ),
        (
            "Skip to 1 hour, 61 minutes and 5 seconds",
            "t.txt:1: marker 'Skip to 1 hour, 61 minutes and 5 seconds' has 61 minutes; minutes"
            " run from 0 to 59. Correct the marker in the source file (carry the excess into the"
            " next unit).",
        ),
        (
            "1:75",
            "t.txt:1: clock '1:75' is not a valid time; minutes and seconds run from 0 to 59."
            " Correct the clock in the source file.",
        ),
    ],
)
def test_impossible_values(marker: str, message: str) -> None:
    assert error_of(f"{marker}\nText.") == message


def write(tmp_path: Path, name: str, data: bytes) -> Path:
    path = tmp_path / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    return path


def read_error(path: Path, **options: int) -> str:
    with pytest.raises(TranscriptError) as caught:
        read_transcript(path, **options)  # type: ignore[arg-type]
    return str(caught.value)


def test_empty_file(tmp_path: Path) -> None:
    path = write(tmp_path, "e.txt", b" \n\n")
    assert read_error(path) == f"{path}: the file is empty. Paste the transcript text into it."


def test_binary_file(tmp_path: Path) -> None:
    path = write(tmp_path, "b.txt", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00")
    assert read_error(path) == (
        f"{path}:3: the file is binary, not text (a NUL byte). Export the transcript as plain"
        " text (.txt), WebVTT (.vtt) or SubRip (.srt)."
    )


def test_undecodable_with_wrong_encoding_option(tmp_path: Path) -> None:
    path = write(tmp_path, "u.txt", "Skip to 0 minutes and 5 seconds é".encode())
    with pytest.raises(TranscriptError) as caught:
        read_transcript(path, encoding="ascii")
    assert str(caught.value).startswith(f"{path}: cannot decode the file as ascii (")
    assert str(caught.value).endswith("Pass the right --encoding, or re-save the file as UTF-8.")


def test_too_large(tmp_path: Path) -> None:
    path = write(tmp_path, "big.txt", b"Skip to 0 minutes and 5 seconds " + b"word " * 40)
    assert read_error(path, max_bytes=100) == (
        f"{path}: the file is 232 bytes, over the limit of 100. Split it, or raise the limit"
        " with --max-bytes."
    )


# --- caption files ------------------------------------------------------------------

VTT = """WEBVTT

1
00:00:01.000 --> 00:00:03.500
<v Hilary Kennedy>We film the parent

2
00:00:03.600 --> 00:00:05.000
<v Hilary Kennedy>and the baby &amp; we watch.

3
00:00:08.000 --> 00:00:10.000
<v Tessa Baradon>A new voice, <i>after a pause</i>.
"""

SRT = """1
00:00:01,000 --> 00:00:03,500
We film the parent

2
00:00:03,600 --> 00:00:05,000
and the baby.

3
00:00:05,100 --> 00:00:07,000
Then we watch.
"""


def test_vtt_cues_merge_into_paragraphs_with_voices() -> None:
    transcript = parse_captions(VTT, "vtt")
    assert [(p.start_ms, p.end_ms, p.speaker, p.text) for p in transcript.paragraphs] == [
        (1_000, 8_000, "Hilary Kennedy", "We film the parent and the baby & we watch."),
        (8_000, 10_000, "Tessa Baradon", "A new voice, after a pause."),
    ]
    assert [p.line for p in transcript.paragraphs] == [4, 12]


def test_srt_cues_merge_until_a_pause_or_a_long_sentence_run() -> None:
    transcript = parse_captions(SRT, "srt")
    assert [(p.start_ms, p.end_ms, p.text) for p in transcript.paragraphs] == [
        (1_000, 7_000, "We film the parent and the baby. Then we watch.")
    ]


def test_malformed_captions_are_errors(tmp_path: Path) -> None:
    path = write(tmp_path, "bad.vtt", b"not a webvtt file\n")
    assert read_error(path).startswith(f"{path}: not a valid WebVTT file (")
    path = write(tmp_path, "bad.srt", b"1\n00:00:01,000 --> nonsense\nText\n")
    message = read_error(path)
    assert message.startswith(f"{path}:2: ") or message.startswith(f"{path}: ")


def test_caption_files_are_read_from_disk(tmp_path: Path) -> None:
    path = write(tmp_path, "talk.vtt", VTT.encode())
    transcript = read_transcript(path)
    assert transcript.doc_id == "talk"
    assert transcript.paragraphs[0].speaker == "Hilary Kennedy"


# --- ids and batches ----------------------------------------------------------------


def test_doc_ids_are_safe_slugs(tmp_path: Path) -> None:
    assert slugify("Week 1: Intro (v2)") == "week-1-intro-v2"
    assert slugify("..").startswith("u-")
    assert slugify("日本語") == slugify("日本語") and slugify("日本語").startswith("u-")
    root = tmp_path / "in"
    assert doc_id_for(root / "Course A" / "Step 1.txt", root) == "course-a/step-1"
    assert doc_id_for(tmp_path / "elsewhere.txt", root) == "elsewhere"


def test_format_clock() -> None:
    assert [format_clock(ms) for ms in (0, 7_999, 69_000, 3_725_000)] == [
        "0:00",
        "0:07",
        "1:09",
        "1:02:05",
    ]


def test_a_bad_file_does_not_stop_the_good_ones(tmp_path: Path) -> None:
    write(tmp_path, "a.txt", b"Skip to 0 minutes and 5 seconds Good.\n")
    write(tmp_path, "b.txt", b"Skip to 0 minutes and 5 seconds\nSkip to 0 minutes and 1 second X\n")
    write(tmp_path, "c/d.srt", SRT.encode())
    results = list(read_many([tmp_path]))
    assert [(path.name, type(r).__name__) for path, r in results] == [
        ("a.txt", "Transcript"),
        ("b.txt", "TranscriptError"),
        ("d.srt", "Transcript"),
    ]
    bad = results[1][1]
    assert isinstance(bad, TranscriptError) and bad.issue.code == "empty-paragraph"


def test_duplicate_doc_ids_are_reported(tmp_path: Path) -> None:
    write(tmp_path, "a.txt", b"Skip to 0 minutes and 5 seconds Good.\n")
    write(tmp_path, "a.srt", SRT.encode())
    results = list(read_many([tmp_path]))
    error = results[1][1]
    assert isinstance(error, TranscriptError)
    assert str(error) == (
        f"{tmp_path / 'a.txt'}: its document id 'a' is already used by {tmp_path / 'a.srt'}."
        " Rename one of the two files."
    )


def test_missing_path_is_reported(tmp_path: Path) -> None:
    [(_path, result)] = list(read_many([tmp_path / "nope"]))
    assert isinstance(result, TranscriptError)
    assert str(result) == f"{tmp_path / 'nope'}: no such file or folder. Check the path."


def test_known_duration_sets_the_last_end() -> None:
    transcript = parse_transcript("Skip to 0 minutes and 5 seconds A.", duration_ms=9_000)
    assert transcript.paragraphs[-1].end_ms == 9_000
    early = parse_transcript("Skip to 0 minutes and 5 seconds A.", duration_ms=4_000, source="t")
    assert early.paragraphs[-1].end_ms is None
    assert early.warnings[0].code == "duration"


def test_last_paragraph_hard_wrapped_then_page_text_without_blank_lines() -> None:
    text = (
        "Skip to 0 minutes and 5 seconds The last paragraph is wrapped\n"
        "over two lines.\n"
        "Methods of working\n"
        "Share this video:\n"
        "Stray line after the page.\n"
    )
    transcript = parse_transcript(text)
    assert transcript.paragraphs[0].text == "The last paragraph is wrapped over two lines."
    assert transcript.metadata.step_title == "Methods of working"
    assert [u.text for u in transcript.unclassified] == ["Stray line after the page."]


def test_a_fuller_copy_of_the_page() -> None:
    text = (
        "Skip to main content\n1.5\nWhy sleep matters\nVideo\nDownload video: standard or HD\n"
        "Transcript\nSkip to 0 minutes and 5 seconds Hello.\nMark as complete\n"
        "Comments (12)\nGo to next step\n"
    )
    transcript = parse_transcript(text)
    assert [p.text for p in transcript.paragraphs] == ["Hello."]
    assert transcript.metadata.step_title == "Why sleep matters"
    assert transcript.unclassified == () and transcript.boilerplate_lines == 8


def test_leading_clocks_and_bullets() -> None:
    text = "0:07 First paragraph.\n(1:09) Second paragraph.\n[1:30] ANNA: Third."
    paragraphs = parse_transcript(text).paragraphs
    assert [(p.start_ms, p.speaker, p.text) for p in paragraphs] == [
        (7_000, None, "First paragraph."),
        (69_000, None, "Second paragraph."),
        (90_000, "ANNA", "Third."),
    ]
    bullets = "• Skip to 0 minutes and 7 seconds One.\n- Skip to 0 minutes and 9 seconds Two."
    assert [p.text for p in parse_transcript(bullets).paragraphs] == ["One.", "Two."]


def test_a_time_opening_a_prose_line_is_not_a_marker() -> None:
    text = "Skip to 0 minutes and 7 seconds The clinic opens at\n10:30 every day."
    assert [p.text for p in parse_transcript(text).paragraphs] == [
        "The clinic opens at 10:30 every day."
    ]
