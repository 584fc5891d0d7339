"""Timing: Transcript (+ media) -> Timeline."""
