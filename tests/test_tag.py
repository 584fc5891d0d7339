"""Tagging: rule components on a blank pipeline, mentions in time, the cache, the CLI.

Most tests use ``spacy.blank("en")`` with the rule components and a stand-in "ner"
that sets chosen entities; the tests marked ``model`` load the real English model.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
import spacy
from spacy.language import Language
from spacy.tokens import Doc
from typer.testing import CliRunner

from pipeline.errors import ModelError
from pipeline.model import Chunk, Metadata, Paragraph, Timeline, Transcript, Word
from pipeline.settings import Settings
from pipeline.tag import (
    NUMERIC_LABELS,
    Tagger,
    TagResult,
    load_nlp,
)
from pipeline.tag.gazetteer import COLUMNS, load_gazetteer
from pipeline.tag.rules import add_rules

ROOT = Path(__file__).resolve().parent.parent
SAMPLE = ROOT / "transcripts" / "babies-in-mind" / "methods-of-working-first-year.txt"

# What the stand-in "ner" marks, by exact text: plays the statistical model.
FAKE_ENTITIES: dict[str, str] = {}


@Language.component("fake_ner")
def fake_ner(doc: Doc) -> Doc:
    spans = []
    for text, label in FAKE_ENTITIES.items():
        for match in re.finditer(re.escape(text), doc.text):
            span = doc.char_span(match.start(), match.end(), label=label)
            if span is not None and not any(
                s.start < span.end and span.start < s.end for s in spans
            ):
                spans.append(span)
    doc.ents = sorted(spans, key=lambda s: s.start)
    return doc


@pytest.fixture(scope="session")
def nlp() -> Language:
    blank = spacy.blank("en")
    blank.add_pipe("fake_ner", name="ner")
    return add_rules(blank, load_gazetteer())


@pytest.fixture
def entities() -> Iterator[dict[str, str]]:
    FAKE_ENTITIES.clear()
    yield FAKE_ENTITIES
    FAKE_ENTITIES.clear()


def make_item(
    *texts: str,
    doc_id: str = "doc",
    title: str | None = None,
    description: str | None = None,
    course: str | None = None,
) -> tuple[Transcript, Timeline, tuple[Chunk, ...]]:
    """A transcript with one paragraph per text, a word per whitespace token (300 ms
    each, paragraphs 60 s apart) and one chunk per paragraph."""
    paragraphs, words, chunks = [], [], []
    for i, text in enumerate(texts):
        start_ms = i * 60_000
        first = len(words)
        for k, match in enumerate(re.finditer(r"\S+", text)):
            at = start_ms + 300 * k
            words.append(Word(i, match.start(), match.end(), match.group(), at, at + 250))
        end_ms = start_ms + 300 * max(len(words) - first, 1)
        paragraphs.append(Paragraph(i, start_ms, end_ms, None, text, i + 1))
        chunks.append(
            Chunk(f"{doc_id}#c{i}", doc_id, i, start_ms, end_ms, first, len(words) - 1, None, text)
        )
    transcript = Transcript(
        doc_id=doc_id,
        source=f"{doc_id}.txt",
        sha256="0" * 64,
        metadata=Metadata(
            course=course,
            institution="A University",
            step_title=title,
            step_description=description,
        ),
        paragraphs=tuple(paragraphs),
    )
    timeline = Timeline(doc_id, tuple(words), (), paragraphs[-1].end_ms or 0, False)
    return transcript, timeline, tuple(chunks)


PARENTING = "Parents and their babies, mothers and infants, in pregnancy and after birth."


def tag_one(nlp: Language, *texts: str, **kwargs: object) -> TagResult:
    tagger = Tagger(nlp, gazetteer=load_gazetteer(), **kwargs)  # type: ignore[arg-type]
    return next(tagger.tag_documents([make_item(*texts)]))


def found(result: TagResult) -> list[tuple[str, str]]:
    return [(m.text, m.label) for m in result.mentions]


# --- gazetteer matching -------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "match"),
    [
        ("We use VIDEO FEEDBACK a lot.", "VIDEO FEEDBACK"),
        ("We use Video Feedback a lot.", "Video Feedback"),
        ("Video feedback helps.", "Video feedback"),
        ("Then parent infant psychotherapy starts.", "parent infant psychotherapy"),
        ("Then parent–infant psychotherapy starts.", "parent–infant psychotherapy"),
        ("The Healthy Child Program is universal.", "Healthy Child Program"),
        ("Two mother and baby units opened.", "mother and baby units"),
        ("She trained in VIG last year.", "VIG"),
        ("Both MBUs were full.", "MBUs"),
        ("We ran the Newborn Behavioural Observations.", "Newborn Behavioural Observations"),
        ("It was Minding the Baby, from Yale.", "Minding the Baby"),
    ],
)
def test_alias_and_case_variants(nlp: Language, text: str, match: str) -> None:
    result = tag_one(nlp, text, PARENTING)
    assert (match, "INTERVENTION") in found(result)


@pytest.mark.parametrize(
    "text",
    [
        "Her vig was gone.",  # acronyms match in capitals only
        "Grandma was minding the baby all day.",  # a title-styled name, lower-cased
        "The baby expresses her needs.",  # no plural of a non-countable head
    ],
)
def test_no_match(nlp: Language, text: str) -> None:
    assert not [m for m in tag_one(nlp, text, PARENTING).mentions if m.label == "INTERVENTION"]


def test_mention_carries_canonical_id_and_categories(nlp: Language) -> None:
    (mention,) = tag_one(nlp, "We offer baby massage classes.", PARENTING).mentions
    assert mention.text == "baby massage"  # "classes" is a generic word, left out
    assert mention.canonical_id == "infant-massage"
    assert mention.canonical_name == "Infant Massage"
    assert mention.categories == ("delivery:group-based", "tier:universal")
    assert mention.source == "gazetteer"


def test_gazetteer_hit_wins_over_overlapping_model_entity(
    nlp: Language, entities: dict[str, str]
) -> None:
    entities.update({"Solihull": "GPE", "Mellow Babies": "PERSON", "Tessa Baradon": "PERSON"})
    result = tag_one(nlp, "The Solihull Approach and Mellow Babies, says Tessa Baradon.", PARENTING)
    assert found(result) == [
        ("Solihull Approach", "INTERVENTION"),
        ("Mellow Babies", "INTERVENTION"),
        ("Tessa Baradon", "PERSON"),
    ]
    assert [m.source for m in result.mentions] == ["gazetteer", "gazetteer", "model"]


def test_model_entity_keeps_its_part_outside_the_match(
    nlp: Language, entities: dict[str, str]
) -> None:
    entities["UNICEF UK Baby Friendly Initiative"] = "ORG"
    result = tag_one(nlp, "It joined the UNICEF UK Baby Friendly Initiative.", PARENTING)
    assert found(result) == [("UNICEF UK", "ORG"), ("Baby Friendly Initiative", "INTERVENTION")]


def test_a_name_used_for_an_organisation_is_org(nlp: Language) -> None:
    result = tag_one(nlp, "Mellow Bumps is run by the charity Mellow Parenting.", PARENTING)
    assert found(result) == [("Mellow Bumps", "INTERVENTION"), ("Mellow Parenting", "ORG")]
    assert result.mentions[1].canonical_id == "mellow-parenting"


def test_common_phrases_outside_the_field_are_not_interventions(nlp: Language) -> None:
    code_review = (
        "We tried video feedback on how engineers reviewed code in the Circle of Security."
    )
    result = tag_one(nlp, code_review, "The deploy pipeline failed twice.")
    assert found(result) == [("Circle of Security", "INTERVENTION")]  # a name stays a name


# --- model entity repairs -----------------------------------------------------------


def test_entity_cleanup(nlp: Language, entities: dict[str, str]) -> None:
    entities.update(
        {
            "The Anna Freud Centre": "FAC",
            "fed": "ORG",
            "Dr Jane Morris": "PERSON",
            "Jenner's": "PERSON",
            "last week": "DATE",
        }
    )
    result = tag_one(
        nlp, "Dr Jane Morris of The Anna Freud Centre read Jenner's notes last week and fed back."
    )
    assert found(result) == [
        ("Jane Morris", "PERSON"),
        ("Anna Freud Centre", "ORG"),
        ("Jenner", "PERSON"),
    ]


def test_honorifics_and_a_contraction_are_not_part_of_a_name(
    nlp: Language, entities: dict[str, str]
) -> None:
    """Titles stay outside a person's span, as the annotation guidelines have them, and
    so does the "’s" of "there’s" when the model opens the span with it; an
    organisation named after a title keeps it."""
    entities.update(
        {
            "Judge Marcus Oyelaran": "PERSON",
            "Aunty Dot Wilson": "PERSON",
            "’s Barbe-Nicole Ponsardin": "PERSON",
            "Queen Elizabeth Hospital": "ORG",
        }
    )
    text = (
        "Judge Marcus Oyelaran met Aunty Dot Wilson, and then there’s Barbe-Nicole"
        " Ponsardin, who was born at the Queen Elizabeth Hospital."
    )
    assert found(tag_one(nlp, text)) == [
        ("Marcus Oyelaran", "PERSON"),
        ("Dot Wilson", "PERSON"),
        ("Barbe-Nicole Ponsardin", "PERSON"),
        ("Queen Elizabeth Hospital", "ORG"),
    ]


def test_numeric_labels_only_on_request(nlp: Language, entities: dict[str, str]) -> None:
    entities["last week"] = "DATE"
    assert found(tag_one(nlp, "It ended last week.")) == []
    kept = tag_one(nlp, "It ended last week.", labels=["PERSON", *NUMERIC_LABELS])
    assert found(kept) == [("last week", "DATE")]


# --- mentions in time ---------------------------------------------------------------


def test_mention_times_fall_inside_their_paragraph(nlp: Language, entities: dict[str, str]) -> None:
    entities.update({"Hilary Kennedy": "PERSON", "UK": "GPE"})
    texts = (
        "Infant massage classes come first.",
        "Watch my interview with Hilary Kennedy about video interaction guidance in the UK.",
        "Later, parent-infant psychotherapy and video feedback.",
    )
    transcript, timeline, chunks = item = make_item(*texts)
    (result,) = Tagger(nlp, gazetteer=load_gazetteer()).tag_documents([item])
    assert len(result.mentions) == 6
    for mention in result.mentions:
        assert mention.paragraph is not None and mention.start_ms is not None
        paragraph = transcript.paragraphs[mention.paragraph]
        assert paragraph.text[mention.start : mention.end] == mention.text
        assert paragraph.end_ms is not None
        assert paragraph.start_ms <= mention.start_ms < paragraph.end_ms
        (word_index,) = [
            i
            for i, w in enumerate(timeline.words)
            if w.paragraph == mention.paragraph and w.start <= mention.start < w.end
        ]
        assert mention.start_ms == timeline.words[word_index].start_ms
        (chunk,) = [c for c in chunks if c.first_word <= word_index <= c.last_word]
        assert mention.chunk_id == chunk.chunk_id
    kennedy = next(m for m in result.mentions if m.text == "Hilary Kennedy")
    assert kennedy.start_ms == 60_000 + 4 * 300  # the fifth word of the second paragraph


def test_step_title_and_description_are_document_level(nlp: Language) -> None:
    item = make_item(
        "Mellow Babies again.",
        title="Infant massage and Mellow Babies",
        description="We look at promotional interviews.",
        course="Mellow Bumps for everyone",  # course title and institution are not tagged
    )
    (result,) = Tagger(nlp, gazetteer=load_gazetteer()).tag_documents([item])
    assert [(m.part, m.text) for m in result.mentions] == [
        ("step_title", "Infant massage"),
        ("step_title", "Mellow Babies"),
        ("step_description", "promotional interviews"),
        ("paragraph", "Mellow Babies"),
    ]
    for mention in result.mentions[:3]:
        assert mention.paragraph is None and mention.chunk_id is None
        assert mention.start_ms is None
    assert [m.mention_id for m in result.mentions] == [f"doc#m{n}" for n in range(4)]


# --- candidates ---------------------------------------------------------------------


def test_candidates_are_reported_apart_from_mentions(nlp: Language) -> None:
    result = tag_one(
        nlp,
        "We visited the Kestrel class and the Little Steps programme. Group therapy is"
        " common and a group of us met. The Solihull Approach helps.",
        PARENTING,
    )
    # "the Kestrel class" is a weak pattern (a school's name for a class): review only.
    assert [c.text for c in result.candidates] == ["Kestrel class"]
    candidate = result.candidates[0]
    assert candidate.context.startswith("We visited the [Kestrel class] and")
    assert candidate.start_ms == 3 * 300
    assert "Kestrel" not in {m.text for m in result.mentions}
    # "the Little Steps programme" is a confident one: a mention, not a candidate.
    (little,) = [m for m in result.mentions if m.text == "Little Steps"]
    assert (little.label, little.source, little.canonical_id) == ("INTERVENTION", "pattern", None)
    assert little.confidence is not None and little.confidence >= 0.5


def test_candidate_names_stop_at_other_names(nlp: Language, entities: dict[str, str]) -> None:
    entities.update({"London": "GPE", "UK": "GPE"})
    result = tag_one(
        nlp, "In London, the Little Steps programme grew. The UK programme did not.", PARENTING
    )
    assert [c.text for c in result.candidates] == []
    assert ("Little Steps", "INTERVENTION") in found(result)
    assert ("UK", "GPE") in found(result)


def test_programme_names_the_model_mislabels_stay_candidates(
    nlp: Language, entities: dict[str, str]
) -> None:
    entities.update({"Happy Mums Intervention": "WORK_OF_ART", "World Health Programme": "ORG"})
    result = tag_one(
        nlp, "We ran the Happy Mums Intervention with the World Health Programme.", PARENTING
    )
    assert [c.text for c in result.candidates] == ["Happy Mums Intervention"]


def test_no_candidates_outside_the_field(nlp: Language) -> None:
    result = tag_one(nlp, "We started the Code Review programme.", "The deploy failed.")
    assert result.candidates == ()


# --- the cache ----------------------------------------------------------------------


def test_cache_hit_and_invalidation_when_gazetteer_changes(nlp: Language, tmp_path: Path) -> None:
    item = make_item("We use the Little Steps programme and Mellow Babies.", PARENTING)
    cache = tmp_path / "cache"
    first = Tagger(nlp, gazetteer=load_gazetteer(), cache_dir=cache)
    (before,) = first.tag_documents([item])
    assert (first.hits, first.misses) == (0, 1)
    files = list(cache.rglob("*.json"))
    assert len(files) == 1 and not list(cache.rglob(".*"))  # written atomically, no temp left

    again = Tagger(nlp, gazetteer=load_gazetteer(), cache_dir=cache)
    (cached,) = again.tag_documents([item])
    assert (again.hits, again.misses) == (1, 0)
    assert cached.cached and cached.mentions == before.mentions

    extra = tmp_path / "mine.csv"
    extra.write_text(
        ",".join(COLUMNS) + "\nlittle-steps,Little Steps,,group-based,,Fathers.,\n",
        encoding="utf-8",
    )
    fresh = spacy.blank("en")
    fresh.add_pipe("fake_ner", name="ner")
    changed = Tagger(fresh, gazetteer=load_gazetteer([extra]), cache_dir=cache)
    (after,) = changed.tag_documents([item])
    assert (changed.hits, changed.misses) == (0, 1)
    assert ("Little Steps", "INTERVENTION") in found(after)
    assert len(list(cache.rglob("*.json"))) == 2


def test_damaged_cache_file_is_tagged_again(nlp: Language, tmp_path: Path) -> None:
    item = make_item("Mellow Babies.", PARENTING)
    Tagger(nlp, gazetteer=load_gazetteer(), cache_dir=tmp_path).tag_documents([item]).__next__()
    (path,) = tmp_path.rglob("*.json")
    path.write_text("{not json", encoding="utf-8")
    tagger = Tagger(nlp, gazetteer=load_gazetteer(), cache_dir=tmp_path)
    (result,) = tagger.tag_documents([item])
    assert tagger.misses == 1 and found(result) == [("Mellow Babies", "INTERVENTION")]


def test_results_keep_input_order_with_cached_and_new_documents(
    nlp: Language, tmp_path: Path
) -> None:
    items = [make_item(f"Mellow Babies number {n}.", PARENTING, doc_id=f"d{n}") for n in range(7)]
    list(Tagger(nlp, gazetteer=load_gazetteer(), cache_dir=tmp_path).tag(items[2:4]))
    tagger = Tagger(nlp, gazetteer=load_gazetteer(), cache_dir=tmp_path, batch_size=2)
    results = list(tagger.tag_documents(items))
    assert [r.doc_id for r in results] == [f"d{n}" for n in range(7)]
    assert [r.cached for r in results] == [False, False, True, True, False, False, False]
    assert tagger.hits == 2


# --- the model ----------------------------------------------------------------------


def test_missing_model_says_how_to_install(monkeypatch: pytest.MonkeyPatch) -> None:
    with pytest.raises(ModelError, match="make install"):
        load_nlp("no_such_model_package")
    monkeypatch.setattr("importlib.util.find_spec", lambda name: None)
    with pytest.raises(ModelError, match=r"no English spaCy model is installed.*require-hashes"):
        load_nlp()


@pytest.fixture(scope="module")
def real_tagger() -> Tagger:
    return Tagger(gazetteer=load_gazetteer())


@pytest.mark.model
def test_only_the_needed_components_are_loaded() -> None:
    nlp = load_nlp()
    assert nlp.pipe_names == ["ner"]


@pytest.mark.model
def test_fewer_components_give_the_same_entities() -> None:
    from pipeline.ingest import read_transcript
    from pipeline.tag import PREFERRED_MODELS

    name = next(n for n in PREFERRED_MODELS if __import__("importlib").util.find_spec(n))
    full, lean = spacy.load(name), load_nlp(name)
    texts = [p.text for p in read_transcript(SAMPLE).paragraphs]
    for a, b in zip(full.pipe(texts), lean.pipe(texts), strict=True):
        assert [(e.start_char, e.end_char, e.label_) for e in a.ents] == [
            (e.start_char, e.end_char, e.label_) for e in b.ents
        ]


@pytest.mark.model
def test_real_model_entity_replaced_by_gazetteer_hit(real_tagger: Tagger) -> None:
    # en_core_web_sm calls "Mellow Babies" a PERSON here.
    doc = real_tagger.nlp("So for example, Mellow Babies is a group-based programme.")
    assert [(e.text, e.label_, e.id_) for e in doc.ents] == [
        ("Mellow Babies", "INTERVENTION", "mellow-babies")
    ]


@pytest.mark.model
def test_eval_targets_on_the_sample(real_tagger: Tagger) -> None:
    from pipeline.tag.evaluate import evaluate, scores

    evaluation = evaluate(ROOT / "tests" / "gold", [ROOT / "transcripts"], Settings(media=False))
    (sample,) = [c for c in evaluation.comparisons if c.name.startswith("babies-in-mind")]
    by_label = {s.label: s for s in scores([sample])}
    assert by_label["INTERVENTION"].recall == 1.0
    assert by_label["INTERVENTION"].precision >= 0.95
    assert by_label["PERSON"].recall >= 0.9
    assert by_label["ORG"].recall >= 0.9


@pytest.mark.model
def test_no_interventions_in_unrelated_transcripts(real_tagger: Tagger) -> None:
    from pipeline.tag.evaluate import evaluate

    evaluation = evaluate(
        ROOT / "tests" / "gold", [ROOT / "tests" / "corpus"], Settings(media=False)
    )
    for comparison in evaluation.comparisons:
        if comparison.name in ("climate-science-lecture", "software-engineering-talk"):
            assert not [k for k in comparison.fp if k[2] == "INTERVENTION"]


# --- the CLI ------------------------------------------------------------------------

runner = CliRunner()


@pytest.mark.model
def test_cli_tag_json_and_cache(tmp_path: Path) -> None:
    from pipeline.cli import app

    args = ["tag", str(SAMPLE), "--json", "--cache-dir", str(tmp_path)]
    first = runner.invoke(app, args)
    assert first.exit_code == 0, first.output
    records = [json.loads(line) for line in first.stdout.splitlines()]
    mentions = [r for r in records if r["kind"] == "mention"]
    assert {"Getting to Know Your Baby", "Tessa Baradon"} <= {m["text"] for m in mentions}
    assert "(0 from cache)" in first.stderr
    second = runner.invoke(app, args)
    assert "(1 from cache)" in second.stderr
    assert second.stdout == first.stdout


@pytest.mark.model
def test_cli_rejects_unknown_labels_and_conflicts(tmp_path: Path) -> None:
    from pipeline.cli import app

    result = runner.invoke(app, ["tag", str(SAMPLE), "--labels", "PERSON,WIDGET", "--no-cache"])
    assert result.exit_code == 2 and "WIDGET" in result.output
    result = runner.invoke(app, ["tag", str(SAMPLE), "--no-cache", "--cache-dir", str(tmp_path)])
    assert result.exit_code == 2


@pytest.mark.model
def test_cli_eval_prints_per_label_table() -> None:
    from pipeline.cli import app

    result = runner.invoke(
        app, ["eval", "--gold", str(ROOT / "tests" / "gold"), "--corpus", str(ROOT / "transcripts")]
    )
    # Only the sample's transcript is given: the other gold files are unmatched.
    assert result.exit_code == 1
    assert "babies-in-mind-methods-of-working: P 1.000  R 1.000" in result.stdout
    assert re.search(r"^INTERVENTION\s+19\s+19\s+1\.000\s+1\.000\s+1\.000$", result.stdout, re.M)
    assert "no transcript found for this gold file" in result.stderr


@pytest.mark.model
def test_cli_eval_on_the_dev_set_reports_each_source(monkeypatch: pytest.MonkeyPatch) -> None:
    from pipeline.cli import app

    monkeypatch.chdir(ROOT)
    result = runner.invoke(app, ["eval", "--set", "dev"])
    assert result.exit_code == 0, result.output
    assert "health-visiting-app-interview: P" in result.stdout
    assert "by whether the gazetteer lists the name" in result.stdout
    assert re.search(r"^not listed\s+\d+\s", result.stdout, re.M)
    assert re.search(r"^pattern\s+INTERVENTION\s+\d+\s+\d+\s+[01]\.\d{3}$", result.stdout, re.M)
    bad = runner.invoke(app, ["eval", "--set", "train"])
    assert bad.exit_code == 2 and "dev, dev3, dev4, dev5, dev6 or test" in bad.output


def test_label_repairs_inside_the_pipeline(nlp: Language, entities: dict[str, str]) -> None:
    entities.update(
        {
            "Mount Sinai Hospital": "FAC",
            "Bayeux Tapestry": "ORG",
            "Nurture": "ORG",
            "UK": "GPE",
        }
    )
    result = tag_one(
        nlp,
        "She trained at Mount Sinai Hospital and saw the Bayeux Tapestry.",
        "Nurture UK and UNICEF UK help, and in the UK too.",
    )
    assert ("Mount Sinai Hospital", "ORG") in found(result)
    assert ("Bayeux Tapestry", "WORK_OF_ART") in found(result)
    assert ("Nurture UK", "ORG") in found(result)
    assert ("UNICEF UK", "ORG") in found(result)
    assert ("UK", "GPE") in found(result)
