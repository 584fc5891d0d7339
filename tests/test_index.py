"""The index stage: explicit schemas, rows against the inputs, byte-identical files."""

from __future__ import annotations

import hashlib
import re
import sys
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from pipeline import __version__
from pipeline.errors import ConfigError, PipelineError
from pipeline.index.tables import (
    CHUNKS_SCHEMA,
    CUES_SCHEMA,
    DOCUMENTS_SCHEMA,
    MENTIONS_SCHEMA,
    ROW_TYPES,
    SCHEMA_VERSION,
    SCHEMAS,
    SEGMENTS_SCHEMA,
    TableWriter,
    chunk_rows,
    deep_link,
    describe_schemas,
    read_chunks,
    read_table,
    tables,
    write_tables,
)
from pipeline.model import (
    Chunk,
    Cue,
    DocumentResult,
    Mention,
    Metadata,
    Paragraph,
    Sentence,
    Timeline,
    Transcript,
    Word,
)

D = pa.dictionary(pa.int32(), pa.string())
S = pa.string()
I32 = pa.int32()
I64 = pa.int64()
LIST = pa.list_(pa.field("element", pa.string(), nullable=False))

# --- a synthetic DocumentResult, built by hand (no spaCy) ---------------------------


def make_result(
    doc_id: str,
    paragraphs: list[tuple[int, str | None, str]],
    *,
    end_ms: int,
    entities: tuple[tuple[str, str, str | None], ...] = (),
    metadata: Metadata | None = None,
    video_url: str | None = None,
    last_end_known: bool = False,
) -> DocumentResult:
    """One chunk per paragraph, cues of six words, mentions wherever an entity's text occurs.

    ``entities`` are (text, label, canonical id); label INTERVENTION marks a gazetteer hit.
    """
    paras = []
    for index, (start, speaker, text) in enumerate(paragraphs):
        following = paragraphs[index + 1][0] if index + 1 < len(paragraphs) else None
        end = following if following is not None else (end_ms if last_end_known else None)
        paras.append(Paragraph(index, start, end, speaker, text, index * 2 + 3))
    words: list[Word] = []
    chunks: list[Chunk] = []
    cues: list[Cue] = []
    mentions: list[Mention] = []
    for para in paras:
        stop = para.end_ms if para.end_ms is not None else end_ms
        spans = [(m.start(), m.end()) for m in re.finditer(r"\S+", para.text)]
        step = (stop - para.start_ms) // len(spans)
        first = len(words)
        for n, (start, end) in enumerate(spans):
            begin = para.start_ms + n * step
            words.append(Word(para.index, start, end, para.text[start:end], begin, begin + step))
        chunk_id = f"{doc_id}#c{para.index}"
        chunks.append(
            Chunk(
                chunk_id,
                doc_id,
                para.index,
                para.start_ms,
                stop,
                first,
                len(words) - 1,
                para.speaker,
                para.text,
            )
        )
        for offset in range(first, len(words), 6):
            group = words[offset : offset + 6]
            cues.append(
                Cue(
                    len(cues),
                    group[0].start_ms,
                    group[-1].end_ms,
                    (" ".join(w.text for w in group),),
                    para.speaker,
                    offset,
                    offset + len(group) - 1,
                )
            )
        for text, label, canonical in entities:
            for found in re.finditer(re.escape(text), para.text):
                word = next(w for w in words[first:] if w.end > found.start())
                gazetteer = label == "INTERVENTION"
                mentions.append(
                    Mention(
                        mention_id=f"{doc_id}#m{len(mentions)}",
                        doc_id=doc_id,
                        chunk_id=chunk_id,
                        paragraph=para.index,
                        start=found.start(),
                        end=found.end(),
                        text=text,
                        label=label,
                        canonical_id=canonical,
                        canonical_name=text if gazetteer else None,
                        categories=("group-based", "targeted") if gazetteer else (),
                        source="gazetteer" if gazetteer else "model",
                        start_ms=word.start_ms,
                    )
                )
    transcript = Transcript(
        doc_id=doc_id,
        source=f"transcripts/{doc_id}.txt",
        sha256=hashlib.sha256(doc_id.encode()).hexdigest(),
        metadata=metadata or Metadata(),
        paragraphs=tuple(paras),
    )
    timeline = Timeline(
        doc_id, tuple(words), (Sentence(0, len(words) - 1),), end_ms, not last_end_known
    )
    return DocumentResult(
        transcript, timeline, tuple(chunks), tuple(cues), tuple(mentions), video_url
    )


METADATA = Metadata(
    course="Babies in Mind",
    institution="The University of Warwick",
    step_title="Methods of working",
    step_description="Universal and targeted methods.",
)


