"""Decode: a file's bytes -> text, with every repair counted.

``decode_bytes`` picks the encoding (BOMs, UTF-16 without BOM, UTF-8, Windows-1252,
then detection); ``normalise_text`` repairs line ends, mojibake, Unicode form and
invisible characters. Neither is ever silent: each change is a ``Repair``.
"""

from __future__ import annotations

import re
import unicodedata

from pipeline.errors import TranscriptError
from pipeline.model import Issue, Repair

# --- text repairs ---------------------------------------------------------------
_SPACES = re.compile(r"[\u00a0\u2000-\u200a\u202f\u205f\u3000\t]")  # to plain space
_INVISIBLE = re.compile(r"[\u200b-\u200d\u2060\ufeff\u00ad]")  # zero-width, soft hyphen
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
MULTISPACE = re.compile(r" {2,}")


def decode_bytes(
    raw: bytes, *, source: str = "<bytes>", encoding: str | None = None
) -> tuple[str, list[Repair]]:
    """Decode a file's bytes, recording how (never silently guessing)."""
    if not raw.strip():
        raise TranscriptError(
            source,
            Issue("empty", "the file is empty", remedy="Paste the transcript text into it."),
        )
    if encoding:
        try:
            return raw.decode(encoding), [Repair("decoded", 1, f"as {encoding} (--encoding)")]
        except (UnicodeDecodeError, LookupError) as error:
            raise TranscriptError(
                source,
                Issue(
                    "undecodable",
                    f"cannot decode the file as {encoding} ({error})",
                    remedy="Pass the right --encoding, or re-save the file as UTF-8.",
                ),
            ) from None
    # BOMs first: UTF-32's little-endian BOM starts with UTF-16's.
    for bom, codec in (
        (b"\xff\xfe\x00\x00", "utf-32-le"),
        (b"\x00\x00\xfe\xff", "utf-32-be"),
        (b"\xff\xfe", "utf-16-le"),
        (b"\xfe\xff", "utf-16-be"),
        (b"\xef\xbb\xbf", "utf-8"),
    ):
        if raw.startswith(bom):
            try:
                text = raw[len(bom) :].decode(codec)
            except UnicodeDecodeError as error:
                raise _undecodable(source, raw[len(bom) :], error, codec) from None
            return _reject_binary(text, source), [Repair("bom-removed", 1, codec)]
    if b"\x00" in raw:
        codec16 = _utf16_without_bom(raw)
        if codec16:
            try:
                text = raw.decode(codec16)
                return _reject_binary(text, source), [Repair("decoded", 1, f"as {codec16}, no BOM")]
            except UnicodeDecodeError:
                pass
        line = raw[: raw.index(b"\x00")].count(b"\n") + 1
        raise TranscriptError(
            source,
            Issue(
                "binary",
                "the file is binary, not text (a NUL byte)",
                line,
                "Export the transcript as plain text (.txt), WebVTT (.vtt) or SubRip (.srt).",
            ),
        )
    try:
        return _reject_binary(raw.decode("utf-8"), source), []
    except UnicodeDecodeError as error:
        utf8_error = error
    try:
        # Word and older Windows editors save Windows-1252; it is strict here, so
        # bytes it leaves undefined fall through to detection.
        return _reject_binary(raw.decode("cp1252"), source), [
            Repair("decoded", 1, "as Windows-1252, not UTF-8")
        ]
    except UnicodeDecodeError:
        pass
    from charset_normalizer import from_bytes

    best = from_bytes(raw).best()
    if best is not None and best.encoding:
        return _reject_binary(str(best), source), [
            Repair("decoded", 1, f"as {best.encoding} (detected)")
        ]
    raise _undecodable(source, raw, utf8_error, "utf-8")


def _utf16_without_bom(raw: bytes) -> str | None:
    """UTF-16 text without a BOM has NULs in every other byte for ASCII."""
    if len(raw) < 4 or len(raw) % 2:
        return None
    even, odd = raw[0::2].count(0), raw[1::2].count(0)
    half = len(raw) // 2
    if odd > 0.3 * half and even < 0.05 * half:
        return "utf-16-le"
    if even > 0.3 * half and odd < 0.05 * half:
        return "utf-16-be"
    return None


def _undecodable(source: str, raw: bytes, error: UnicodeDecodeError, codec: str) -> TranscriptError:
    line = raw[: error.start].count(b"\n") + 1
    return TranscriptError(
        source,
        Issue(
            "undecodable",
            f"cannot decode byte {raw[error.start : error.start + 1]!r} as {codec}",
            line,
            "Re-save the file as UTF-8, or pass its encoding with --encoding.",
        ),
    )


def _reject_binary(text: str, source: str) -> str:
    controls = len(_CONTROL.findall(text[:65536]))
    if controls > max(8, len(text[:65536]) // 100):
        raise TranscriptError(
            source,
            Issue(
                "binary",
                f"the file looks binary ({controls} control characters)",
                1,
                "Export the transcript as plain text (.txt), WebVTT (.vtt) or SubRip (.srt).",
            ),
        )
    return text


def normalise_text(text: str) -> tuple[str, list[Repair]]:
    """Line ends, mojibake, Unicode form and invisible characters; each counted."""
    repairs: list[Repair] = []
    crlf = text.count("\r\n")
    cr = text.count("\r") - crlf
    if crlf or cr:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
        repairs.append(Repair("line-ends", crlf + cr, "CRLF" if crlf else "CR"))
    lines = text.split("\n")
    fixed_lines, example = 0, ""
    from ftfy import fix_encoding
    from ftfy.badness import is_bad

    for i, line in enumerate(lines):
        if line and not line.isascii() and is_bad(line):
            fixed = fix_encoding(line)
            if fixed != line:
                if not example:
                    example = _first_difference(line, fixed)
                lines[i] = fixed
                fixed_lines += 1
    if fixed_lines:
        text = "\n".join(lines)
        repairs.append(Repair("mojibake", fixed_lines, example))
    nfc = unicodedata.normalize("NFC", text)
    if nfc != text:
        changed = sum(a != b for a, b in zip(text.split("\n"), nfc.split("\n"), strict=True))
        repairs.append(Repair("unicode-nfc", changed, "composed characters"))
        text = nfc
    for kind, pattern, replacement in (
        ("spaces", _SPACES, " "),
        ("invisible-characters", _INVISIBLE, ""),
        ("control-characters", _CONTROL, ""),
    ):
        text, count = pattern.subn(replacement, text)
        if count:
            repairs.append(Repair(kind, count))
    return text, repairs


def _first_difference(before: str, after: str) -> str:
    for a, b in zip(before.split(), after.split(), strict=False):
        if a != b:
            return f"{a} -> {b}"
    return ""
