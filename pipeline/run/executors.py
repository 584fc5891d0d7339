"""Executors: how ``run_one`` is mapped over the documents.

A local pool of worker processes (``--jobs N``; with one job and a few documents, this
process itself), or a Dask distributed cluster (``--executor dask``). Each worker
process loads the model and the aligner once (``worker_for``) and writes its
documents' outputs itself, so only small Summaries travel back. Outputs do not depend
on the executor or on N.
"""

from __future__ import annotations

import atexit
import multiprocessing
import os
import sys
from collections.abc import Iterator, Sequence
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from pathlib import Path

from pipeline.errors import ConfigError
from pipeline.run.corpus import Executor, Finished, Summary, run_one, run_one_keeping
from pipeline.settings import Settings


class InProcess(Executor):
    def map(
        self,
        sources: Sequence[Source],
        keys: Sequence[str],
        settings: Settings,
        out_dir: Path,
        *,
        beside: int = 0,
    ) -> Iterator[Finished]:
        for source, key in zip(sources, keys, strict=True):
            yield run_one_keeping(source, settings, out_dir, key)


# With --jobs 1, from this many documents to do or to stream into the index beside
# them, the one worker is a process of its own too. In this process it would share the
# GIL and the cores' time with the index assembly's threads, and a process with more
# than one thread pays for every lock the C library takes with an atomic instruction
# (the model takes and lets go of the GIL tens of thousands of times a document):
# tagging alone 8-10% slower with one idle thread beside it. A worker process starts in
# ~0.3 s, so a few documents into a small index stay here.
OWN_PROCESS_FROM = 32


class ProcessPool(Executor):
    """A pool of fresh worker processes (spawned, so none inherits a half-loaded model)."""

    def __init__(self, jobs: int) -> None:
        self.jobs = jobs
        self.pool: ProcessPoolExecutor | None = None
        self.started: dict[str, Future[Summary]] = {}  # doc_id -> begun while planning

    def start(
        self, source: Source, key: str, settings: Settings, out_dir: Path, found: int
    ) -> None:
        """Begin a document found while planning (a window of them at most): not with
        one job while the documents might yet be few enough to do in this process."""
        if len(self.started) >= 4 * self.jobs or (self.jobs <= 1 and found < OWN_PROCESS_FROM):
            return
        pool = self._pool()
        self.started[source.doc_id] = pool.submit(run_one, source, settings, out_dir, key)

    def _pool(self) -> ProcessPoolExecutor:
        # Workers are started as documents are handed over, up to ``jobs``: one
        # document to do starts one worker.
        if self.pool is None:
            self.pool = ProcessPoolExecutor(
                max_workers=self.jobs,
                mp_context=multiprocessing.get_context("spawn"),
                initializer=_exit_quickly,
            )
        return self.pool

    def close(self) -> None:
        if self.pool is not None:
            self.pool.shutdown(wait=True, cancel_futures=True)
            self.pool = None
        self.started.clear()

    def map(
        self,
        sources: Sequence[Source],
        keys: Sequence[str],
        settings: Settings,
        out_dir: Path,
        *,
        beside: int = 0,
    ) -> Iterator[Finished]:
        # With two jobs or more (or one, beside a large index: OWN_PROCESS_FROM), one
        # document goes to a worker process too: while it starts, loads the model and
        # does the document, this process plans, streams the kept documents into the
        # index and reads the previous tables on the other core (a re-run after one edit
        # in a 1,000-document folder: 2.7 -> 2.5 s, its cost beyond that document alone
        # 0.87 -> 0.2 s; one file into an empty folder pays the second start, ~0.3 s).
        few = self.jobs <= 1 and len(sources) + beside < OWN_PROCESS_FROM
        if not sources or (few and not self.started):
            yield from InProcess().map(sources, keys, settings, out_dir)
            return
        workers = min(self.jobs, len(sources))
        pool = self._pool()
        try:
            # A bounded window of submitted documents keeps memory flat on big corpora.
            pending: set[Future[Summary]] = set()
            queue = iter(zip(sources, keys, strict=True))
            window = 4 * workers
            for source, key in queue:
                begun = self.started.pop(source.doc_id, None)
                if begun is None:
                    begun = pool.submit(run_one, source, settings, out_dir, key)
                pending.add(begun)
                if len(pending) >= window:
                    done, pending = wait(pending, return_when=FIRST_COMPLETED)
                    for future in sorted(done, key=_order):
                        yield future.result(), None
            while pending:
                done, pending = wait(pending, return_when=FIRST_COMPLETED)
                for future in sorted(done, key=_order):
                    yield future.result(), None
        finally:
            self.close()


def _exit_quickly() -> None:
    """A worker process ends as soon as its interpreter starts to finalise, without
    tearing the model down object by object: 0.21 s after its last document, which the
    run waited for (the pool is shut down before the index is finished), 0.01 s with
    this. Its files are all written and closed by then (each atomically, by ``run_one``)."""

    def leave() -> None:
        for stream in (sys.stdout, sys.stderr):
            try:
                stream.flush()
            except (AttributeError, OSError, ValueError):
                pass
        os._exit(0)

    atexit.register(leave)


def _order(future: Future[Summary]) -> str:
    return future.result().doc_id


class DaskCluster(Executor):
    """The same function over a Dask distributed cluster: ``scheduler`` is its address,
    or None for a LocalCluster of ``jobs`` worker processes on this machine."""

    def __init__(self, scheduler: str | None, jobs: int) -> None:
        try:
            import distributed  # noqa: F401
        except ImportError:
            raise ConfigError(
                "--executor dask needs dask[distributed]: run 'make install', or"
                " '.venv/bin/pip install \"dask[distributed]\"'."
            ) from None
        self.scheduler = scheduler
        self.jobs = jobs

    def map(
        self,
        sources: Sequence[Source],
        keys: Sequence[str],
        settings: Settings,
        out_dir: Path,
        *,
        beside: int = 0,
    ) -> Iterator[Finished]:
        from distributed import Client, LocalCluster, as_completed

        if not sources:
            return
        if self.scheduler:
            client = Client(self.scheduler)
            cluster = None
        else:
            cluster = LocalCluster(
                n_workers=self.jobs,
                threads_per_worker=1,
                processes=True,
                dashboard_address=None,
                silence_logs=40,
            )
            client = Client(cluster)
        try:
            futures = client.map(
                run_one,
                list(sources),
                [settings] * len(sources),
                [out_dir] * len(sources),
                list(keys),
                pure=False,
            )
            for future in as_completed(futures):
                yield future.result(), None
        finally:
            client.close()
            if cluster is not None:
                cluster.close()


def make_executor(kind: str, jobs: int, scheduler: str | None = None) -> Executor:
    if kind == "local":
        if scheduler:
            raise ConfigError("--scheduler needs --executor dask")
        return ProcessPool(jobs)
    if kind == "dask":
        return DaskCluster(scheduler, jobs)
    raise ConfigError(f"unknown executor '{kind}'; use local or dask")


from pipeline.run.document import Source  # noqa: E402  (for the annotations above)
