"""Profiles: the caption rules a document is laid out by (default, bbc, dcmp, or TOML)."""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, fields
from pathlib import Path
from typing import Any

from pipeline.errors import ConfigError


@dataclass(frozen=True, slots=True)
class Profile:
    """Caption rules. Reading speed is in characters per second (spaces and
    punctuation count) or, where a guideline states it so, words per minute."""

    name: str = "default"
    max_chars_per_line: int = 42
    max_lines: int = 2
    speed_unit: str = "cps"  # "cps" or "wpm"
    max_speed: float = 20.0
    target_speed: float = 17.0  # the share at or under this is reported
    min_duration_ms: int = 833
    max_duration_ms: int = 7_000
    min_gap_ms: int = 83  # two frames at 24 fps


PROFILES = {
    # Netflix English timed-text style guide numbers.
    "default": Profile(),
    # BBC subtitle guidelines: about 37 characters a line, 160-180 words a minute.
    "bbc": Profile(
        "bbc", max_chars_per_line=37, speed_unit="wpm", max_speed=180.0, target_speed=160.0
    ),
    # DCMP Captioning Key (educational media): 32 characters, 2 lines, 2 s minimum.
    "dcmp": Profile(
        "dcmp",
        max_chars_per_line=32,
        min_duration_ms=2_000,
        max_duration_ms=7_000,
        speed_unit="wpm",
        max_speed=160.0,
        target_speed=130.0,
    ),
}


def load_profile(spec: str) -> Profile:
    """A named profile, or a TOML file whose keys override the default profile."""
    if spec in PROFILES:
        return PROFILES[spec]
    path = Path(spec)
    if path.suffix != ".toml" or not path.is_file():
        names = ", ".join(PROFILES)
        raise ConfigError(f"unknown caption profile '{spec}'; use one of {names} or a .toml file")
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as error:
        raise ConfigError(f"{path}: not valid TOML ({error})") from None
    known = {f.name: str(f.type) for f in fields(Profile)}
    kinds: dict[str, type | tuple[type, ...]] = {"str": str, "int": int, "float": (int, float)}
    values: dict[str, Any] = {"name": path.stem}
    for key, raw in data.items():
        value: Any = raw
        if key not in known:
            raise ConfigError(f"{path}: unknown key '{key}'; known keys: {', '.join(known)}")
        if not _is_kind(value, kinds[known[key]]):
            raise ConfigError(f"{path}: '{key}' must be a {known[key]}, not {value!r}")
        values[key] = value * 1.0 if known[key] == "float" else value
    if "target_speed" not in values and values.get("max_speed", 1e9) < Profile().target_speed:
        values["target_speed"] = values["max_speed"]  # a lower limit lowers the target with it
    profile = Profile(**values)
    from pipeline.settings import validate_profile

    try:
        validate_profile(profile)
    except ConfigError as error:
        raise ConfigError(f"{path}: {error}") from None
    return profile


def _is_kind(value: object, kind: type | tuple[type, ...]) -> bool:
    return isinstance(value, kind) and not isinstance(value, bool)
