"""Local search: FTS5 index, phrase-first ranking, filters, hostile queries, exports, CLI."""

from __future__ import annotations

import hashlib
import json
import re
import sqlite3
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from pipeline.cli import app
from pipeline.errors import ConfigError, PipelineError
from pipeline.index.search import (
    Term,
    build_search_index,
    export_chunks,
    match_expressions,
    pack_word_times,
    query_terms,
    safe_id,
    search,
    unpack_word_times,
)
from pipeline.index.tables import CHUNKS_SCHEMA, write_tables
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

# --- a small synthetic corpus (one chunk per paragraph; no spaCy) -------------------

WORD_MS = 250


def make_result(
    doc_id: str,
    paragraphs: list[tuple[int, str]],
    *,
    end_ms: int,
    interventions: dict[str, str] | None = None,
    entities: dict[str, str] | None = None,
    course: str | None = None,
    video_url: str | None = None,
) -> DocumentResult:
    """``interventions`` maps a name to its id, ``entities`` a text to its label."""
    paras = [
        Paragraph(
            i, start, paragraphs[i + 1][0] if i + 1 < len(paragraphs) else end_ms, None, text, i + 1
        )
        for i, (start, text) in enumerate(paragraphs)
    ]
    words: list[Word] = []
    chunks: list[Chunk] = []
    mentions: list[Mention] = []
    found = [(t, "INTERVENTION", c) for t, c in (interventions or {}).items()]
    found += [(t, label, None) for t, label in (entities or {}).items()]
    for para in paras:
        assert para.end_ms is not None
        first = len(words)
        for n, m in enumerate(re.finditer(r"\S+", para.text)):
            at = para.start_ms + n * WORD_MS  # a word every quarter second
            words.append(Word(para.index, m.start(), m.end(), m.group(), at, at + WORD_MS))
        chunk_id = f"{doc_id}#c{para.index}"
        chunks.append(
            Chunk(
                chunk_id,
                doc_id,
                para.index,
                para.start_ms,
                para.end_ms,
                first,
                len(words) - 1,
                None,
                para.text,
            )
        )
        for text, label, canonical in found:
            for hit in re.finditer(re.escape(text), para.text):
                mentions.append(
                    Mention(
                        f"{doc_id}#m{len(mentions)}",
                        doc_id,
                        chunk_id,
                        para.index,
                        hit.start(),
                        hit.end(),
                        text,
                        label,
                        canonical,
                        text if canonical else None,
                        source="gazetteer" if canonical else "model",
                        start_ms=para.start_ms + para.text[: hit.start()].count(" ") * WORD_MS,
                    )
                )
    transcript = Transcript(
        doc_id,
        f"transcripts/{doc_id}.txt",
        hashlib.sha256(doc_id.encode()).hexdigest(),
        Metadata(course=course, step_title=f"Step {doc_id}"),
        tuple(paras),
    )
    timeline = Timeline(doc_id, tuple(words), (Sentence(0, len(words) - 1),), end_ms, False)
    cue = Cue(0, 0, 1000, ("cue",))
    return DocumentResult(transcript, timeline, tuple(chunks), (cue,), tuple(mentions), video_url)


