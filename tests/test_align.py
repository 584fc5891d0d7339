"""Audio alignment: media decoding, failures, the normaliser, and accuracy on a
committed speech fixture (bench/speech/fixtures, made by make_fixtures.py)."""

from __future__ import annotations

import json
import math
import wave
from array import array
from fractions import Fraction
from pathlib import Path

import av
import pytest

from pipeline.ingest import read_transcript
from pipeline.timing.align import (
    MEDIA_SUFFIXES,
    Aligner,
    Alignment,
    Audio,
    MediaError,
    ParagraphText,
    Pronouncer,
    decode_audio,
    spoken_forms,
    transcript_forms,
)
from pipeline.timing.align import aligner as aligner_module
from pipeline.timing.align.normalise import cardinal, letter_to_sound, ordinal

FIXTURES = Path(__file__).resolve().parent.parent / "bench" / "speech" / "fixtures"
RATE = 16_000


@pytest.fixture(scope="module")
def aligner() -> Aligner:
    return Aligner()


def paragraphs(name: str) -> list[ParagraphText]:
    transcript = read_transcript(FIXTURES / f"{name}.txt")
    return [
        ParagraphText(p.index, p.start_ms, p.end_ms, tuple(p.text.split()))
        for p in transcript.paragraphs
    ]


def truth(name: str) -> dict[str, list[dict[str, int]]]:
    return json.loads((FIXTURES / f"{name}.truth.json").read_text("utf-8"))  # type: ignore[no-any-return]


def sentence_errors(name: str, alignment: Alignment) -> list[int]:
    data = truth(name)
    times = {}
    for paragraph in alignment.paragraphs:
        assert paragraph.times is not None, paragraph.reason
        for k, (start, _) in enumerate(paragraph.times):
            times[(paragraph.index, k)] = start
    return [
        abs(times[(s["paragraph"], s["first_word"])] - s["start_ms"]) for s in data["sentences"]
    ]


def tone(seconds: float, rate: int = RATE, amplitude: int = 8000) -> array[int]:
    return array(
        "h",
        (
            int(amplitude * math.sin(2 * math.pi * 440 * i / rate))
            for i in range(int(seconds * rate))
        ),
    )


