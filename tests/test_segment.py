"""Segment: sentences, word timing inside the markers, chunks, leave-one-out."""

from __future__ import annotations

import json
import statistics
from pathlib import Path

import pytest

from pipeline.ingest import parse_transcript, read_transcript
from pipeline.timing import make_chunks, segment, split_sentences
from pipeline.timing.speech import DEFAULT_MODEL, SpeechModel, leave_one_out, syllables

ROOT = Path(__file__).resolve().parent.parent
SAMPLE = ROOT / "transcripts" / "babies-in-mind" / "methods-of-working-first-year.txt"

# The hard cases of English sentence splitting (shared with bench/sentences.py).
CASES = [
    (case["text"], case["sentences"])
    for case in json.loads((Path(__file__).parent / "sentences.json").read_text(encoding="utf-8"))
]


@pytest.mark.parametrize(("text", "expected"), CASES)
def test_sentence_splitter(text: str, expected: list[str]) -> None:
    assert [text[a:b] for a, b in split_sentences(text)] == expected


def test_syllables() -> None:
    assert [syllables(w) for w in ("baby", "psychotherapy", "the", "NHS", "14", "played")] == [
        2,
        5,
        1,
        3,
        3,
        1,
    ]


def test_words_are_timed_inside_their_paragraph_and_in_order() -> None:
    transcript = read_transcript(SAMPLE)
    timeline = segment(transcript).timeline
    assert len(timeline.words) == transcript.word_count
    for word in timeline.words:
        paragraph = transcript.paragraphs[word.paragraph]
        end = paragraph.end_ms if paragraph.end_ms is not None else timeline.end_ms
        assert paragraph.start_ms <= word.start_ms < word.end_ms <= end
        assert paragraph.text[word.start : word.end] == word.text
    starts = [w.start_ms for w in timeline.words]
    assert starts == sorted(starts)
    # The first word of each paragraph starts exactly at its marker.
    firsts = {}
    for word in timeline.words:
        firsts.setdefault(word.paragraph, word.start_ms)
    assert [firsts[p.index] for p in transcript.paragraphs] == [
        p.start_ms for p in transcript.paragraphs
    ]


def test_last_paragraph_end_is_estimated_from_the_documents_rate() -> None:
    transcript = read_transcript(SAMPLE)
    timeline = segment(transcript).timeline
    assert timeline.end_estimated
    # The last paragraph has 30 words; the speaker says about 2.5 words a second.
    assert 396_000 + 8_000 < timeline.end_ms < 396_000 + 16_000
    known = read_transcript(SAMPLE, duration_ms=405_000)
    assert segment(known).timeline.end_ms == 405_000
    assert not segment(known).timeline.end_estimated


def test_sentences_span_a_marker_that_falls_mid_sentence() -> None:
    text = (
        "Skip to 0 minutes and 1 second We talked about the baby and\n"
        "Skip to 0 minutes and 5 seconds the parent together. Then we stopped."
    )
    timeline = segment(parse_transcript(text)).timeline
    words = timeline.words
    first = timeline.sentences[0]
    assert words[first.first_word].paragraph == 0 and words[first.last_word].paragraph == 1
    assert words[first.last_word].text == "together."


def test_chunks_are_sentence_aligned_and_sized() -> None:
    transcript = read_transcript(SAMPLE)
    seg = segment(transcript)
    ends = {s.last_word for s in seg.timeline.sentences}
    for chunk in seg.chunks:
        assert chunk.last_word in ends
        assert chunk.end_ms > chunk.start_ms
    middle = seg.chunks[:-1]
    assert all(15_000 <= c.end_ms - c.start_ms <= 45_000 for c in middle)
    assert (
        " ".join(c.text for c in seg.chunks).split()
        == " ".join(p.text for p in transcript.paragraphs).split()
    )
    smaller = make_chunks(transcript, seg.timeline, min_ms=5_000, target_ms=10_000, max_ms=20_000)
    assert len(smaller) > len(seg.chunks)


def test_chunks_break_at_a_change_of_speaker() -> None:
    text = (
        "Skip to 0 minutes and 1 second ANNA: One. Two.\n"
        "Skip to 0 minutes and 3 seconds BEN: Three."
    )
    chunks = segment(parse_transcript(text)).chunks
    assert [(c.speaker, c.text) for c in chunks] == [("ANNA", "One. Two."), ("BEN", "Three.")]


def test_leave_one_out_beats_spreading_by_characters_on_the_sample() -> None:
    paragraphs = read_transcript(SAMPLE).paragraphs
    chars = SpeechModel(
        syllable=0, char=1, word=1, weak_form=1, final_lengthening=1, comma=0, sentence=0
    )
    ours = statistics.mean(abs(e) for e in leave_one_out(paragraphs, DEFAULT_MODEL)) / 1000
    baseline = statistics.mean(abs(e) for e in leave_one_out(paragraphs, chars)) / 1000
    assert round(baseline, 2) == 1.18  # the figure the issue quotes: the measure is right
    assert ours <= 0.8


def test_turns_in_the_same_second_share_it_in_order() -> None:
    text = (
        "Skip to 2 minutes and 10 seconds INTERVIEWER: And when the pond freezes over?\n\n"
        "Skip to 2 minutes and 24 seconds EXPERT: They move.\n\n"
        "Skip to 2 minutes and 24 seconds INTERVIEWER: Where to?\n\n"
        "Skip to 2 minutes and 27 seconds EXPERT: To open water.\n"
    )
    words = segment(parse_transcript(text)).timeline.words
    starts = [w.start_ms for w in words]
    assert starts == sorted(starts)
    same_second = [w for w in words if w.paragraph in (1, 2)]
    assert same_second[0].start_ms == 144_000 and same_second[-1].end_ms <= 147_000
    # Every word has a duration: the zero-length paragraph gets its share of the run.
    assert all(w.end_ms > w.start_ms for w in same_second)
    assert max(w.end_ms for w in words if w.paragraph == 1) <= min(
        w.start_ms for w in words if w.paragraph == 2
    )
