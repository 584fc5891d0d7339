"""The file system as users have it: unreadable files, links, hidden files, an output
folder that is a file, permissions of what is written, where caches go, huge texts."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest
from typer.testing import CliRunner

from pipeline.cli import app
from pipeline.tag.tagger import split_long

ROOT = Path(__file__).resolve().parent.parent
SAMPLE = ROOT / "transcripts" / "babies-in-mind" / "methods-of-working-first-year.txt"
runner = CliRunner()


@pytest.fixture
def inputs(tmp_path: Path) -> Path:
    folder = tmp_path / "in"
    folder.mkdir()
    text = SAMPLE.read_text(encoding="utf-8")
    (folder / "a.txt").write_text(text, encoding="utf-8")
    (folder / "b.txt").write_text(text.replace("Mellow Babies", "Mellow Bumps"), encoding="utf-8")
    return folder


def test_an_unreadable_file_fails_alone(inputs: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    real = Path.read_bytes

    def refuse(self: Path) -> bytes:
        if self.name == "a.txt":
            raise PermissionError(13, "Permission denied", str(self))
        return real(self)

    monkeypatch.setattr(Path, "read_bytes", refuse)
    result = runner.invoke(app, ["ingest", str(inputs)])
    assert result.exit_code == 1
    assert f"{inputs / 'a.txt'}: cannot read the file (Permission denied)" in result.stderr
    assert "b: 10 paragraphs" in result.stdout


def test_links_hidden_files_and_loops_are_skipped_with_a_reason(inputs: Path) -> None:
    (inputs / ".draft.txt").write_text("hidden", encoding="utf-8")
    (inputs / "gone.txt").symlink_to(inputs / "nowhere.txt")
    (inputs / "again.txt").symlink_to(inputs / "a.txt")
    (inputs / "loop").symlink_to(inputs, target_is_directory=True)
    result = runner.invoke(app, ["ingest", str(inputs)])
    assert result.exit_code == 0, result.output
    assert f"{inputs / '.draft.txt'}: skipped, a hidden file" in result.stderr
    assert f"{inputs / 'gone.txt'}: skipped, a link to a file that does not exist" in result.stderr
    assert f"{inputs / 'again.txt'}: skipped, the same file as {inputs / 'a.txt'}" in result.stderr
    assert "2 files: 2 ingested, 0 failed" in result.stderr


def test_an_output_folder_that_is_a_file_is_a_usage_error(inputs: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    out.write_text("not a folder", encoding="utf-8")
    result = runner.invoke(app, ["run", str(inputs), "--out", str(out), "--no-tags"])
    assert result.exit_code == 2
    assert "is a file; pass a folder" in result.output


def test_an_output_folder_that_cannot_be_written_is_one_error_line(
    inputs: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    out = tmp_path / "out"

    def refuse(*args: object, **kwargs: object) -> None:
        raise PermissionError(13, "Permission denied", str(out))

    monkeypatch.setattr(Path, "mkdir", refuse)
    result = runner.invoke(app, ["run", str(inputs), "--out", str(out), "--no-tags"])
    assert result.exit_code == 1
    assert result.stderr.startswith(f"Error: {out}: cannot use it as the output folder")
    assert "Traceback" not in result.output


def test_outputs_are_readable_by_others_under_the_usual_umask(inputs: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    old = os.umask(0o022)
    try:
        result = runner.invoke(app, ["run", str(inputs), "--out", str(out), "--no-tags", "-q"])
    finally:
        os.umask(old)
    assert result.exit_code == 0, result.output
    for name in ("captions/a.vtt", "captions/a.srt", "index/cues.parquet", "review/candidates.csv"):
        mode = stat.S_IMODE((out / name).stat().st_mode)
        assert mode == 0o644, (name, oct(mode))


def test_tag_caches_in_the_user_cache_folder_not_the_working_folder(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    result = runner.invoke(app, ["tag", str(SAMPLE)])
    assert result.exit_code == 0, result.output
    assert not (tmp_path / "outputs").exists()
    assert list((tmp_path / "xdg" / "transcript-pipeline" / "tags").rglob("*.json"))


def test_long_texts_are_tagged_in_pieces_cut_at_sentence_ends() -> None:
    text = "One sentence here. " * 10 + "Then words without end " * 10
    pieces = split_long(text, 60)
    assert "".join(piece for _, piece in pieces) == text
    assert all(len(piece) <= 60 for _, piece in pieces)
    assert pieces[0][1].endswith("here. ")
    assert [offset for offset, _ in pieces] == [
        sum(len(p) for _, p in pieces[:n]) for n in range(len(pieces))
    ]


def test_a_paragraph_over_the_model_limit_is_tagged() -> None:
    import spacy

    from pipeline.model import Metadata, Paragraph, Transcript
    from pipeline.tag import Tagger
    from pipeline.tag.gazetteer import load_gazetteer
    from pipeline.timing import segment

    nlp = spacy.blank("en")
    nlp.max_length = 2_000  # spaCy refuses longer texts (E088), as it does past 1,000,000
    text = "Mothers and babies met again and talked about Mellow Babies. " * 200
    transcript = Transcript(
        "huge", "huge.txt", "0" * 64, Metadata(), (Paragraph(0, 0, 600_000, None, text, 1),)
    )
    segmented = segment(transcript)
    tagger = Tagger(nlp, gazetteer=load_gazetteer())
    result = tagger.tag_document(transcript, segmented.timeline, segmented.chunks)
    found = [m for m in result.mentions if m.canonical_id == "mellow-babies"]
    assert len(found) == 200
    assert all(text[m.start : m.end] == "Mellow Babies" for m in found)
