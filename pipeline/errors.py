"""The project's own exceptions: every message says where, what, and what next."""

from __future__ import annotations

from pipeline.model import Issue


class PipelineError(Exception):
    """Base class; ``str(error)`` is a complete message for the user."""


class TranscriptError(PipelineError):
    """An input file that cannot become a Transcript."""

    def __init__(self, source: str, issue: Issue) -> None:
        self.source = source
        self.issue = issue
        super().__init__(issue.render(source))


class ConfigError(PipelineError):
    """A bad option, profile, gazetteer or manifest."""


class ModelError(PipelineError):
    """The spaCy model cannot be loaded."""