def corpus() -> list[DocumentResult]:
    first = make_result(
        "course/b-methods",
        [
            (7_000, None, "Baby Express is a newsletter. Tessa Baradon works in London."),
            (46_000, "HILARY KENNEDY", "Mellow Babies is a group programme. Mellow Babies helps."),
            (93_000, None, "Video feedback is used in London."),
        ],
        end_ms=120_000,
        entities=(
            ("Baby Express", "INTERVENTION", "baby-express"),
            ("Mellow Babies", "INTERVENTION", "mellow-babies"),
            ("Tessa Baradon", "PERSON", None),
            ("London", "GPE", None),
        ),
        metadata=METADATA,
        video_url="https://example.org/v/1#old",
    )
    second = make_result(
        "course/a-intro",
        [(0, None, "Welcome to the course."), (5_500, None, "We begin with attachment.")],
        end_ms=9_000,
        last_end_known=True,
    )
    # Deliberately out of doc_id order: the tables must sort.
    doc_level = Mention(
        "course/b-methods#t0", "course/b-methods", None, None, 0, 7, "Methods", "ORG", None, None,
        part="step_title",
    )  # fmt: skip
    first = DocumentResult(
        first.transcript,
        first.timeline,
        first.chunks,
        first.cues,
        (*first.mentions, doc_level),
        first.video_url,
    )
    return [first, second]


# --- schemas --------------------------------------------------------------------


def _shape(schema: pa.Schema) -> list[tuple[str, pa.DataType, bool]]:
    return [(f.name, f.type, f.nullable) for f in schema]


def test_documents_schema() -> None:
    assert _shape(DOCUMENTS_SCHEMA) == [
        ("doc_id", S, False),
        ("source", S, False),
        ("sha256", S, False),
        ("course", D, True),
        ("institution", D, True),
        ("step_title", S, True),
        ("step_description", S, True),
        ("video_url", S, True),
        ("duration_ms", I64, False),
        ("duration_estimated", pa.bool_(), False),
        ("speakers", LIST, False),
        ("paragraph_count", I32, False),
        ("word_count", I32, False),
        ("chunk_count", I32, False),
        ("cue_count", I32, False),
        ("mention_count", I32, False),
        ("warning_count", I32, False),
        ("repair_count", I32, False),
        ("timed_from_audio", pa.float64(), False),
        ("timed_from_captions", pa.float64(), False),
        ("timed_by_estimate", pa.float64(), False),
        ("media", S, True),
    ]


def test_segments_schema() -> None:
    assert _shape(SEGMENTS_SCHEMA) == [
        ("segment_id", S, False),
        ("doc_id", D, False),
        ("idx", I32, False),
        ("start_ms", I64, False),
        ("end_ms", I64, False),
        ("speaker", D, True),
        ("text", S, False),
        ("line", I32, False),
        ("timing", D, False),
    ]


def test_chunks_schema() -> None:
    assert _shape(CHUNKS_SCHEMA) == [
        ("chunk_id", S, False),
        ("doc_id", D, False),
        ("idx", I32, False),
        ("start_ms", I64, False),
        ("end_ms", I64, False),
        ("speaker", D, True),
        ("text", S, False),
        ("course", D, True),
        ("institution", D, True),
        ("step_title", D, True),
        ("deep_link", S, True),
        ("entity_texts", LIST, False),
        ("entity_labels", LIST, False),
        ("intervention_ids", LIST, False),
    ]


def test_cues_schema() -> None:
    assert _shape(CUES_SCHEMA) == [
        ("cue_id", S, False),
        ("doc_id", D, False),
        ("idx", I32, False),
        ("start_ms", I64, False),
        ("end_ms", I64, False),
        ("speaker", D, True),
        ("text", S, False),
        ("lines", LIST, False),
    ]


def test_mentions_schema() -> None:
    assert _shape(MENTIONS_SCHEMA) == [
        ("mention_id", S, False),
        ("doc_id", D, False),
        ("chunk_id", S, True),
        ("paragraph", I32, True),
        ("part", D, False),
        ("start", I32, False),
        ("end", I32, False),
        ("text", S, False),
        ("label", D, False),
        ("canonical_id", D, True),
        ("canonical_name", D, True),
        ("categories", LIST, False),
        ("source", D, False),
        ("confidence", pa.float32(), True),
        ("start_ms", I64, True),
    ]


@pytest.mark.parametrize("name", list(SCHEMAS))
def test_row_types_match_schemas_and_every_column_is_described(name: str) -> None:
    assert list(ROW_TYPES[name].__struct_fields__) == SCHEMAS[name].names
    for field in SCHEMAS[name]:
        assert (field.metadata or {}).get(b"description"), f"{name}.{field.name} undocumented"