FILLER = " ".join(f"word{n}" for n in range(60))
CORPUS = [
    make_result(
        "babies/methods",
        [
            # Both words, many times, never side by side: BM25 alone would put this first.
            (
                46_000,
                "Babies sleep when the music is mellow and soft. Many babies enjoy mellow"
                " songs, and babies love a mellow voice.",
            ),
            (
                136_000,
                f"So for example, Mellow Babies is a group-based programme. {FILLER}",
            ),
            (185_000, "The afternoon sessions use video feedback with each mother."),
            (226_000, "Practitioners watch the videotape and give feedback on the video."),
            (261_000, "This means that video feedback is part of a wider set of services."),
            # A lone "Mellow" first: the hit must be placed at the phrase, word 12.
            (
                297_000,
                "Mellow music aside, Tessa Baradon, of the Anna Freud Centre, talks about"
                " Mellow Babies.",
            ),
        ],
        end_ms=400_000,
        interventions={"Mellow Babies": "mellow-babies", "video feedback": "video-feedback"},
        entities={"Tessa Baradon": "PERSON", "Anna Freud Centre": "ORG"},
        course="Babies in Mind: Why the Parent's Mind Matters",
        video_url="https://video.example/methods",
    ),
    make_result(
        "other/intro",
        [(0, "Welcome. Parents and babies learn together."), (9_000, "Massage helps babies.")],
        end_ms=20_000,
        interventions={"Massage": "infant-massage"},
        course="Another Course",
    ),
]
MELLOW_CHUNKS = {"babies/methods#c1", "babies/methods#c5"}


@pytest.fixture(scope="module")
def out_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("outputs")
    write_tables(CORPUS, out)
    build_search_index(CORPUS, out)
    return out


# --- building -------------------------------------------------------------------


def test_index_is_written_atomically_and_byte_identically(tmp_path: Path) -> None:
    first = build_search_index(CORPUS, tmp_path / "one")
    second = build_search_index(list(reversed(CORPUS)), tmp_path / "two")
    assert first == tmp_path / "one" / "index" / "search.sqlite"
    assert first.read_bytes() == second.read_bytes()
    build_search_index(CORPUS, tmp_path / "one")  # over an existing file
    assert first.read_bytes() == second.read_bytes()
    assert [p.name for p in first.parent.iterdir()] == ["search.sqlite"]


def test_index_uses_porter_unicode61_and_bm25(out_dir: Path) -> None:
    with sqlite3.connect(out_dir / "index" / "search.sqlite") as db:
        (sql,) = db.execute("SELECT sql FROM sqlite_master WHERE name = 'chunks_fts'").fetchone()
        assert "tokenize='porter unicode61'" in sql
        count = db.execute("SELECT count(*) FROM chunks").fetchone()[0]
    assert count == sum(len(r.chunks) for r in CORPUS)
    # Porter stemming: "sleeping" finds "sleep".
    assert [h.chunk_id for h in search(out_dir, "sleeping")] == ["babies/methods#c0"]


# --- ranking and filters ----------------------------------------------------------


def test_phrase_ranks_first_although_bm25_prefers_the_scattered_words(out_dir: Path) -> None:
    hits = search(out_dir, "Mellow Babies")
    assert {h.chunk_id for h in hits[:2]} == MELLOW_CHUNKS
    assert hits[2].chunk_id == "babies/methods#c0"
    # BM25 alone, on all the words, would have put the scattered words first.
    with sqlite3.connect(out_dir / "index" / "search.sqlite") as db:
        (best,) = db.execute(
            "SELECT c.chunk_id FROM chunks_fts JOIN chunks AS c ON c.rowid = chunks_fts.rowid"
            ' WHERE chunks_fts MATCH \'"mellow" "babies"\' ORDER BY bm25(chunks_fts) LIMIT 1'
        ).fetchone()
    assert best == "babies/methods#c0"
    assert "[Mellow] [Babies]" in hits[0].snippet or "[Mellow Babies]" in hits[0].snippet


def test_hit_carries_time_link_and_metadata(out_dir: Path) -> None:
    (hit,) = search(out_dir, "group-based programme")
    assert hit.doc_id == "babies/methods" and hit.chunk_id == "babies/methods#c1"
    # Placed at the first matched word, the eighth: "So for example, Mellow Babies is a group-"
    assert (hit.start_ms, hit.end_ms, hit.chunk_start_ms) == (137_750, 185_000, 136_000)
    assert hit.deep_link == "https://video.example/methods#t=137"
    assert hit.step_title == "Step babies/methods"
    assert hit.course == "Babies in Mind: Why the Parent's Mind Matters"


