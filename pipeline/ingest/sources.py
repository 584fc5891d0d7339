"""Sources: paths -> input files with their document ids, read into Transcripts.

``discover`` finds inputs under folders in a stable order; ``doc_id_for`` names a
document by its path under the input root; ``read_transcript`` reads, decodes and
parses one file (page text or caption file).
"""

from __future__ import annotations

import hashlib
import os
import re
import stat
import unicodedata
from collections.abc import Iterable, Iterator
from dataclasses import replace
from pathlib import Path

from pipeline.errors import TranscriptError
from pipeline.ingest.captions import parse_captions
from pipeline.ingest.decode import decode_bytes
from pipeline.ingest.pages import parse_transcript
from pipeline.model import Issue, Transcript

SUFFIXES = (".txt", ".vtt", ".srt")
MAX_BYTES = 20 * 1024 * 1024
# Containers of the video or audio a transcript may be timed from (what PyAV decodes).
MEDIA_SUFFIXES = (
    ".mp4",
    ".m4a",
    ".m4v",
    ".mov",
    ".mkv",
    ".webm",
    ".mp3",
    ".ogg",
    ".oga",
    ".opus",
    ".flac",
    ".wav",
    ".aac",
)


def media_beside(path: Path) -> Path | None:
    """A video or audio file with the transcript's stem, in its folder."""
    for suffix in MEDIA_SUFFIXES:
        for candidate in (path.with_suffix(suffix), path.with_suffix(suffix.upper())):
            if candidate.is_file():
                return candidate
    return None


class MediaFinder:
    """``media_beside`` for many inputs: each folder is listed once, and only an input
    with another file of its stem beside it is looked at closer (the same answers,
    without a dozen failed stats per input)."""

    def __init__(self) -> None:
        # Keyed by the folder as a string: hashing Path objects cost more than the
        # listing itself when a run asks for thousands of kept documents.
        self.folders: dict[str, dict[str, list[str]] | None] = {}

    def __call__(self, path: Path) -> Path | None:
        folder, own = os.path.split(os.fspath(path))
        folder = folder or "."
        try:
            listed = self.folders[folder]
        except KeyError:
            try:
                names = os.listdir(folder)
            except OSError:
                listed = None
            else:
                listed = {}
                for name in names:
                    listed.setdefault(_stem(name).casefold(), []).append(name)
            self.folders[folder] = listed
        if listed is not None and all(
            name == own for name in listed.get(_stem(own).casefold(), ())
        ):
            return None
        return media_beside(Path(path))


def _suffix(name: str) -> str:
    """``Path(name).suffix`` without making a Path."""
    dot = name.rfind(".")
    return name[dot:] if 0 < dot < len(name) - 1 else ""


def _stem(name: str) -> str:
    """``Path(name).stem`` without making a Path."""
    dot = name.rfind(".")
    return name[:dot] if 0 < dot < len(name) - 1 else name


class Resolver:
    """``Path.resolve`` for many files: each folder is resolved once and a file that
    is not a link is joined to it (the same answer without a stat per path component
    per file: thousands on a catalogue's every run); a file asked for again (discovery,
    then planning) is answered from memory."""

    def __init__(self) -> None:
        self.folders: dict[str, Path] = {}
        self.files: dict[str, Path] = {}  # discovery and planning ask for each file

    def __call__(self, path: Path, strict: bool = False) -> Path:
        text = os.fspath(path)
        known = self.files.get(text)
        if known is not None:
            return known
        folder, name = os.path.split(text)
        if name in ("", ".", ".."):
            return Path(text).resolve(strict=strict)
        try:
            mode = os.lstat(text).st_mode
        except OSError:
            if strict:
                raise
            return Path(text).resolve()  # not kept: the file may appear
        if stat.S_ISLNK(mode):
            real = Path(text).resolve(strict=strict)
        else:
            where = self.folders.get(folder)
            if where is None:
                where = self.folders[folder] = Path(folder or ".").resolve()
            real = where / name
        self.files[text] = real
        return real


