"""Quality: cues measured against a profile (reading speed, lines, durations, gaps)."""

from __future__ import annotations

import itertools
import json
from collections.abc import Sequence
from dataclasses import asdict

from pipeline.captions.cues import speed
from pipeline.captions.profiles import Profile
from pipeline.model import Cue, Quality


def measure(cues: Sequence[Cue], profile: Profile) -> Quality:
    rates = [speed(len(c.text), len(c.text.split()), c.end_ms - c.start_ms, profile) for c in cues]
    durations = [c.end_ms - c.start_ms for c in cues]
    gaps = [b.start_ms - a.end_ms for a, b in itertools.pairwise(cues)]
    line_lengths = [len(line) for c in cues for line in c.lines]
    n = len(cues) or 1
    return Quality(
        profile=profile.name,
        cues=len(cues),
        speed_unit=profile.speed_unit,
        max_speed=profile.max_speed,
        target_speed=profile.target_speed,
        over_max_speed=sum(r > profile.max_speed for r in rates),
        share_within_max=round(sum(r <= profile.max_speed for r in rates) / n, 4),
        share_within_target=round(sum(r <= profile.target_speed for r in rates) / n, 4),
        fastest=round(max(rates, default=0.0), 2),
        longest_line=max(line_lengths, default=0),
        lines_over_limit=sum(length > profile.max_chars_per_line for length in line_lengths),
        most_lines=max((len(c.lines) for c in cues), default=0),
        cues_over_line_count=sum(len(c.lines) > profile.max_lines for c in cues),
        shortest_ms=min(durations, default=0),
        longest_ms=max(durations, default=0),
        under_min_duration=sum(d < profile.min_duration_ms for d in durations),
        over_max_duration=sum(d > profile.max_duration_ms for d in durations),
        gaps_under_min=sum(0 <= g < profile.min_gap_ms for g in gaps),
        overlaps=sum(g < 0 for g in gaps),
    )


def quality_json(quality: Quality) -> str:
    return json.dumps(asdict(quality), indent=2, sort_keys=True) + "\n"