def test_video_feedback_hits_fall_inside_paragraphs_that_say_it(out_dir: Path) -> None:
    hits = search(out_dir, "video feedback")
    paragraphs = CORPUS[0].transcript.paragraphs
    saying = [p for p in paragraphs if "video feedback" in p.text.lower()]
    assert len(hits) == 3 and len(saying) == 2
    for hit in hits[:2]:  # the phrase hits
        assert any(p.start_ms <= hit.start_ms < (p.end_ms or 0) for p in saying)


def test_intervention_filter_returns_exactly_the_chunks_naming_it(out_dir: Path) -> None:
    hits = search(out_dir, "", intervention="mellow-babies")
    assert {h.chunk_id for h in hits} == MELLOW_CHUNKS
    # In time order, each placed at the intervention's first mention in the chunk.
    assert [h.start_ms for h in hits] == [136_750, 300_000]
    assert {h.chunk_id for h in search(out_dir, "babies", intervention="mellow-babies")} == (
        MELLOW_CHUNKS
    )
    with pytest.raises(ConfigError, match="Known values: infant-massage, mellow-babies"):
        search(out_dir, "babies", intervention="mellow")  # ids match exactly


def test_label_and_course_filters(out_dir: Path) -> None:
    assert [h.chunk_id for h in search(out_dir, "", label="person")] == ["babies/methods#c5"]
    interventions = {h.chunk_id for h in search(out_dir, "", label="INTERVENTION", limit=50)}
    assert interventions == {
        "babies/methods#c1",
        "babies/methods#c2",
        "babies/methods#c4",
        "babies/methods#c5",
        "other/intro#c1",
    }
    assert {h.doc_id for h in search(out_dir, "babies", course="another")} == {"other/intro"}
    with pytest.raises(ConfigError, match="--course 'nope'"):
        search(out_dir, "babies", course="nope")


def test_limit_and_no_hits(out_dir: Path) -> None:
    assert len(search(out_dir, "babies", limit=2)) == 2
    assert search(out_dir, "xylophone") == []
    with pytest.raises(ConfigError, match="limit"):
        search(out_dir, "babies", limit=0)


def test_a_query_without_words_finds_nothing_and_says_why(out_dir: Path) -> None:
    assert search(out_dir, "  ()  ") == []
    for query in ('"', "*", "🙂"):
        result = runner.invoke(app, ["search", query, "--index", str(out_dir)])
        assert result.exit_code == 0, result.output
        assert "the query has no words" in result.stderr


def test_operator_words_are_searched_as_words(out_dir: Path) -> None:
    for query in ("NOT", "AND"):
        result = runner.invoke(app, ["search", query, "--index", str(out_dir)])
        assert result.exit_code == 0, result.output


def test_missing_or_foreign_index_is_a_config_error(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="pipeline run"):
        search(tmp_path, "babies")
    assert not (tmp_path / "search.sqlite").exists()  # read-only: nothing created
    (tmp_path / "search.sqlite").write_bytes(b"this is not a database at all" * 100)
    with pytest.raises(ConfigError, match="Rebuild"):
        search(tmp_path, "babies")


# --- hostile queries --------------------------------------------------------------