def read_transcript(
    path: Path,
    *,
    root: Path | None = None,
    max_bytes: int = MAX_BYTES,
    encoding: str | None = None,
    duration_ms: int | None = None,
    duration_origin: str | None = None,
    place: tuple[str, str] | None = None,
) -> Transcript:
    """Read, decode and parse one transcript or caption file.

    Errors name the path as given; the Transcript's ``source`` is its path under the
    root, so that outputs do not depend on where the input folder is. ``place`` is
    its doc id and that path when the caller has worked them out (a run's planning
    has: resolving the path and its root again costs more than parsing on some file
    systems).
    """
    path = Path(path)
    source = str(path)
    if place is not None:
        doc_id, name = place
    else:
        root = root if root is not None else find_root(path)
        real, real_root = path.resolve(), root.resolve()  # each once: slow on some systems
        relative = under_root(path, real, real_root)
        doc_id = doc_id_under(relative, path)
        name = relative.as_posix()  # the path under its root, or the file name alone
    try:
        size = path.stat().st_size
    except OSError as error:
        raise TranscriptError(
            source,
            Issue(
                "unreadable",
                f"cannot read the file ({error.strerror or error})",
                remedy="Check its permissions.",
            ),
        ) from None
    if size > max_bytes:
        raise TranscriptError(
            source,
            Issue(
                "too-large",
                f"the file is {size:,} bytes, over the limit of {max_bytes:,}",
                remedy="Split it, or raise the limit with --max-bytes.",
            ),
        )
    try:
        raw = path.read_bytes()
    except OSError as error:
        raise TranscriptError(
            source,
            Issue(
                "unreadable",
                f"cannot read the file ({error.strerror or error})",
                remedy="Check its permissions.",
            ),
        ) from None
    text, repairs = decode_bytes(raw, source=source, encoding=encoding)
    sha256 = hashlib.sha256(raw).hexdigest()
    suffix = path.suffix.lower()
    if suffix in (".vtt", ".srt"):
        transcript = parse_captions(
            text,
            suffix[1:],
            doc_id=doc_id,
            source=source,
            sha256=sha256,
            repairs=repairs,
            duration_ms=duration_ms,
            duration_origin=duration_origin,
        )
    else:
        transcript = parse_transcript(
            text,
            doc_id=doc_id,
            source=source,
            sha256=sha256,
            repairs=repairs,
            duration_ms=duration_ms,
            duration_origin=duration_origin,
        )
    return replace(transcript, source=name, name=name)


# A folder with one of these names, or holding a manifest, is where document ids start.
ROOT_NAMES = ("transcripts",)
ROOT_MARKERS = ("manifest.csv",)


def find_root(path: Path) -> Path:
    """The folder a document id is counted from, the same however the path is given.

    The nearest folder at or above the input that is named ``transcripts`` or holds a
    ``manifest.csv``; else the folder given (a file's own folder).
    """
    start = path if path.is_dir() else path.parent
    for folder in [start, *start.resolve().parents]:
        if folder.name.lower() in ROOT_NAMES or any((folder / m).is_file() for m in ROOT_MARKERS):
            return folder
    return start


_SLUG_DROP = re.compile(r"[^a-z0-9]+")


def slugify(part: str) -> str:
    """A path part as [a-z0-9-]; never empty, never '.' or '..'."""
    ascii_part = unicodedata.normalize("NFKD", part).encode("ascii", "ignore").decode()
    slug = _SLUG_DROP.sub("-", ascii_part.lower()).strip("-")
    if not slug:
        slug = "u-" + hashlib.sha256(part.encode("utf-8")).hexdigest()[:8]
    return slug


def doc_id_for(path: Path, root: Path) -> str:
    """The path under its input root, slugged per part: 'course/step-title'."""
    return doc_id_under(under_root(path, path.resolve(), root.resolve()), path)


def under_root(path: Path, real: Path, real_root: Path) -> Path:
    """``path`` (resolved: ``real``) under its resolved root, or its name alone when
    it is not under it. Callers resolving many paths resolve each root once."""
    try:
        return real.relative_to(real_root)
    except ValueError:
        return Path(path.name)


def doc_id_under(relative: Path, path: Path) -> str:
    """The doc id of ``path``, which is ``relative`` under its root."""
    parts = [*relative.parent.parts, relative.stem]
    return "/".join(slugify(p) for p in parts if p not in ("", ".", "..")) or slugify(path.stem)


