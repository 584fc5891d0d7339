"""Course-video transcripts to captions (WebVTT, SRT, chapters) and search indexes."""

import os
from importlib.metadata import PackageNotFoundError, version

from pipeline.native import prefer_current_sources

# NumPy's OpenBLAS on one thread, set before anything imports NumPy (the spaCy model
# does): documents are spread over worker processes, and OpenBLAS's own threads, even
# idle, make the process multi-threaded, where every lock the C library takes (the
# model lets go of and takes back the GIL tens of thousands of times a document) is an
# atomic instruction instead of a plain one. `perf`: 28% of tagging in
# pthread_mutex_lock/unlock with them, 7% without; tagging alone over 100 documents
# 10.6-11.4 s -> 9.3-10.1 s. Spawned workers inherit it; a value already set is kept.
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
# Arrow's memory from the C library's malloc, set before anything imports pyarrow: the
# wheel's default mimalloc (and its jemalloc) take transparent huge pages here, which
# the kernel zeroes 2 MB at a time on first touch. ``pa.set_memory_pool`` alone (in
# pipeline.index.tables) does not reach the Parquet writer's own buffers, which come
# from the C++ default pool that only this variable chooses: `perf` still put 0.15 s of a
# one-changed re-run (1,000 documents) in the kernel's ``clear_page_erms`` under
# ``_mi_malloc_generic``, in the threads writing the tables; with it, none.
os.environ.setdefault("ARROW_DEFAULT_MEMORY_POOL", "system")

try:
    __version__ = version("transcript-pipeline")
except PackageNotFoundError:  # running from a source tree that is not installed
    __version__ = "0.0.0"

# A compiled module whose source was edited since it was built is loaded from source.
prefer_current_sources()