FTS5_SYNTAX = ['"', "(", ")", "*", "+", "-", ":", "^", "{", "}", ",", "AND", "OR", "NOT", "NEAR"]
HOSTILE = [
    *FTS5_SYNTAX,
    *(f"mellow {s} babies" for s in FTS5_SYNTAX),
    *(f"{s}mellow" for s in FTS5_SYNTAX),
    *(f"mellow{s}" for s in FTS5_SYNTAX),
    "",
    "   ",
    '"unbalanced',
    'unbalanced"',
    '""',
    '"mellow babies"',
    "((mellow",
    "mellow))",
    "(mellow OR",
    "**",
    "* *",
    "mellow*",
    "*mellow",
    "NEAR(",
    "NEAR(mellow babies)",
    "NEAR(mellow babies, 2)",
    "mellow NEAR/2 babies",
    "mellow AND",
    "OR babies",
    "NOT mellow",
    "mellow NOT babies",
    "AND OR NOT NEAR",
    "-foo",
    "--",
    "mellow -babies",
    "text:mellow",
    "col:term",
    "{text step_title}: mellow",
    "- text : mellow",
    "^mellow",
    "mellow^",
    "mellow + babies",
    "'",
    "'; DROP TABLE chunks; --",
    "\\",
    "%_",
    "\x00",
    "\n\t",
    "😀",
    "mellow 😀 babies",
    "👩‍👧",
    "...",
    "?!",
    "¿¡",
    "“mellow babies”",
    'mellow"babies',
    "don't",
    "parent-infant",
    "e\u0301",
    "\u200b",
    "_",
    "__init__",
    "café naïve Straße",
    "中文 عربي हिन्दी",
    "rank: bm25( snippet( chunks_fts",
    "x" * 10_000,
    " ".join(["mellow"] * 2000),
]


@pytest.mark.parametrize("query", HOSTILE)
def test_hostile_queries_raise_nothing(out_dir: Path, query: str) -> None:
    hits = search(out_dir, query)
    if not query_terms(query):
        assert hits == []  # nothing to search for
    # With a filter, an empty query is fine too.
    search(out_dir, query, intervention="mellow-babies")


@pytest.mark.parametrize("query", HOSTILE)
def test_match_expressions_are_valid_fts5(query: str) -> None:
    terms = query_terms(query)
    if not terms:
        return
    db = sqlite3.connect(":memory:")
    db.execute("CREATE VIRTUAL TABLE t USING fts5(text, tokenize='porter unicode61')")
    db.execute("INSERT INTO t VALUES ('mellow babies')")
    for expression in match_expressions(terms):
        if expression is not None:
            db.execute("SELECT rowid FROM t WHERE t MATCH ?", (expression,)).fetchall()


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=st.sampled_from("abc é😀*\"()^:+-{},.'_ NEAR AND OR NOT\t")) | st.text())
def test_any_text_gives_valid_fts5_or_no_terms(query: str) -> None:
    terms = query_terms(query)
    db = sqlite3.connect(":memory:")
    db.execute("CREATE VIRTUAL TABLE t USING fts5(text, tokenize='porter unicode61')")
    db.execute("INSERT INTO t VALUES ('abc a b c')")
    for expression in match_expressions(terms) if terms else ():
        if expression is not None:
            db.execute("SELECT rowid FROM t WHERE t MATCH ?", (expression,)).fetchall()


def test_query_terms() -> None:
    assert query_terms('"Mellow (Babies') == [Term("Mellow"), Term("Babies")]
    assert query_terms("parent-infant don't 3.5") == [
        Term("parent-infant"),
        Term("don't"),
        Term("3.5"),
    ]
    assert query_terms("parent* * -foo col:term ^x") == [
        Term("parent", prefix=True),
        Term("foo"),
        Term("col"),
        Term("term"),
        Term("x"),
    ]
    assert query_terms("mellow AND babies NOT and") == [
        Term("mellow"),
        Term("AND"),
        Term("babies"),
        Term("NOT"),
        Term("and"),  # quoted in the match: words, never operators
    ]
    assert match_expressions([Term("a"), Term("b", prefix=True)]) == ('"a" "b"*', '"a" + "b"*')
    assert match_expressions([Term("a")]) == ('"a"', None)


def test_prefix_search(out_dir: Path) -> None:
    assert {h.chunk_id for h in search(out_dir, "videot*")} == {"babies/methods#c3"}


# --- export -----------------------------------------------------------------------