def read_many(
    paths: Iterable[Path],
    *,
    max_bytes: int = MAX_BYTES,
    encoding: str | None = None,
    durations: dict[str, int] | None = None,
) -> Iterator[tuple[Path, Transcript | TranscriptError]]:
    """Read every input under ``paths``; a bad file yields its error, not a raise.

    ``durations`` maps a doc id to the video's known duration in milliseconds.
    """
    seen: dict[str, Path] = {}
    for item in paths:
        try:
            found = discover([item])
        except TranscriptError as error:
            yield Path(item), error
            continue
        for path, root in found:
            doc_id = doc_id_for(path, root)
            if doc_id in seen:
                yield (
                    path,
                    TranscriptError(
                        str(path),
                        Issue(
                            "duplicate-id",
                            f"its document id '{doc_id}' is already used by {seen[doc_id]}",
                            None,
                            "Rename one of the two files.",
                        ),
                    ),
                )
                continue
            seen[doc_id] = path
            try:
                duration = (durations or {}).get(doc_id)
                yield (
                    path,
                    read_transcript(
                        path,
                        root=root,
                        max_bytes=max_bytes,
                        encoding=encoding,
                        duration_ms=duration,
                    ),
                )
            except TranscriptError as error:
                yield path, error


def discover(
    paths: Iterable[Path],
    exclude: Iterable[Path] = (),
    skipped: list[str] | None = None,
    resolve: Resolver | None = None,
) -> list[tuple[Path, Path]]:
    """Input files with the root their doc id is taken from, in a stable order.

    A folder is searched recursively, following no links to folders (a link loop
    cannot trap it); dot-files and dot-folders, the output folder (``exclude``),
    unreadable folders, dangling links and links to a file already found are left
    out, each with a line in ``skipped`` saying why. A file given by name counts from
    ``find_root``. Missing paths raise TranscriptError so the caller can report and
    go on.
    """
    skip = {Path(p).resolve() for p in exclude}
    notes = skipped if skipped is not None else []
    found: list[tuple[Path, Path]] = []
    seen: dict[Path, Path] = {}
    resolve = resolve or Resolver()  # the caller's, to resolve each file once

    def add(child: Path, root: Path) -> None:
        try:
            real = resolve(child, strict=True)
        except (OSError, RuntimeError):
            notes.append(f"{child}: skipped, a link to a file that does not exist")
            return
        if real in seen:
            notes.append(f"{child}: skipped, the same file as {seen[real]}")
            return
        seen[real] = child
        found.append((child, root))

    for path in paths:
        path = Path(path)
        if path.is_dir():
            root = find_root(path)
            if path.resolve() in skip:
                notes.append(f"{path}: skipped, it is the output folder")
                continue

            def unreadable(error: OSError) -> None:
                notes.append(
                    f"{error.filename}: skipped, cannot read the folder"
                    f" ({error.strerror or error}); check its permissions"
                )

            inside: list[tuple[tuple[str, ...], Path]] = []  # (parts under path, file)
            for directory, folders, files in os.walk(path, onerror=unreadable):
                here = Path(directory)
                under = here.relative_to(path).parts  # once per folder, not per file
                kept = []
                for name in sorted(folders):
                    folder = here / name
                    if name.startswith("."):
                        continue  # hidden folders (.git, .cache) are never transcripts
                    if folder.resolve() in skip:
                        notes.append(f"{folder}: skipped, it is the output folder")
                    else:
                        kept.append(name)
                folders[:] = kept
                for name in sorted(files):
                    if _suffix(name).lower() not in SUFFIXES:
                        continue
                    child = here / name
                    if name.startswith("."):
                        notes.append(f"{child}: skipped, a hidden file")
                        continue
                    inside.append(((*under, name), child))
            # In path order, as a sorted listing shows them: the same order on any system.
            for _, child in sorted(inside, key=lambda item: item[0]):
                add(child, root)
        elif path.is_file():
            add(path, find_root(path))
        elif path.is_symlink():
            raise TranscriptError(
                str(path),
                Issue("missing", "a link to a file that does not exist", None, "Fix the link."),
            )
        else:
            raise TranscriptError(
                str(path),
                Issue("missing", "no such file or folder", None, "Check the path."),
            )
    return found