def test_describe_schemas_lists_every_column_of_every_table() -> None:
    text = describe_schemas()
    for name, schema in SCHEMAS.items():
        assert f"### `index/{name}.parquet`" in text
        for field in schema:
            assert f"| `{field.name}` |" in text
    assert "| `doc_id` | string (dictionary) |" in text
    assert "| `entity_texts` | list<string> |" in text
    assert "| `deep_link` | string, nullable |" in text


# --- rows -------------------------------------------------------------------------


def test_tables_have_the_explicit_schemas_and_sorted_rows() -> None:
    built = tables(corpus())
    assert list(built) == list(SCHEMAS)
    for name, table in built.items():
        assert table.schema.equals(SCHEMAS[name]), name
        assert table.schema.metadata[b"pipeline.schema_version"] == SCHEMA_VERSION.encode()
        assert table.schema.metadata[b"pipeline.table"] == name.encode()
    assert built["documents"].column("doc_id").to_pylist() == ["course/a-intro", "course/b-methods"]
    segments = built["segments"].to_pylist()
    assert [(r["doc_id"], r["idx"]) for r in segments] == sorted(
        (r["doc_id"], r["idx"]) for r in segments
    )


def test_rows_match_the_inputs() -> None:
    results = corpus()
    built = {name: table.to_pylist() for name, table in tables(results).items()}
    by_id = {r.transcript.doc_id: r for r in results}
    for name, count in (("segments", 5), ("chunks", 5), ("mentions", 7)):
        assert len(built[name]) == count, name
    assert len(built["cues"]) == sum(len(r.cues) for r in results)
    assert len({r["cue_id"] for r in built["cues"]}) == len(built["cues"])

    doc = {r["doc_id"]: r for r in built["documents"]}["course/b-methods"]
    assert doc["course"] == "Babies in Mind"
    assert doc["duration_ms"] == 120_000 and doc["duration_estimated"] is True
    assert doc["speakers"] == ["HILARY KENNEDY"]
    assert doc["paragraph_count"] == 3 and doc["chunk_count"] == 3
    assert doc["word_count"] == len(by_id["course/b-methods"].timeline.words)
    assert doc["mention_count"] == 7

    last = [s for s in built["segments"] if s["doc_id"] == "course/b-methods"][-1]
    assert (last["segment_id"], last["start_ms"], last["end_ms"]) == (
        "course/b-methods#seg2",
        93_000,
        120_000,  # the last paragraph's end comes from the timeline
    )

    chunk = {c["chunk_id"]: c for c in built["chunks"]}["course/b-methods#c1"]
    assert chunk["intervention_ids"] == ["mellow-babies"]  # deduplicated
    assert chunk["entity_texts"] == [] and chunk["entity_labels"] == []
    assert chunk["speaker"] == "HILARY KENNEDY"
    assert chunk["deep_link"] == "https://example.org/v/1#t=46"
    assert chunk["step_title"] == "Methods of working"
    first = {c["chunk_id"]: c for c in built["chunks"]}["course/b-methods#c0"]
    assert first["intervention_ids"] == ["baby-express"]
    assert first["entity_texts"] == ["Tessa Baradon", "London"]
    assert first["entity_labels"] == ["PERSON", "GPE"]
    intro = {c["chunk_id"]: c for c in built["chunks"]}["course/a-intro#c0"]
    assert intro["deep_link"] is None and intro["course"] is None

    mentions = [m for m in built["mentions"] if m["doc_id"] == "course/b-methods"]
    assert mentions[0]["part"] == "step_title"  # the page's title precedes the transcript
    assert mentions[0]["chunk_id"] is None and mentions[0]["paragraph"] is None
    keys = [(m["paragraph"], m["start"]) for m in mentions[1:]]
    assert keys == sorted(keys)
    mellow = [m for m in mentions if m["canonical_id"] == "mellow-babies"]
    assert mellow[0]["start_ms"] == 46_000
    assert mellow[0]["categories"] == ["group-based", "targeted"]
    assert mellow[0]["source"] == "gazetteer"


def test_deep_link_rounds_down_and_replaces_a_fragment() -> None:
    assert deep_link("https://v.example/x", 136_999) == "https://v.example/x#t=136"
    assert deep_link("https://v.example/x#t=5", 0) == "https://v.example/x#t=0"
    assert deep_link(None, 1000) is None


def test_duplicate_doc_ids_are_refused() -> None:
    one = corpus()[1]
    with pytest.raises(PipelineError, match="share the id 'course/a-intro'"):
        chunk_rows([one, one])


def test_empty_corpus_gives_empty_tables(tmp_path: Path) -> None:
    for name, path in write_tables([], tmp_path).items():
        assert pq.read_table(path).num_rows == 0, name


# --- files ----------------------------------------------------------------------


