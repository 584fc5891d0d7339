"""The compiled modules (pipeline/native.py): the same bytes as pure Python, and never
a stale extension; and the collector settings of a pipeline process (pipeline/collector.py)."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from trees import tree

from pipeline import native

ROOT = Path(__file__).resolve().parent.parent


def run(inputs: Path, out: Path, *, pure: bool) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k != native.PURE_ENV}
    if pure:
        env[native.PURE_ENV] = "1"
    probe = "import json, pipeline.native as n; print(json.dumps(n.status()))"
    states = json.loads(
        subprocess.run(
            [sys.executable, "-c", probe], env=env, check=True, capture_output=True, text=True
        ).stdout
    )
    assert set(states.values()) <= ({"forced", "source"} if pure else {"compiled", "source"})
    command = [sys.executable, "-m", "pipeline", "run", str(inputs), "--out", str(out), "-q"]
    subprocess.run([*command, "--jobs", "1"], env=env, check=True, cwd=ROOT)
    return tree(out)


@pytest.mark.skipif(
    "compiled" not in native.status().values(),
    reason="no module is compiled here (no C compiler, or PIPELINE_PURE_PYTHON=1)",
)
def test_compiled_modules_write_the_bytes_pure_python_writes(tmp_path: Path) -> None:
    """Every output of a run (captions, tables, search, report) over the sample, the
    varied test inputs and a development batch of other subjects."""
    inputs = tmp_path / "transcripts"
    for folder in ("transcripts", "tests/corpus", "tests/tagsets/dev"):
        for path in sorted((ROOT / folder).rglob("*.txt")):
            target = inputs / folder.replace("/", "-") / path.name
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(path, target)
    compiled = run(inputs, tmp_path / "compiled", pure=False)
    pure = run(inputs, tmp_path / "pure", pure=True)
    assert len(compiled) > 50
    assert compiled == pure


def test_an_edited_source_is_used_instead_of_its_extension(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """An extension counts only with the manifest's hash of its source: after an edit
    (or with no manifest) the source is loaded, and PIPELINE_PURE_PYTHON forces it."""
    package = tmp_path / "pipeline"
    module = "pipeline.timing.speech"
    source = package / "timing" / "speech.py"
    source.parent.mkdir(parents=True)
    source.write_text("X = 1\n", encoding="utf-8")
    extension = source.with_name("speech" + native.importlib.machinery.EXTENSION_SUFFIXES[0])
    extension.write_bytes(b"not really a library")
    monkeypatch.setattr(native, "_PACKAGE", package)
    monkeypatch.delenv(native.PURE_ENV, raising=False)

    assert native.status()[module] == "stale"  # no manifest
    manifest = {module: native.sha256_of(source)}
    (package / native.MANIFEST).write_text(json.dumps(manifest), encoding="utf-8")
    assert native.status()[module] == "compiled"
    assert native.status()["pipeline.captions.cues"] == "source"  # no extension
    source.write_text("X = 2\n", encoding="utf-8")
    assert native.status()[module] == "stale"
    monkeypatch.setenv(native.PURE_ENV, "1")
    assert native.status()[module] == "forced"

    spec = native._SourceFinder([module]).find_spec(module)
    assert spec is not None and spec.origin == str(source)
    assert native._SourceFinder([module]).find_spec("pipeline.model") is None


def test_classes_of_compiled_modules_pickle() -> None:
    """Worker processes receive what they work with pickled; a compiled frozen
    dataclass does not unpickle field by field, so these pickle as constructor calls."""
    import pickle

    from pipeline.timing.speech import SpeechModel

    model = SpeechModel(comma=0.3, sentence=2.5)
    assert pickle.loads(pickle.dumps(model)) == model


def test_settle_collects_young_objects_less_often() -> None:
    import gc

    from pipeline.collector import YOUNG_THRESHOLD, settle

    before = gc.get_threshold()
    try:
        gc.set_threshold(700, 10, 10)
        settle()
        assert gc.get_threshold() == (YOUNG_THRESHOLD, 10, 10)
        gc.set_threshold(2 * YOUNG_THRESHOLD, 10, 10)
        settle()  # never lower
        assert gc.get_threshold() == (2 * YOUNG_THRESHOLD, 10, 10)
    finally:
        gc.set_threshold(*before)


def test_one_stale_module_sends_every_compiled_one_to_its_source() -> None:
    # Compiled modules call each other through C entry points: a source module among
    # them crashed the process (an edited pipeline/tag/repairs.py under the compiled
    # consistency rules).
    states = {"a": "compiled", "b": "stale", "c": "source", "d": "compiled"}
    assert native.from_source(states) == ["a", "b", "d"]
    assert native.from_source({"a": "compiled", "c": "source"}) == []
    assert native.from_source({"a": "forced", "c": "source"}) == ["a"]
