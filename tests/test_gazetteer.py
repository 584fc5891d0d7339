"""The intervention gazetteer: packaged data, user files, validation errors and variants."""

from __future__ import annotations

import csv
import io
import re
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from pipeline.errors import ConfigError
from pipeline.tag.gazetteer import (
    COLUMNS,
    DELIVERY,
    TIER,
    is_acronym,
    is_titled,
    load_gazetteer,
    parse_gazetteer,
    phrases,
    variants,
)

HEADER = ",".join(COLUMNS)


def csv_text(*rows: str) -> str:
    return "\n".join([HEADER, *rows]) + "\n"


def write(tmp_path: Path, *rows: str, name: str = "mine.csv") -> Path:
    path = tmp_path / name
    path.write_text(csv_text(*rows), encoding="utf-8")
    return path


# --- the packaged file ---------------------------------------------------------------


def test_packaged_gazetteer_is_valid_and_covers_the_field() -> None:
    gazetteer = load_gazetteer()
    assert len(gazetteer.entries) >= 40
    ids = [e.id for e in gazetteer.entries]
    assert len(ids) == len(set(ids))
    for entry in gazetteer.entries:
        assert entry.delivery in DELIVERY
        assert entry.tier is None or entry.tier in TIER
        assert entry.description, entry.id
        assert entry.source.startswith("http"), entry.id
    for needed in (
        "family-nurse-partnership",
        "circle-of-security",
        "video-interaction-guidance",
        "vipp",
        "solihull-approach",
        "mellow-babies",
        "mellow-bumps",
        "triple-p",
        "incredible-years",
        "minding-the-baby",
        "newborn-behavioral-observations",
        "brazelton-neonatal-behavioral-assessment-scale",
        "infant-massage",
        "parent-infant-psychotherapy",
        "baby-express",
        "getting-to-know-your-baby",
        "promotional-interviews",
        "mother-and-baby-units",
    ):
        assert needed in gazetteer.by_id


def test_packaged_file_is_well_formed_csv() -> None:
    root = Path(__file__).resolve().parent.parent
    text = (root / "pipeline" / "tag" / "data" / "interventions.csv").read_text(encoding="utf-8")
    rows = list(csv.reader(io.StringIO(text)))
    assert tuple(rows[0]) == COLUMNS
    assert all(len(row) == len(COLUMNS) for row in rows[1:])


# --- user files --------------------------------------------------------------------


def test_user_file_adds_an_entry(tmp_path: Path) -> None:
    path = write(tmp_path, "little-steps,Little Steps,,group-based,targeted,Local fathers group.,")
    gazetteer = load_gazetteer([path])
    assert gazetteer.by_id["little-steps"].name == "Little Steps"
    assert str(path) in gazetteer.sources


def test_user_file_overrides_an_entry_by_id(tmp_path: Path) -> None:
    path = write(tmp_path, "video-feedback,Video feedback,video work,dyadic,targeted,Ours.,")
    entry = load_gazetteer([path]).by_id["video-feedback"]
    assert entry.aliases == ("video work",)
    assert entry.tier == "targeted"
    assert entry.categories == ("delivery:dyadic", "tier:targeted")


def test_hash_changes_with_a_user_file(tmp_path: Path) -> None:
    path = write(tmp_path, "little-steps,Little Steps,,group-based,,A group.,")
    assert load_gazetteer([path]).sha256 != load_gazetteer().sha256
    assert load_gazetteer().sha256 == load_gazetteer().sha256


@pytest.mark.parametrize(
    ("row", "line", "field"),
    [
        ("little-steps,Little Steps,,group-based", 2, "tier"),  # missing columns
        ("little-steps,Little Steps,,by-post,,A group.,", 2, "delivery"),
        ("little-steps,Little Steps,,group-based,sometimes,A group.,", 2, "tier"),
        ("Little Steps,Little Steps,,group-based,,A group.,", 2, "id"),
        ("little-steps,,,group-based,,A group.,", 2, "name"),
        ("little-steps,Little Steps,little steps,group-based,,A group.,", 2, "aliases"),
    ],
)
def test_malformed_entry_names_file_line_and_field(
    tmp_path: Path, row: str, line: int, field: str
) -> None:
    path = write(tmp_path, row)
    with pytest.raises(ConfigError) as caught:
        load_gazetteer([path])
    message = str(caught.value)
    assert message.startswith(f"{path}:{line}: {field}:"), message