def test_files_read_back_with_schema_metadata_and_keys(tmp_path: Path) -> None:
    results = corpus()
    written = write_tables(results, tmp_path)
    assert sorted(p.name for p in (tmp_path / "index").iterdir()) == sorted(
        f"{name}.parquet" for name in SCHEMAS
    )
    for name, path in written.items():
        table = pq.read_table(path)
        assert table.schema.remove_metadata().equals(SCHEMAS[name], check_metadata=True), name
        meta = table.schema.metadata
        assert meta[b"pipeline.schema_version"] == SCHEMA_VERSION.encode()
        assert meta[b"pipeline.version"] == __version__.encode()
        assert pq.ParquetFile(path).metadata.row_group(0).column(0).compression == "ZSTD"
    chunks = pq.read_table(written["chunks"])
    expected = sorted(c.chunk_id for r in results for c in r.chunks)
    assert sorted(chunks.column("chunk_id").to_pylist()) == expected
    mentions = pq.read_table(written["mentions"])
    assert set(mentions.column("mention_id").to_pylist()) == {
        m.mention_id for r in results for m in r.mentions
    }
    segments = pq.read_table(written["segments"]).to_pylist()
    for result in results:
        rows = [s for s in segments if s["doc_id"] == result.transcript.doc_id]
        assert [s["text"] for s in rows] == [p.text for p in result.transcript.paragraphs]
    assert read_chunks(tmp_path) == chunk_rows(results)
    assert not list((tmp_path / "index").glob(".*"))  # no temporary files left


def test_two_writes_are_byte_identical(tmp_path: Path) -> None:
    first = write_tables(corpus(), tmp_path / "one")
    second = write_tables(list(reversed(corpus())), tmp_path / "two")
    for name in SCHEMAS:
        assert first[name].read_bytes() == second[name].read_bytes(), name


def test_rewrite_replaces_the_old_files(tmp_path: Path) -> None:
    write_tables(corpus(), tmp_path)
    write_tables(corpus()[1:], tmp_path)
    assert pq.read_table(tmp_path / "index" / "documents.parquet").num_rows == 1


def test_reading_a_missing_or_foreign_table_says_what_to_do(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="pipeline run"):
        read_table(tmp_path, "chunks")
    path = tmp_path / "index" / "chunks.parquet"
    path.parent.mkdir()
    pq.write_table(pa.table({"x": [1]}), path)
    with pytest.raises(ConfigError, match="schema version none"):
        read_table(tmp_path, "chunks")
    path.write_bytes(b"not parquet")
    with pytest.raises(ConfigError, match="not a readable Parquet file"):
        read_table(tmp_path / "index", "chunks")


def test_kept_and_new_documents_give_a_clean_builds_bytes(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Kept documents' rows come from the previous tables, new ones' from their results,
    in doc_id order, written a row group at a time: the bytes of a clean build, also
    when row groups cut across kept and new rows."""
    module = sys.modules[TableWriter.__module__]  # pipeline.index.tables (the package
    monkeypatch.setattr(module, "ROW_GROUP_SIZE", 5)  # exports a function of that name)
    monkeypatch.setattr(TableWriter, "SEAL_ROWS", 3)
    third = make_result(
        "course/c-more",
        [(0, None, "Mellow Babies again, in Leeds."), (9_000, None, "And Tessa Baradon.")],
        end_ms=20_000,
        entities=(("Mellow Babies", "INTERVENTION", "mellow-babies"),),
    )
    results = {r.transcript.doc_id: r for r in [*corpus(), third]}
    doc_ids = sorted(results)
    assert len(doc_ids) == 3
    clean = write_tables(list(results.values()), tmp_path / "clean")
    previous = write_tables(list(results.values()), tmp_path / "mixed")  # as a run left it
    kept = {doc_ids[0], doc_ids[-1]}
    writer = TableWriter(tmp_path / "mixed", kept)
    for doc_id in doc_ids:
        if doc_id in kept:
            writer.keep(doc_id)
        else:
            writer.add(results[doc_id])
    mixed = writer.commit()
    assert mixed == previous
    for name, path in clean.items():
        assert mixed[name].read_bytes() == path.read_bytes(), name
        assert pq.ParquetFile(path).metadata.num_row_groups >= 1
    assert pq.ParquetFile(clean["cues"]).metadata.num_row_groups > 1


def test_documents_out_of_order_are_refused(tmp_path: Path) -> None:
    first, second = sorted(corpus(), key=lambda r: r.transcript.doc_id)[:2]
    writer = TableWriter(tmp_path)
    writer.add(second)
    with pytest.raises(ValueError, match="doc_id order"):
        writer.add(first)
    assert not list((tmp_path / "index").glob("*.tmp"))
