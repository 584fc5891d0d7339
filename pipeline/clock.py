"""Times as people read them: the player's clock (m:ss, h:mm:ss)."""

from __future__ import annotations


def format_clock(ms: int) -> str:
    """Milliseconds as the player's clock: m:ss, or h:mm:ss past an hour."""
    seconds = ms // 1000
    hours, rest = divmod(seconds, 3600)
    minutes, secs = divmod(rest, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}" if hours else f"{minutes}:{secs:02d}"
