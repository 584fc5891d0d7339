"""Course-video transcripts to captions (WebVTT, SRT, chapters) and search indexes."""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("transcript-pipeline")
except PackageNotFoundError:  # running from a source tree that is not installed
    __version__ = "0.0.0"
