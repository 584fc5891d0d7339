"""Course pages as they come: the cases real pages showed that the first parser missed.

Each test is named after the behaviour it pins down.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from pipeline.cli import app
from pipeline.errors import ConfigError, TranscriptError
from pipeline.ingest import decode_bytes, parse_transcript, read_transcript
from pipeline.ingest.decode import plausibility
from pipeline.ingest.manifest import Entry, manifest_issues, read_manifest
from pipeline.ingest.pages import TITLE_MAX_WORDS
from pipeline.model import Repair, Transcript

FOOTER = (
    "Share this video:\n\n"
    "This video is from the free online course:\n\n"
    "Ponds and Their Birds\n\n"
    "University of Somewhere\n\n"
    "Get a taste of this course\n"
)
BODY = (
    "Skip to 0 minutes and 4 seconds Ducks spend most of the day on the water.\n\n"
    "Skip to 0 minutes and 12 seconds They feed, wash and keep cool there.\n\n"
)
DESCRIPTION = "In this video we look at how ducks use ponds through the day."


def page(title: str, *, body: str = BODY, description: str = DESCRIPTION) -> str:
    return f"{body}{title}\n\n{description}\n\n{FOOTER}"


def parse(text: str) -> Transcript:
    return parse_transcript(text, source="t.txt")


def error(text: str) -> str:
    with pytest.raises(TranscriptError) as caught:
        parse(text)
    return str(caught.value)


# --- Issue A: the step title is found by its place in the template -------------------


@pytest.mark.parametrize(
    "title",
    [
        "Why do ducks need water?",
        "How do we find planets around other stars?",
        "Ducks need water!",
        "Case study: the village pond",
        "Before you watch:",
        "Ducks need water to keep their feathers clean.",
        "Why ducks need water",
    ],
)
def test_step_title_after_the_transcript_is_found_whatever_its_punctuation(title: str) -> None:
    transcript = parse_transcript(page(title))
    assert transcript.metadata.step_title == title
    assert transcript.metadata.step_description == DESCRIPTION
    assert transcript.metadata.course == "Ponds and Their Birds"
    assert transcript.unclassified == ()
    assert transcript.warnings == ()
    assert transcript.paragraphs[-1].text == "They feed, wash and keep cool there."


def test_question_title_without_blank_line_after_the_last_paragraph() -> None:
    text = BODY.rstrip("\n") + "\nWhy do ducks need water?\n\n" + DESCRIPTION + "\n\n" + FOOTER
    transcript = parse_transcript(text)
    assert transcript.metadata.step_title == "Why do ducks need water?"
    assert transcript.metadata.step_description == DESCRIPTION
    assert transcript.paragraphs[-1].text == "They feed, wash and keep cool there."


def test_last_paragraph_ending_with_a_question_keeps_it() -> None:
    body = (
        "Skip to 0 minutes and 4 seconds Ducks spend most of the day on the water.\n\n"
        "Skip to 0 minutes and 12 seconds So why do ducks need water?\n\n"
    )
    transcript = parse_transcript(page("Ducks and water", body=body))
    assert transcript.paragraphs[-1].text == "So why do ducks need water?"
    assert transcript.metadata.step_title == "Ducks and water"
    assert transcript.metadata.step_description == DESCRIPTION


def test_hard_wrapped_last_paragraph_ending_with_a_question_keeps_it() -> None:
    body = (
        "Skip to 0 minutes and 4 seconds Ducks spend most of the day on the water, and\n"
        "so why do they need it?\n"
    )
    text = body + "Why do ducks need water?\n" + DESCRIPTION + "\n" + "Share this video:\n"
    transcript = parse_transcript(text)
    assert transcript.paragraphs[-1].text == (
        "Ducks spend most of the day on the water, and so why do they need it?"
    )
    assert transcript.metadata.step_title == "Why do ducks need water?"
    assert transcript.metadata.step_description == DESCRIPTION


def test_description_of_several_paragraphs_runs_to_the_footer() -> None:
    second = "We start with feathers; then food."
    text = page("Why do ducks need water?", description=f"{DESCRIPTION}\n\n{second}")
    transcript = parse_transcript(text)
    assert transcript.metadata.step_description == f"{DESCRIPTION}\n{second}"


def test_title_only_before_the_footer() -> None:
    text = BODY + "Why do ducks need water?\n\n" + FOOTER
    transcript = parse_transcript(text)
    assert transcript.metadata.step_title == "Why do ducks need water?"
    assert transcript.metadata.step_description is None


def test_without_a_footer_a_sentence_after_the_transcript_stays_unclassified() -> None:
    # Nothing confirms the template, so a spoken line that lost its marker is not
    # silently taken for a title: it is kept and warned about.
    text = BODY + "Why do ducks need water?\n"
    transcript = parse_transcript(text, source="t.txt")
    assert transcript.metadata.step_title is None
    assert [u.text for u in transcript.unclassified] == ["Why do ducks need water?"]
    assert [w.code for w in transcript.warnings] == ["unclassified"]


def test_speaker_turn_in_the_title_slot_is_not_a_title() -> None:
    text = BODY + "JANE MORRIS: Thank you for having me.\n\n" + FOOTER
    transcript = parse(text)
    assert transcript.metadata.step_title is None
    assert [(u.line, u.text) for u in transcript.unclassified] == [
        (5, "JANE MORRIS: Thank you for having me.")
    ]


def test_long_text_in_the_title_slot_is_not_a_title() -> None:
    long_line = " ".join(["word"] * 20) + "."
    transcript = parse_transcript(page(long_line))
    assert transcript.metadata.step_title is None
    assert [u.text for u in transcript.unclassified] == [long_line, DESCRIPTION]


def test_header_title_repeated_after_the_transcript_gives_the_description() -> None:
    text = "1.4\n\nWhy do ducks need water?\n\n" + page("Why do ducks need water?")
    transcript = parse_transcript(text)
    assert transcript.metadata.step_title == "Why do ducks need water?"
    assert transcript.metadata.step_description == DESCRIPTION
    assert transcript.unclassified == ()


def test_question_title_under_the_step_number_before_the_transcript() -> None:
    text = "Step 2.7\n\nWhy do ducks need water?\n\n" + BODY
    transcript = parse_transcript(text)
    assert transcript.metadata.step_title == "Why do ducks need water?"
    assert transcript.unclassified == ()


def test_step_number_before_a_marker_does_not_name_a_later_line() -> None:
    text = "1.5\nSkip to 0 minutes and 4 seconds Hello.\n\nStray sentence.\n"
    transcript = parse_transcript(text)
    assert transcript.metadata.step_title is None
    assert [u.text for u in transcript.unclassified] == ["Stray sentence."]


# --- Issue B: two speaker turns in the same second ----------------------------------


def test_equal_markers_are_two_turns_in_the_same_second() -> None:
    text = (
        "Skip to 2 minutes and 10 seconds INTERVIEWER: And when the pond freezes?\n\n"
        "Skip to 2 minutes and 24 seconds EXPERT: They move.\n\n"
        "Skip to 2 minutes and 24 seconds INTERVIEWER: Where to?\n\n"
        "Skip to 2 minutes and 26 seconds EXPERT: To open water.\n"
    )
    transcript = parse(text)
    assert [(p.start_ms, p.end_ms, p.speaker) for p in transcript.paragraphs] == [
        (130_000, 144_000, "INTERVIEWER"),
        (144_000, 144_000, "EXPERT"),
        (144_000, 146_000, "INTERVIEWER"),
        (146_000, None, "EXPERT"),
    ]
    assert transcript.warnings == ()


def test_equal_clock_lines_are_two_turns_in_the_same_second() -> None:
    text = "2:24\nEXPERT: They move.\n2:24\nINTERVIEWER: Where to?\n2:30\nEXPERT: Rivers.\n"
    assert [p.start_ms for p in parse(text).paragraphs] == [144_000, 144_000, 150_000]


def test_marker_earlier_than_the_one_before_is_an_error_naming_both_lines() -> None:
    text = "2:24\nEXPERT: They move.\n2:23\nINTERVIEWER: Where to?\n"
    assert error(text) == (
        "t.txt:3: marker '2:23' (2:23) is earlier than the one before it at line 1 (2:24)."
        " Fix the time, or move the paragraph to where it is spoken."
    )


# --- Issue B: implausible markers ---------------------------------------------------

SENTENCE = "Ducks spend most of the day on the water, feeding and washing."  # 12 words


def test_marker_hours_too_late_for_the_words_before_it_warns_with_its_line() -> None:
    text = (
        f"Skip to 0 minutes and 10 seconds {SENTENCE}\n\n"
        f"Skip to 10 hours, 5 minutes and 0 seconds {SENTENCE}\n"
    )
    transcript = parse(text)
    assert [w.render("t.txt") for w in transcript.warnings] == [
        "t.txt:3: 12 words between the marker at 0:10 (line 1) and the next marker at"
        " 10:05:00, 10:04:50 apart: under 0.5 words a second even with a 10 s silence; the"
        " words will be spread over the whole span. Check both markers (a mistyped hour or"
        " minute?) and the duration against the video."
    ]


def test_marker_250_hours_on_warns() -> None:
    text = (
        f"Skip to 0 minutes and 10 seconds {SENTENCE}\n\n"
        f"Skip to 0 minutes and 15 seconds {SENTENCE}\n\n"
        f"Skip to 250 hours, 0 minutes and 0 seconds {SENTENCE}\n"
    )
    [warning] = parse(text).warnings
    assert (warning.code, warning.line) == ("implausible-gap", 5)
    assert "marker at 0:15 (line 3) and the next marker at 250:00:00" in warning.message


def test_markers_too_close_for_their_words_warn() -> None:
    text = (
        f"Skip to 0 minutes and 10 seconds {SENTENCE} {SENTENCE} {SENTENCE}\n\n"
        f"Skip to 0 minutes and 12 seconds {SENTENCE}\n"
    )
    [warning] = parse(text).warnings
    assert warning.render("t.txt") == (
        "t.txt:3: 36 words between the marker at 0:10 (line 1) and the next marker at 0:12,"
        " 2 s apart: over 8 words a second, faster than anyone speaks. Check both markers"
        " against the video; one of them is probably mistyped."
    )


def test_speaking_rates_inside_the_bounds_do_not_warn() -> None:
    # 12 words: 2 s is 6 words/s (4 with the markers' second of rounding), fast but
    # human; 30 s is 0.4 words/s, within one 10 s silence of 0.5 words/s.
    text = (
        f"Skip to 0 minutes and 10 seconds {SENTENCE}\n\n"
        f"Skip to 0 minutes and 12 seconds {SENTENCE}\n\n"
        f"Skip to 0 minutes and 42 seconds {SENTENCE}\n"
    )
    assert parse(text).warnings == ()


def test_same_second_turns_are_judged_together() -> None:
    short = (
        "Skip to 0 minutes and 10 seconds ANNA: Yes.\n\n"
        "Skip to 0 minutes and 10 seconds BEN: Why?\n\n"
    )
    assert parse(short + f"Skip to 0 minutes and 12 seconds ANNA: {SENTENCE}\n").warnings == ()
    long = (
        f"Skip to 0 minutes and 10 seconds ANNA: {SENTENCE}\n\n"
        f"Skip to 0 minutes and 10 seconds BEN: {SENTENCE}\n\n"
        f"Skip to 0 minutes and 11 seconds ANNA: {SENTENCE}\n"
    )
    [warning] = parse(long).warnings
    assert warning.message.startswith(
        "24 words between the marker at 0:10 (line 1) and the next marker at 0:11, 1 s apart"
    )


def test_known_duration_far_after_the_last_marker_warns() -> None:
    text = f"Skip to 0 minutes and 10 seconds {SENTENCE}\n"
    assert parse_transcript(text, duration_ms=40_000).warnings == ()
    [warning] = parse_transcript(text, duration_ms=12 * 3_600_000).warnings
    assert (warning.code, warning.line) == ("implausible-gap", 1)
    assert "the video's end at 12:00:00 (the duration given)" in warning.message


# --- Issue B: a duration that cannot be the video's length --------------------------


def test_duration_before_the_last_marker_warns_with_its_line_and_origin() -> None:
    text = f"Skip to 0 minutes and 5 seconds {SENTENCE}\n\nSkip to 0 minutes and 9 seconds Yes.\n"
    transcript = parse_transcript(
        text, source="t.txt", duration_ms=8_500, duration_origin="transcripts/manifest.csv:4"
    )
    assert transcript.paragraphs[-1].end_ms is None
    assert [w.render("t.txt") for w in transcript.warnings] == [
        "t.txt:3: the video duration 0:08.500 given in transcripts/manifest.csv:4 is not after"
        " the last marker (0:09); it is not used and the end is estimated instead. Correct the"
        " duration to the video's length, or the last marker."
    ]


def test_duration_equal_to_the_last_marker_warns_without_a_known_origin() -> None:
    text = "Skip to 0 minutes and 9 seconds Yes.\n"
    [warning] = parse_transcript(text, duration_ms=9_000).warnings
    assert warning.line == 1
    assert warning.message.startswith(
        "the video duration 0:09 given (manifest or --duration) is not after the last marker"
    )


# --- Issue B: manifest rows that a run would ignore ---------------------------------


def manifest(tmp_path: Path, rows: str) -> Path:
    root = tmp_path / "transcripts"
    (root / "course").mkdir(parents=True)
    for name in ("a.txt", "b.vtt", "notes.docx"):
        (root / "course" / name).write_text("Skip to 0 minutes and 1 second Hi.\n")
    path = root / "manifest.csv"
    path.write_text("path,duration,video_url\n" + rows)
    return path


def test_manifest_duplicate_rows_warn_with_their_lines_and_the_last_is_used(
    tmp_path: Path,
) -> None:
    path = manifest(tmp_path, "course/a.txt,1:00,\ncourse/b.vtt,2:00,\ncourse/a.txt,1:30,\n")
    root = path.parent
    assert read_manifest(path, root)["course/a"] == Entry(90_000, None, None, 4)
    assert manifest_issues(path, root, {"course/a", "course/b"}) == [
        f"{path}:4: a second row for document 'course/a' ('course/a.txt'; the first is at"
        " line 2); the last row is used. Delete the row that is wrong."
    ]


def test_manifest_rows_matching_no_input_warn_with_their_lines(tmp_path: Path) -> None:
    path = manifest(
        tmp_path, "course/a.txt,1:00,\ncourse/typo.txt,2:00,\ncourse/notes.docx,3:00,\n"
    )
    root = path.parent
    assert manifest_issues(path, root, {"course/a", "course/b"}) == [
        f"{path}:3: the row names 'course/typo.txt', which matches no input file; it is"
        f" ignored. Correct the path (it is relative to the manifest's folder, {root}) or"
        " delete the row.",
        f"{path}:4: the row names 'course/notes.docx', which is not a transcript (.txt, .vtt"
        f" or .srt); it is ignored. Correct the path (it is relative to the manifest's"
        f" folder, {root}) or delete the row.",
    ]


def test_manifest_row_for_a_transcript_outside_this_run_is_not_a_problem(
    tmp_path: Path,
) -> None:
    path = manifest(tmp_path, "course/a.txt,1:00,\ncourse/b.vtt,2:00,\n")
    assert manifest_issues(path, path.parent, {"course/a"}) == []


def test_manifest_row_matches_its_input_by_document_id(tmp_path: Path) -> None:
    # The row says .txt, the input is the caption file: the same document.
    path = manifest(tmp_path, "course/b.txt,1:00,\n")
    assert manifest_issues(path, path.parent, {"course/b"}) == []


def test_manifest_issues_raise_on_malformed_rows_like_read_manifest(tmp_path: Path) -> None:
    path = manifest(tmp_path, "course/a.txt,soon,\n")
    with pytest.raises(ConfigError, match=r"manifest.csv:2: field 'duration'"):
        manifest_issues(path, path.parent, set())


# --- Issue B: encodings and line ends ------------------------------------------------

MAC = "Skip to 0 minutes and 5 seconds We’re looking at “mothers” – and babies… café.\n"


def test_mac_roman_with_clear_evidence_is_decoded_as_mac_roman() -> None:
    text, repairs = decode_bytes(MAC.encode("mac_roman"))
    assert repairs == [Repair("decoded", 1, "as Mac Roman, not UTF-8")]
    assert parse_transcript(text, repairs=repairs).paragraphs[0].text == MAC[32:].strip()


def test_windows_1252_with_clear_evidence_is_still_decoded_without_a_warning() -> None:
    text, repairs = decode_bytes(MAC.encode("cp1252"))
    assert repairs == [Repair("decoded", 1, "as Windows-1252, not UTF-8")]
    assert parse_transcript(text, repairs=repairs).warnings == ()


def test_uncertain_encoding_warns_on_the_first_line_it_could_change() -> None:
    raw = b"Want to keep learning?\n\nSkip to 0 minutes and 5 seconds Our caf\x8e opens.\n"
    text, repairs = decode_bytes(raw)
    assert repairs == [
        Repair(
            "encoding-uncertain",
            1,
            "as Mac Roman, not UTF-8, a guess: 'café' would be 'cafŽ' in Windows-1252",
        )
    ]
    transcript = parse_transcript(text, repairs=repairs, source="t.txt")
    assert transcript.paragraphs[0].text == "Our café opens."
    assert [w.render("t.txt") for w in transcript.warnings] == [
        "t.txt:3: the file is not UTF-8 and its encoding is uncertain: decoded as Mac Roman,"
        " not UTF-8, a guess: 'café' would be 'cafŽ' in Windows-1252. Check the accented"
        " letters and quotes; re-save the file as UTF-8, or pass --encoding."
    ]


def test_uncertain_encoding_warns_through_read_transcript(tmp_path: Path) -> None:
    path = tmp_path / "t.txt"
    path.write_bytes(b"Skip to 0 minutes and 5 seconds Our caf\x8e opens.\n")
    transcript = read_transcript(path)
    assert [w.code for w in transcript.warnings] == ["encoding-uncertain"]
    assert sum(r.count for r in transcript.repairs) == 1


def test_plausibility_prefers_typeset_readings() -> None:
    assert plausibility("we’re “here” – now…") == 5
    assert plausibility("weÕre ÒhereÓ Ð nowÉ") == -4
    assert plausibility("café naïve") == 0


def test_crlf_file_counts_line_end_normalisation_once() -> None:
    lines = [
        f"Skip to {m} minutes and {s} seconds Line {m * 60 + s}."
        for m in range(50)
        for s in (0, 30)
    ]
    text = "\r\n".join(lines) + "\r\n"
    transcript = parse_transcript(text)
    assert len(transcript.paragraphs) == 100
    assert transcript.repairs == (Repair("line-ends", 1, "CRLF to LF, 100 line ends"),)


def test_mixed_line_ends_are_one_repair() -> None:
    text = "Skip to 0 minutes and 1 second A.\r\nSkip to 0 minutes and 2 seconds B.\rC.\n"
    assert parse_transcript(text).repairs == (
        Repair("line-ends", 1, "CRLF and CR to LF, 2 line ends"),
    )


def test_uncertain_encoding_warning_finds_its_line_in_a_cr_file_before_repairs() -> None:
    raw = b"Skip to 0 minutes and 5 seconds A.\rSkip to 0 minutes and 9 seconds\xa0B.\r"
    text, repairs = decode_bytes(raw)
    assert [r.kind for r in repairs] == ["encoding-uncertain"]
    [warning] = parse_transcript(text, repairs=repairs).warnings
    assert warning.line == 2


# --- end to end: the issue's repro through the command line -------------------------


def test_cli_ingest_json_reports_a_question_title_and_its_description(tmp_path: Path) -> None:
    path = tmp_path / "page.txt"
    path.write_text(page("Why do ducks need water?"), encoding="utf-8")
    result = CliRunner().invoke(app, ["ingest", str(path), "--json"])
    assert result.exit_code == 0, result.output
    metadata = json.loads(result.stdout.splitlines()[0])["metadata"]
    assert metadata["step_title"] == "Why do ducks need water?"
    assert metadata["step_description"] == DESCRIPTION


def test_cli_ingest_runs_a_same_second_interview_page(tmp_path: Path) -> None:
    path = tmp_path / "interview.txt"
    path.write_text(
        "Skip to 2 minutes and 10 seconds INTERVIEWER: And when the pond freezes over?\n\n"
        "Skip to 2 minutes and 24 seconds EXPERT: They move.\n\n"
        "Skip to 2 minutes and 24 seconds INTERVIEWER: Where to?\n\n"
        "Skip to 2 minutes and 27 seconds EXPERT: To open water.\n",
        encoding="utf-8",
    )
    result = CliRunner().invoke(app, ["ingest", "--strict", str(path)])
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith("interview: 4 paragraphs, 2:10–2:27+,")


# --- the title slot, for any title and any last paragraph ---------------------------

TITLE_WORDS = st.sampled_from(
    ["why", "do", "ducks", "need", "water", "how", "we", "find", "planets", "case", "study"]
)


@given(
    title=st.lists(TITLE_WORDS, min_size=1, max_size=TITLE_MAX_WORDS),
    title_end=st.sampled_from(["", "?", "!", ":", ".", "…"]),
    last_end=st.sampled_from([".", "?", "!", "…"]),
    separator=st.sampled_from(["\n\n", "\n"]),
)
@settings(max_examples=200)
def test_title_slot_holds_for_any_punctuation(
    title: list[str], title_end: str, last_end: str, separator: str
) -> None:
    heading = " ".join(title).capitalize() + title_end
    last = f"So what do ducks do{last_end}"
    text = separator.join(
        [
            "Skip to 0 minutes and 4 seconds Ducks spend most of the day on the water.",
            f"Skip to 0 minutes and 9 seconds {last}",
            heading,
            DESCRIPTION,
            "Share this video:",
        ]
    )
    transcript = parse_transcript(text)
    assert transcript.paragraphs[-1].text == last
    assert transcript.metadata.step_title == heading
    assert transcript.metadata.step_description == DESCRIPTION
    assert transcript.unclassified == ()
