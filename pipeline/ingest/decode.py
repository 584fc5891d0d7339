"""Decode: a file's bytes -> text, with every repair counted.

``decode_bytes`` picks the encoding (BOMs, UTF-16 without BOM, UTF-8, then the most
plausible 8-bit reading: Windows-1252, Mac Roman or detected); ``normalise_text``
repairs line ends, mojibake, Unicode form and invisible characters. Neither is ever
silent: each change is a ``Repair``, and an uncertain guess of the encoding is a
Repair of kind ``encoding-uncertain`` that ``encoding_warnings`` turns into a warning.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable

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
    guess = _guess_eight_bit(raw)
    if guess is None:
        raise _undecodable(source, raw, utf8_error, "utf-8")
    text, repair = guess
    return _reject_binary(text, source), [repair]


# --- 8-bit encodings ------------------------------------------------------------
# Without a BOM and not UTF-8, the bytes are in some 8-bit encoding, and every such
# encoding decodes them: which one is a guess. The candidates, in order of
# preference on a tie: Windows-1252 (Word, older Windows editors; strict, so bytes it
# leaves undefined rule it out), Mac Roman (older Mac editors: "we’re" read as
# Windows-1252 is "weÕre"), then whatever charset-normalizer detects.
_EIGHT_BIT = (("cp1252", "Windows-1252"), ("mac_roman", "Mac Roman"))
# A reading wins outright only when it is this much more plausible than the next
# (see ``plausibility``); else the guess is reported as uncertain, with both readings.
CERTAIN_MARGIN = 2
ENCODING_UNCERTAIN = "encoding-uncertain"  # the Repair kind of an uncertain guess
_APOSTROPHES = "’‘"
_OPENING = "“‘«„"
_CLOSING = "”’»"
_DASHES = "–—"
_JOINERS = _APOSTROPHES + "—·"  # non-letters that may stand between two letters


def plausibility(text: str) -> int:
    """How much a decoding's non-ASCII characters read like typeset text.

    +1 for each character in a typographic place: an apostrophe between letters,
    an opening quote before a word, a closing quote after one, a spaced dash, an
    ellipsis after a word. -1 for each in a place no typesetting puts it: a capital
    inside a lowercase word ("weÕre", "cafŽ"), a symbol between two letters
    ("na•ve"), a lone capital between spaces ("Ð"), a C1 control character.
    Accented lowercase letters count neither way: both readings produce them.
    """
    score = 0
    for match in _NON_ASCII.finditer(text):
        i = match.start()
        before = text[i - 1] if i else " "
        after = text[i + 1] if i + 1 < len(text) else " "
        score += _evidence(text[i], before, after)
    return score


def _evidence(c: str, before: str, after: str) -> int:
    """+1, -1 or 0 for one non-ASCII character in its place (see ``plausibility``)."""
    if unicodedata.category(c) == "Cc":
        return -1  # C1 controls: no text has them
    if c.isalpha():
        inside_word = before.isalpha() and before.islower()
        alone = before.isspace() and after.isspace()
        return -1 if c.isupper() and (inside_word or alone) else 0
    between_letters = before.isalpha() and after.isalpha()
    if between_letters:
        return 1 if c in _APOSTROPHES else 0 if c in _JOINERS else -1
    opens = c in _OPENING and not before.isalnum() and after.isalnum()
    closes = c in _CLOSING and (before.isalnum() or before in ".,!?") and not after.isalnum()
    spaced_dash = c in _DASHES and before.isspace() and after.isspace()
    ellipsis = c == "…" and before.isalpha()
    return 1 if opens or closes or spaced_dash or ellipsis else 0


_NON_ASCII = re.compile(r"[^\x00-\x7f]")


def _guess_eight_bit(raw: bytes) -> tuple[str, Repair] | None:
    """The most plausible 8-bit reading, and how sure that is, as a Repair."""
    readings: list[tuple[str, str]] = []  # (text, name)
    for codec, name in _EIGHT_BIT:
        try:
            readings.append((raw.decode(codec), name))
        except UnicodeDecodeError:
            continue
    from charset_normalizer import from_bytes

    detected = from_bytes(raw).best()
    if detected is not None and detected.encoding:
        text = str(detected)
        if all(text != known for known, _ in readings):
            readings.append((text, f"{detected.encoding} (detected)"))
    if not readings:
        return None
    scored = sorted(
        ((plausibility(text), -order, text, name) for order, (text, name) in enumerate(readings)),
        reverse=True,
    )
    best_score, _, best, name = scored[0]
    rivals = [entry for entry in scored[1:] if entry[2] != best]
    if not rivals or best_score - rivals[0][0] >= CERTAIN_MARGIN:
        detail = f"as {name}" if name.endswith("(detected)") else f"as {name}, not UTF-8"
        return best, Repair("decoded", 1, detail)
    _, _, rival, rival_name = rivals[0]
    ours, theirs = _first_different_words(best, rival)
    return best, Repair(
        ENCODING_UNCERTAIN,
        1,
        f"as {name}, not UTF-8, a guess: '{ours}' would be '{theirs}' in {rival_name}",
    )


def _first_different_words(one: str, other: str) -> tuple[str, str]:
    for a, b in zip(one.split(), other.split(), strict=False):
        if a != b:
            return a, b
    return "", ""


def encoding_warnings(text: str, repairs: Iterable[Repair]) -> list[Issue]:
    """A warning for each uncertain decoding, on the first line it could have changed.

    ``text`` is the decoded text before ``normalise_text`` (which may replace the very
    characters in doubt, such as a no-break space).
    """
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    line = next((n for n, content in enumerate(lines, start=1) if not content.isascii()), None)
    return [
        Issue(
            ENCODING_UNCERTAIN,
            f"the file is not UTF-8 and its encoding is uncertain: decoded {repair.detail}",
            line,
            "Check the accented letters and quotes; re-save the file as UTF-8, or pass --encoding.",
        )
        for repair in repairs
        if repair.kind == ENCODING_UNCERTAIN
    ]


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
        # One repair for the file, however many lines: it is one normalisation.
        text = text.replace("\r\n", "\n").replace("\r", "\n")
        kinds = " and ".join(k for k, n in (("CRLF", crlf), ("CR", cr)) if n)
        count = crlf + cr
        ends = f"{count:,} line end" + ("s" if count != 1 else "")
        repairs.append(Repair("line-ends", 1, f"{kinds} to LF, {ends}"))
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
