"""Media: an audio or video file -> 16 kHz mono signed 16-bit PCM (``Audio``).

Consumes any container and codec FFmpeg reads (through PyAV, whose wheel carries
FFmpeg): mp4/m4a/mov/mkv/webm/mp3/ogg/opus/flac/wav. Produces ``Audio``, the
samples the aligner's acoustic model expects. Decoding is streamed frame by frame,
so memory grows with the output only (32 KB per second of audio), never with the
container. Resampling is FFmpeg's swresample with no dither, so the same file gives
byte-identical samples on every run.

Every failure is a ``MediaError`` naming the file, what is wrong and what to do.
"""

from __future__ import annotations

import io
import math
from dataclasses import dataclass
from pathlib import Path

import av
import av.error

from pipeline.errors import PipelineError

SAMPLE_RATE = 16_000
# A decoded stream this much shorter than the container says it is was cut off.
_TRUNCATED_SHARE = 0.9
# Below this RMS (about -60 dBFS) there is nothing an aligner could hear.
_SILENT_RMS = 32.0


class MediaError(PipelineError):
    """A media file that cannot give audio to align against."""

    def __init__(self, path: Path, problem: str, remedy: str) -> None:
        self.path = path
        super().__init__(f"{path}: {problem}. {remedy}")


@dataclass(frozen=True, slots=True)
class Audio:
    """Mono signed 16-bit little-endian PCM."""

    samples: bytes
    sample_rate: int = SAMPLE_RATE

    @property
    def duration_ms(self) -> int:
        return len(self.samples) // 2 * 1000 // self.sample_rate


def decode_audio(path: Path) -> Audio:
    """Decode the first audio track of ``path`` to 16 kHz mono int16."""
    path = Path(path)
    if not path.exists():
        raise MediaError(path, "the file does not exist", "Check the path or the manifest entry.")
    if not path.is_file():
        raise MediaError(path, "is not a file", "Give the media file itself, not a folder.")
    try:
        container = av.open(str(path), mode="r")
    except (av.error.FFmpegError, UnicodeDecodeError, ValueError) as error:
        raise MediaError(
            path,
            f"cannot be read as audio or video ({_reason(error)}); it is not a media file,"
            " or it is truncated before its index",
            "Give the original audio or video (mp4, m4a, mov, mkv, webm, mp3, ogg, opus,"
            " flac, wav), re-downloading it if it may be incomplete.",
        ) from None
    with container:
        if not container.streams.audio:
            kinds = ", ".join(sorted({s.type for s in container.streams})) or "nothing"
            raise MediaError(
                path,
                f"has no audio track (it holds {kinds})",
                "Export the video with its sound, or give the audio file.",
            )
        stream = container.streams.audio[0]
        expected_s = _expected_seconds(container, stream)
        resampler = av.AudioResampler(format="s16", layout="mono", rate=SAMPLE_RATE)
        # BytesIO hands its buffer over without a copy at the end, so the peak is
        # the output itself, not twice it.
        out = io.BytesIO()
        try:
            for frame in container.decode(stream):
                # Some decoders hand over frames without a rate after a glitch.
                for converted in resampler.resample(frame):
                    out.write(memoryview(converted.planes[0])[: converted.samples * 2])
            for converted in resampler.resample(None):
                out.write(memoryview(converted.planes[0])[: converted.samples * 2])
        except (av.error.FFmpegError, ValueError) as error:
            done = out.tell() / 2 / SAMPLE_RATE
            raise MediaError(
                path,
                f"is damaged or truncated: decoding stopped after {done:.1f} s ({_reason(error)})",
                "Re-download or re-export the file.",
            ) from None
    samples = out.getvalue()
    del out
    decoded_s = len(samples) / 2 / SAMPLE_RATE
    short = _wav_shortfall(path)
    if short:
        raise MediaError(
            path,
            f"is truncated: its header promises {short} more bytes of audio than it holds",
            "Re-download or re-export the file.",
        )
    if not samples:
        raise MediaError(
            path, "its audio track is empty", "Export the video with its sound, or give the audio."
        )
    if expected_s is not None and expected_s > 1.0 and decoded_s < expected_s * _TRUNCATED_SHARE:
        raise MediaError(
            path,
            f"is truncated: its audio stops at {decoded_s:.1f} s of {expected_s:.1f} s",
            "Re-download or re-export the file.",
        )
    if _rms(samples) < _SILENT_RMS:
        raise MediaError(
            path,
            "its audio track is silent",
            "Check that this is the right file and that its sound was exported.",
        )
    return Audio(samples, SAMPLE_RATE)


def _expected_seconds(
    container: av.container.InputContainer, stream: av.audio.AudioStream
) -> float | None:
    """What the file's headers claim the audio lasts, when they say."""
    if stream.duration is not None and stream.time_base is not None:
        return float(stream.duration * stream.time_base)
    if container.duration is not None:
        return container.duration / 1_000_000  # av.time_base: microseconds
    return None


def _wav_shortfall(path: Path) -> int:
    """Bytes a RIFF/WAVE file's data chunk claims beyond the end of the file.

    FFmpeg reads a cut WAV to its end without complaint and takes its length from
    the file size, so only the header tells that the rest is missing."""
    with path.open("rb") as file:
        head = file.read(12)
        if len(head) < 12 or head[:4] != b"RIFF" or head[8:12] != b"WAVE":
            return 0
        size = path.stat().st_size
        while True:
            chunk = file.read(8)
            if len(chunk) < 8:
                return 0
            length = int.from_bytes(chunk[4:8], "little")
            if chunk[:4] == b"data":
                # 0 and 0xFFFFFFFF mean "unknown" (streamed writers).
                if length in (0, 0xFFFFFFFF):
                    return 0
                return max(0, file.tell() + length - size)
            file.seek(length + (length & 1), 1)


def _rms(pcm: bytes) -> float:
    """Root mean square of int16 samples, over a strided subset for speed (no copy)."""
    samples = memoryview(pcm)[: len(pcm) - len(pcm) % 2].cast("h")
    step = max(1, len(samples) // 200_000)
    picked = samples[::step]
    return math.sqrt(sum(s * s for s in picked) / len(picked)) if len(picked) else 0.0


def _reason(error: BaseException) -> str:
    text = getattr(error, "strerror", None) or str(error)
    return str(text).strip() or type(error).__name__