def test_jsonl_export_parses_back_keyed_by_chunk_id(out_dir: Path, tmp_path: Path) -> None:
    out = tmp_path / "deep" / "chunks.jsonl"
    count = export_chunks(out_dir, "jsonl", out)
    text = out.read_text(encoding="utf-8")
    assert text.endswith("\n")
    documents = [json.loads(line) for line in text.splitlines()]
    assert count == len(documents) == sum(len(r.chunks) for r in CORPUS)
    assert [d["chunk_id"] for d in documents] == sorted(d["chunk_id"] for d in documents)
    for document in documents:
        assert list(document) == ["id", *CHUNKS_SCHEMA.names]
        assert re.fullmatch(r"[A-Za-z0-9_-]+", document["id"])
    mellow = {d["chunk_id"]: d for d in documents}["babies/methods#c1"]
    assert mellow["intervention_ids"] == ["mellow-babies"]
    assert mellow["deep_link"] == "https://video.example/methods#t=136"


def test_opensearch_bulk_export_alternates_action_and_document(
    out_dir: Path, tmp_path: Path
) -> None:
    out = tmp_path / "bulk.ndjson"
    export_chunks(out_dir / "index", "opensearch-bulk", out)
    text = out.read_text(encoding="utf-8")
    assert text.endswith("\n")
    lines = [json.loads(line) for line in text.splitlines()]
    assert len(lines) == 2 * sum(len(r.chunks) for r in CORPUS)
    for action, document in zip(lines[::2], lines[1::2], strict=True):
        assert action == {"index": {"_id": document["chunk_id"]}}
    # The same export straight from the results, byte for byte.
    again = tmp_path / "again.ndjson"
    export_chunks(CORPUS, "opensearch-bulk", again)
    assert again.read_bytes() == out.read_bytes()


def test_export_errors(out_dir: Path, tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="choose one of jsonl, opensearch-bulk"):
        export_chunks(out_dir, "csv", tmp_path / "x")
    with pytest.raises(ConfigError, match=r"no chunks\.parquet"):
        export_chunks(tmp_path, "jsonl", tmp_path / "x")
    (tmp_path / "file").write_text("")
    with pytest.raises(PipelineError, match="cannot write"):
        export_chunks(out_dir, "jsonl", tmp_path / "file" / "below")


def test_safe_id_is_one_to_one() -> None:
    ids = ["a/b#c1", "a-b#c1", "a_2f_b#c1", "a/b#c10", "a_b#c1", "é#c1"]
    safe = [safe_id(i) for i in ids]
    assert len(set(safe)) == len(ids)
    assert all(re.fullmatch(r"[A-Za-z0-9_-]+", s) for s in safe)
    assert safe_id("babies/methods#c1") == "babies_2f_methods_23_c1"


# --- CLI --------------------------------------------------------------------------

runner = CliRunner()


@pytest.mark.parametrize("command", [["search", "--help"], ["export", "--help"]])
def test_commands_have_help(command: list[str]) -> None:
    result = runner.invoke(app, command)
    assert result.exit_code == 0
    assert "Example:" in result.output


def test_cli_search_prints_ranked_hits(out_dir: Path) -> None:
    result = runner.invoke(app, ["search", "Mellow Babies", "--index", str(out_dir)])
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    # The shorter phrase chunk first, at the phrase (not at its lone "Mellow").
    assert lines[0] == "1. babies/methods  5:00  Step babies/methods"
    assert lines[1] == "   https://video.example/methods#t=300"
    assert "2. babies/methods  2:16  Step babies/methods" in lines
    assert "[Mellow" in lines[2]


def test_cli_search_json(out_dir: Path) -> None:
    args = ["search", "video feedback", "--json", "--limit", "2", "--index", str(out_dir)]
    result = runner.invoke(app, args)
    assert result.exit_code == 0, result.output
    hits = json.loads(result.stdout)
    assert len(hits) == 2
    assert set(hits[0]) == {
        "doc_id",
        "chunk_id",
        "step_title",
        "course",
        "start_ms",
        "end_ms",
        "chunk_start_ms",
        "deep_link",
        "snippet",
        "score",
    }