def write_wav(path: Path, samples: array[int], rate: int = RATE) -> Path:
    with wave.open(str(path), "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(rate)
        out.writeframes(samples.tobytes())
    return path


def write_mp4(path: Path, samples: array[int], *, video: bool, audio: bool) -> Path:
    """An mp4 with AAC audio and/or an MPEG-4 video track, made with PyAV."""
    with av.open(str(path), "w", format="mp4") as container:
        # Every stream must exist before the first packet is written.
        vstream = container.add_stream("mpeg4", rate=5) if video else None
        astream = container.add_stream("aac", rate=RATE) if audio else None
        if vstream is not None:
            vstream.width, vstream.height, vstream.pix_fmt = 64, 48, "yuv420p"
        if astream is not None:
            astream.layout = "mono"
        if vstream is not None:
            for n in range(5):
                picture = av.VideoFrame(64, 48, "yuv420p")
                for plane in picture.planes:
                    plane.update(bytes([n * 40]) * plane.buffer_size)
                picture.pts = n
                container.mux(vstream.encode(picture))
            container.mux(vstream.encode(None))
        if astream is not None:
            step = 1024
            for at in range(0, len(samples), step):
                chunk = samples[at : at + step]
                frame = av.AudioFrame(format="s16", layout="mono", samples=len(chunk))
                frame.planes[0].update(chunk.tobytes())
                frame.sample_rate = RATE
                frame.pts = at
                frame.time_base = Fraction(1, RATE)
                container.mux(astream.encode(frame))
            container.mux(astream.encode(None))
    return path


# --- decoding ----------------------------------------------------------------------


def test_decodes_wav_exactly(tmp_path: Path) -> None:
    samples = tone(1.5)
    audio = decode_audio(write_wav(tmp_path / "tone.wav", samples))
    assert audio.sample_rate == RATE
    assert audio.samples == samples.tobytes()
    assert audio.duration_ms == 1500


def test_resamples_deterministically(tmp_path: Path) -> None:
    path = write_wav(tmp_path / "tone44.wav", tone(2.0, rate=44_100), rate=44_100)
    first, second = decode_audio(path), decode_audio(path)
    assert first.samples == second.samples
    assert abs(first.duration_ms - 2000) <= 5


def test_decodes_ogg_fixture_twice_identically() -> None:
    first = decode_audio(FIXTURES / "nhs-history.ogg")
    assert first.samples == decode_audio(FIXTURES / "nhs-history.ogg").samples
    assert abs(first.duration_ms - truth("nhs-history")["duration_ms"]) <= 5  # type: ignore[operator]


def test_decodes_aac_in_mp4(tmp_path: Path) -> None:
    path = write_mp4(tmp_path / "talk.mp4", tone(2.0), video=True, audio=True)
    audio = decode_audio(path)
    assert abs(audio.duration_ms - 2000) <= 100
    assert ".mp4" in MEDIA_SUFFIXES


def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(MediaError, match="does not exist"):
        decode_audio(tmp_path / "nowhere.mp4")


def test_text_renamed_as_mp4(tmp_path: Path) -> None:
    path = tmp_path / "notes.mp4"
    path.write_text("Skip to 0 minutes and 7 seconds This is a transcript, not a video.\n")
    with pytest.raises(MediaError, match="cannot be read as audio or video") as error:
        decode_audio(path)
    assert str(path) in str(error.value)


def test_truncated_mp4(tmp_path: Path) -> None:
    whole = write_mp4(tmp_path / "whole.mp4", tone(3.0), video=False, audio=True)
    cut = tmp_path / "cut.mp4"
    cut.write_bytes(whole.read_bytes()[: whole.stat().st_size // 2])
    with pytest.raises(MediaError, match="truncated"):
        decode_audio(cut)


def test_truncated_wav(tmp_path: Path) -> None:
    whole = write_wav(tmp_path / "whole.wav", tone(3.0))
    cut = tmp_path / "cut.wav"
    cut.write_bytes(whole.read_bytes()[: whole.stat().st_size // 2])
    with pytest.raises(MediaError, match="truncated"):
        decode_audio(cut)


def test_video_without_audio(tmp_path: Path) -> None:
    path = write_mp4(tmp_path / "mute.mp4", array("h"), video=True, audio=False)
    with pytest.raises(MediaError, match="no audio track"):
        decode_audio(path)


def test_silent_audio(tmp_path: Path) -> None:
    path = write_wav(tmp_path / "silence.wav", array("h", bytes(RATE * 2 * 2)))
    with pytest.raises(MediaError, match="silent"):
        decode_audio(path)


def test_empty_audio(tmp_path: Path) -> None:
    path = write_wav(tmp_path / "empty.wav", array("h"))
    with pytest.raises(MediaError, match="empty"):
        decode_audio(path)


# --- normalising -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("token", "expected"),
    [
        ("2019,", ("twenty", "nineteen")),
        ("1948.", ("nineteen", "forty", "eight")),
        ("2005", ("two", "thousand", "and", "five")),
        ("£5", ("five", "pounds")),
        ("$1", ("one", "dollar")),
        ("40%", ("forty", "percent")),
        ("1st", ("first",)),
        ("22nd", ("twenty", "second")),
        ("1950s", ("nineteen", "fifties")),
        ("1.5", ("one", "point", "five")),
        ("1,000", ("one", "thousand")),
        ("Dr.", ("doctor",)),
        ("NHS", ("n", "h", "s")),
        ("VIII", ("eight",)),
        ("Bowlby’s", ("bowlby's",)),
        ("“Hello,”", ("hello",)),
        ("500g", ("five", "hundred", "grams")),
        ("Mr", ("mister",)),
        ("U.S.", ("u", "s")),
        ("9am", ("nine", "a", "m")),
        ("C++", ("c", "plus", "plus")),
        ("NHS-funded", ("n", "h", "s", "funded")),
        ("2nd-year", ("second", "year")),
        ("mid-1990s", ("mid", "nineteen", "nineties")),
        ("½", ("a", "half")),
        ("parents’", ("parents",)),
    ],
)
def test_spoken_forms_first_reading(token: str, expected: tuple[str, ...]) -> None:
    assert spoken_forms(token)[0] == expected


def test_acronyms_may_be_spelled_or_read() -> None:
    assert spoken_forms("VIPP") == (("v", "i", "p", "p"), ("vipp",))


def test_sound_descriptions_are_silent() -> None:
    tokens = "[MUSIC PLAYING] So (laughs) we begin (see Figure 2) now.".split()
    forms = transcript_forms(tokens)
    silent = [t for t, f in zip(tokens, forms, strict=True) if not f]
    assert silent == ["[MUSIC", "PLAYING]", "(laughs)"]
    assert forms[tokens.index("2)")][0] == ("two",)


def test_punctuation_alone_is_silent() -> None:
    assert spoken_forms("–") == ()
    assert spoken_forms("...") == ()


def test_numbers_in_words() -> None:
    assert cardinal(105) == ["one", "hundred", "and", "five"]
    assert cardinal(1_500_000) == ["one", "million", "five", "hundred", "thousand"]
    assert ordinal(3) == ["third"]
    assert ordinal(40) == ["fortieth"]


def test_pronouncer_covers_unknown_words(aligner: Aligner) -> None:
    pronouncer = Pronouncer(aligner._decoder.lookup_word)
    assert pronouncer.phones("cooperate") == aligner._decoder.lookup_word("cooperate")
    assert pronouncer.phones("co-operate") == pronouncer.phones("cooperate")
    assert pronouncer.phones("bowlby's") == "B OW L B IY Z"
    # Not in the dictionary: from its parts, else from letter-to-sound rules.
    assert pronouncer.phones("earthworms") == "ER TH W ER M Z"
    assert pronouncer.phones("vipp") == "V IH P"
    assert letter_to_sound("zzxq")
    for word in ("qwghlm", "x", "ngaio", "mmm"):
        assert pronouncer.phones(word)


def test_unknown_words_never_fail_a_paragraph(aligner: Aligner) -> None:
    audio = decode_audio(FIXTURES / "attachment-parenting.ogg")
    texts = paragraphs("attachment-parenting")
    # An invented word in place of a real one still aligns (the audio is close).
    first = texts[0]
    changed = ParagraphText(
        first.index,
        first.start_ms,
        first.end_ms,
        ("Inn", *first.tokens[1:5], "Bowlbyzz’s", *first.tokens[6:]),
    )
    result = aligner.align(audio, [changed, *texts[1:]])
    assert result.mismatch is None
    assert result.paragraphs[0].times is not None


# --- aligning ----------------------------------------------------------------------


def test_fixture_aligns_within_targets(aligner: Aligner) -> None:
    audio = decode_audio(FIXTURES / "soil-lecture.ogg")
    texts = paragraphs("soil-lecture")
    result = aligner.align(audio, texts)
    assert result.mismatch is None
    errors = sentence_errors("soil-lecture", result)
    assert sum(e <= 250 for e in errors) / len(errors) >= 0.95
    assert sum(errors) / len(errors) <= 100
    for paragraph, text in zip(result.paragraphs, texts, strict=True):
        assert paragraph.times is not None
        assert len(paragraph.times) == len(text.tokens)
        starts = [s for s, _ in paragraph.times]
        assert starts == sorted(starts)
        assert all(0 <= s <= e <= audio.duration_ms for s, e in paragraph.times)
        assert paragraph.speech_start_ms == paragraph.times[0][0]
        assert abs(paragraph.speech_start_ms - text.start_ms) < 1500


def test_alignment_is_deterministic(aligner: Aligner) -> None:
    audio = decode_audio(FIXTURES / "bread-baking.ogg")
    texts = paragraphs("bread-baking")
    first = aligner.align(audio, texts)
    # Another document in between must not change anything.
    aligner.align(decode_audio(FIXTURES / "nhs-history.ogg"), paragraphs("nhs-history")[:1])
    assert aligner.align(audio, texts) == first
    assert Aligner().align(audio, texts) == first


def test_aligns_audio_from_mp4(aligner: Aligner, tmp_path: Path) -> None:
    original = decode_audio(FIXTURES / "nhs-history.ogg")
    samples = array("h")
    samples.frombytes(original.samples)
    audio = decode_audio(write_mp4(tmp_path / "lecture.mp4", samples, video=True, audio=True))
    result = aligner.align(audio, paragraphs("nhs-history"))
    errors = sentence_errors("nhs-history", result)
    assert sum(e <= 250 for e in errors) / len(errors) >= 0.9


def test_wrong_media_is_a_mismatch(aligner: Aligner) -> None:
    audio = decode_audio(FIXTURES / "soil-lecture.ogg")
    result = aligner.align(audio, paragraphs("attachment-parenting"))
    assert result.mismatch is not None
    assert "not the media" in result.mismatch
    assert all(p.times is None and p.reason for p in result.paragraphs)


def test_paragraph_over_silence_fails_alone(aligner: Aligner) -> None:
    audio = decode_audio(FIXTURES / "soil-lecture.ogg")
    texts = paragraphs("soil-lecture")
    gone = texts[2]
    assert gone.end_ms is not None
    samples = bytearray(audio.samples)
    begin, end = gone.start_ms * 32, gone.end_ms * 32
    samples[begin:end] = bytes(end - begin)  # the paragraph's speech cut out
    result = aligner.align(Audio(bytes(samples)), texts)
    assert result.mismatch is None
    assert result.paragraphs[2].times is None
    assert result.paragraphs[2].reason
    assert all(p.times is not None for k, p in enumerate(result.paragraphs) if k != 2)


def test_marker_after_the_audio(aligner: Aligner) -> None:
    audio = decode_audio(FIXTURES / "bread-baking.ogg")
    texts = paragraphs("bread-baking")
    late = ParagraphText(len(texts), audio.duration_ms + 5_000, None, ("Goodbye.",))
    result = aligner.align(audio, [*texts, late])
    assert result.mismatch is None
    assert result.paragraphs[-1].times is None
    assert "after the end" in (result.paragraphs[-1].reason or "")


def test_audio_shorter_than_transcript_is_a_mismatch(aligner: Aligner) -> None:
    audio = decode_audio(FIXTURES / "soil-lecture.ogg")
    texts = paragraphs("soil-lecture")
    cut = Audio(audio.samples[: (texts[2].start_ms - 2_000) * 32])
    result = aligner.align(cut, texts)
    assert result.mismatch is not None
    assert "incomplete" in result.mismatch


def test_long_paragraph_is_aligned_in_pieces(
    aligner: Aligner, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Shrink "long" so a one-minute fixture read as a single paragraph is cut
    # into pieces, as a ten-minute paragraph would be.
    monkeypatch.setattr(aligner_module, "_LONG_MS", 20_000)
    monkeypatch.setattr(aligner_module, "_PIECE_MS", 15_000)
    audio = decode_audio(FIXTURES / "soil-lecture.ogg")
    tokens = tuple(t for p in paragraphs("soil-lecture") for t in p.tokens)
    assert len(aligner_module._pieces(tokens, audio.duration_ms)) >= 3
    result = aligner.align(audio, [ParagraphText(0, 0, None, tokens)])
    times = result.paragraphs[0].times
    assert result.mismatch is None and times is not None
    truth_starts = [w["start_ms"] for w in truth("soil-lecture")["words"]]
    errors = [abs(s - t) for (s, _), t in zip(times, truth_starts, strict=True)]
    assert sum(e <= 250 for e in errors) / len(errors) >= 0.95


def test_sound_description_spans_its_pause(aligner: Aligner) -> None:
    audio = decode_audio(FIXTURES / "soil-lecture.ogg")
    texts = paragraphs("soil-lecture")
    second = texts[1]
    k = second.tokens.index("board.") + 1
    tokens = (*second.tokens[:k], "[WRITES", "ON", "BOARD]", *second.tokens[k:])
    texts[1] = ParagraphText(1, second.start_ms, second.end_ms, tokens)
    result = aligner.align(audio, texts)
    times = result.paragraphs[1].times
    assert result.mismatch is None and times is not None
    assert times[k][0] == times[k - 1][1]  # from the end of "board."
    assert times[k + 2][1] == times[k + 3][0]  # to the start of "First,"
    assert times[k + 3][0] - times[k - 1][1] > 2_000  # the lecturer's pause


def test_unexplained_share_counts_loud_frames_without_words() -> None:
    loud = tone(1.0)  # 100 frames of a loud tone
    quiet = array("h", bytes(RATE * 2))  # then a second of silence
    window = (loud + quiet).tobytes()
    words = [("hello", 0, 49, 0.5)]  # the first half of the tone is a word
    share = aligner_module._unexplained(window, [*words, ("<sil>", 50, 199, 1.0)])
    assert 0.45 <= share <= 0.55
    assert aligner_module._unexplained(window, [("hello", 0, 99, 0.5)]) == 0.0
