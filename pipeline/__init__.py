"""Course-video transcripts to captions (WebVTT, SRT, chapters) and search indexes."""

from importlib.metadata import PackageNotFoundError, version

from pipeline.native import prefer_current_sources

try:
    __version__ = version("transcript-pipeline")
except PackageNotFoundError:  # running from a source tree that is not installed
    __version__ = "0.0.0"

# A compiled module whose source was edited since it was built is loaded from source.
prefer_current_sources()