def test_cli_search_intervention_filter(out_dir: Path) -> None:
    args = ["search", "--intervention", "mellow-babies", "--json", "--index", str(out_dir)]
    result = runner.invoke(app, args)
    assert result.exit_code == 0, result.output
    assert {h["chunk_id"] for h in json.loads(result.stdout)} == MELLOW_CHUNKS


@pytest.mark.parametrize("query", ['"unbalanced', "NEAR(", "*", "-foo", "col:term", "", "?!"])
def test_cli_search_never_shows_a_traceback(out_dir: Path, query: str) -> None:
    # '--' ends the options, so that '-foo' reaches the query (as in a shell).
    result = runner.invoke(app, ["search", "--index", str(out_dir), "--", query])
    assert result.exit_code in (0, 1)
    assert result.exception is None or isinstance(result.exception, SystemExit)
    if result.exit_code:
        assert result.stderr.startswith("Error: ")
        assert "Traceback" not in result.output


def test_cli_search_without_index_reports_the_remedy(tmp_path: Path) -> None:
    result = runner.invoke(app, ["search", "babies", "--index", str(tmp_path)])
    assert result.exit_code == 1
    assert result.stderr.startswith("Error: ") and "pipeline run" in result.stderr


def test_cli_export(out_dir: Path, tmp_path: Path) -> None:
    out = tmp_path / "chunks.jsonl"
    args = ["export", "--format", "jsonl", "--out", str(out), "--index", str(out_dir)]
    result = runner.invoke(app, args)
    assert result.exit_code == 0, result.output
    assert f"Wrote {sum(len(r.chunks) for r in CORPUS)} chunks" in result.stderr
    assert all(json.loads(line)["chunk_id"] for line in out.read_text().splitlines())
    bad = ["export", "--format", "xml", "--out", str(out), "--index", str(out_dir)]
    result = runner.invoke(app, bad)
    assert result.exit_code == 1
    assert "Error: unknown export format 'xml'" in result.stderr


def _big_records(doc_ids: list[str], seed: int) -> dict[str, list[Any]]:
    """Documents with enough varied text that FTS5 writes its pending terms out as
    segments several times while one database is built (over 1 MB of text)."""
    import random

    from pipeline.index.search import SearchRecord
    from pipeline.index.tables import ChunkRow

    rng = random.Random(seed)
    vocabulary = [f"w{n}x{n % 7}" for n in range(6000)]
    records: dict[str, list[SearchRecord]] = {}
    for doc_id in doc_ids:
        rows = []
        for idx in range(6):
            text = " ".join(rng.choice(vocabulary) for _ in range(120))
            row = ChunkRow(
                f"{doc_id}#{idx}", doc_id, idx, idx * 1000, idx * 1000 + 900, None, text,
                None, None, None, None, (), (), (),
            )  # fmt: skip
            rows.append(SearchRecord(row, None, ((0, idx * 1000),), (), (("ORG", idx),)))
        records[doc_id] = rows
    return records