def test_line_numbers_count_quoted_newlines(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        'one,One,,dyadic,,"Two\nlines.",',
        "two,Two,,dyadic,,Fine.,",
        "three,Three,,carrier-pigeon,,Bad.,",
    )
    with pytest.raises(ConfigError, match=rf"^{re.escape(str(path))}:5: delivery:"):
        load_gazetteer([path])


def test_alias_claimed_by_two_entries_is_an_error(tmp_path: Path) -> None:
    path = write(tmp_path, "my-vig,My VIG,video interaction guidance,dyadic,,Clash.,")
    with pytest.raises(ConfigError) as caught:
        load_gazetteer([path])
    message = str(caught.value)
    assert message.startswith(f"{path}:2: aliases: duplicate alias")
    assert "video-interaction-guidance" in message


def test_duplicate_id_in_one_file(tmp_path: Path) -> None:
    path = write(tmp_path, "one,One,,dyadic,,A.,", "one,Uno,,dyadic,,B.,")
    with pytest.raises(ConfigError, match=r":3: id: 'one' is already used on line 2"):
        load_gazetteer([path])


def test_missing_header_column() -> None:
    with pytest.raises(ConfigError, match=r"^mine.csv:1: header: missing column\(s\) tier"):
        parse_gazetteer("id,name,aliases,delivery,description,source\n", "mine.csv")


def test_unreadable_file(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="cannot read the gazetteer"):
        load_gazetteer([tmp_path / "absent.csv"])


# --- variants ----------------------------------------------------------------------


def lowered(form: str) -> set[str]:
    return {v.lower() for v in variants(form)}


def test_hyphen_space_and_en_dash() -> None:
    assert {
        "parent-infant psychotherapy",
        "parent infant psychotherapy",
        "parent–infant psychotherapy",
        "parent-infant psychotherapies",
    } <= lowered("Parent-infant psychotherapy")


def test_programme_and_program_both_ways() -> None:
    assert {"healthy child program", "healthy child programmes"} <= lowered(
        "Healthy Child Programme"
    )
    assert "nurturing parenting programme" in lowered("Nurturing Parenting Program")


def test_plural_only_for_countable_heads() -> None:
    assert "mother and baby units" in lowered("Mother and baby unit")
    assert "promotional interviews" in lowered("Promotional Interview")
    assert not any(v.endswith("expresses") for v in lowered("Baby Express"))


def test_british_and_american_spellings() -> None:
    assert "newborn behavioural observations" in lowered("Newborn Behavioral Observations")


def test_acronyms_keep_case_and_dash() -> None:
    assert is_acronym("COS-P") and is_acronym("MBU") and not is_acronym("Triple P")
    assert variants("MBU") == ["MBU", "MBUs"]
    assert set(variants("COS-P")) == {"COS-P", "COS–P"}


def test_title_styled_names() -> None:
    assert is_titled("Minding the Baby")
    assert is_titled("Getting to Know Your Baby")
    assert not is_titled("Mother and baby unit")
    assert not is_titled("Video Interaction Guidance")


def test_phrases_are_owned_by_one_entry() -> None:
    found = phrases(load_gazetteer())
    keys = [p.text if p.acronym else p.text.lower() for p in found]
    assert len(keys) == len(set(keys))
    assert any(p.text == "Video Feedback" and not p.generated for p in found)


@given(
    st.lists(st.sampled_from(["parent", "infant", "baby", "mother", "group"]), min_size=1)
    .map(lambda words: "-".join(words))
    .filter(lambda s: len(s) < 60)
)
def test_variants_start_with_the_form_and_keep_its_words(form: str) -> None:
    found = variants(form)
    assert found[0] == form
    words = re.findall(r"[a-z]+", form)
    for variant in found:
        assert re.findall(r"[a-z]+", variant.lower())[: len(words) - 1] == words[:-1]