@pytest.mark.parametrize(("block", "run"), [(None, None), (97, 50)])
def test_a_database_keeping_most_documents_is_the_one_built_from_scratch(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, block: int | None, run: int | None
) -> None:
    """Kept documents' rows come from the previous database, the new ones' from their
    records: the bytes must not show which (FTS5 segments included: several are
    written on the way, and they depend on how rows reach the index). With small
    blocks and runs, blocks end inside kept runs and inside new documents."""
    from pipeline.index.search import SearchBuilder

    if block is not None:
        monkeypatch.setattr(SearchBuilder, "BLOCK_ROWS", block)
        monkeypatch.setattr(SearchBuilder, "RUN_ROWS", run)

    doc_ids = [f"d{n:03d}" for n in range(260)]
    before = _big_records(doc_ids, 1)
    after = dict(before)
    changed = {"d040", "d041", "d130", "d259"}
    fresh = _big_records(sorted(changed), 2)
    after.update(fresh)

    def build(path: Path, records: dict[str, list[Any]], previous: Path | None) -> bytes:
        builder = SearchBuilder(path, previous)
        for doc_id in doc_ids:
            if previous is not None and doc_id not in changed:
                builder.keep(doc_id)
            else:
                builder.add(records[doc_id])
        builder.finish()
        builder.commit()
        return path.read_bytes()

    first = tmp_path / "a" / "search.sqlite"
    build(first, before, None)
    incremental = tmp_path / "b" / "search.sqlite"
    incremental.parent.mkdir()
    (incremental.parent / "search.sqlite").write_bytes(first.read_bytes())
    kept = build(incremental, after, incremental)
    clean = build(tmp_path / "c" / "search.sqlite", after, None)
    assert kept == clean
    db = sqlite3.connect(incremental)
    assert db.execute("SELECT count(*) FROM chunks_fts WHERE chunks_fts MATCH 'w17x3'").fetchone()[
        0
    ]
    segments = db.execute("SELECT count(*) FROM chunks_fts_data").fetchone()[0]
    db.close()
    assert segments > 100  # the index is big enough for flushes to have mattered


@given(
    st.lists(st.tuples(st.integers(0, 300), st.integers(-70_000, 70_000)), min_size=1, max_size=60),
    st.integers(0, 10**7),
)
def test_word_times_are_packed_small_and_read_back_exactly(
    steps: list[tuple[int, int]], first: int
) -> None:
    offset, moment, times = 0, first, []
    for step, gap in steps:
        offset += step + (1 if times else 0)
        moment = max(moment + gap, 0)
        times.append((offset, moment))
    packed = pack_word_times(times)
    assert unpack_word_times(packed) == times
    assert unpack_word_times(json.dumps(times)) == times  # databases written before
    assert unpack_word_times(pack_word_times([])) == []


def test_word_times_take_a_few_bytes_a_word() -> None:
    times = [(6 * n, 1000 + 350 * n) for n in range(100)]
    assert len(pack_word_times(times)) < 3.2 * len(times)
    assert len(json.dumps(times, separators=(",", ":"))) > 10 * len(times)


@pytest.mark.parametrize("queued", [False, True])
def test_a_database_error_while_writing_rows_is_one_error_and_leaves_nothing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, queued: bool
) -> None:
    """A document's rows are inserted here when nothing is queued for the writing
    thread, else by that thread after what is queued (kept rows): either way a SQLite
    error (a full disk, say) is a PipelineError naming the database, its temporary
    files are gone and the database in place is untouched."""
    import threading

    from pipeline.index.search import SearchBuilder

    doc_ids = [f"d{n:03d}" for n in range(6)]
    records = _big_records(doc_ids, 3)
    path = tmp_path / "search.sqlite"
    builder = SearchBuilder(path)
    for doc_id in doc_ids:
        builder.add(records[doc_id])
    builder.finish()
    builder.commit()
    before = path.read_bytes()

    release = threading.Event()
    threads: set[str] = set()
    copy_run = SearchBuilder._copy_run

    def slow_copy(self: SearchBuilder, *args: Any) -> None:
        release.wait(5)  # the new rows arrive while this is queued
        copy_run(self, *args)

    def failing_write(self: SearchBuilder, rows: Any) -> None:
        threads.add(threading.current_thread().name)
        raise sqlite3.OperationalError("database or disk is full")

    monkeypatch.setattr(SearchBuilder, "_copy_run", slow_copy)
    monkeypatch.setattr(SearchBuilder, "_write", failing_write)
    builder = SearchBuilder(path, path)
    with pytest.raises(PipelineError, match=re.escape(str(path))):
        if queued:
            builder.keep("d000")
            builder._hand_run()
            builder.add(records["d001"])  # queued behind the copy
            release.set()
            builder.finish()
        else:
            release.set()
            builder.add(records["d001"])
    assert threads == ({"search-writer_0"} if queued else {threading.current_thread().name})
    assert path.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["search.sqlite"]
