"""The intervention gazetteer: CSV entries -> validated Entries -> match phrases.

``parse_gazetteer(text, source)`` is pure; ``load_gazetteer(extra)`` reads the packaged
``data/interventions.csv`` plus user files that add or override entries by id.
``phrases(gazetteer)`` expands every name and alias into the spelling variants a
transcript may use (programme/program, plurals, hyphen/space/dash, British/US).
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

from pipeline.errors import ConfigError

COLUMNS = ("id", "name", "aliases", "delivery", "tier", "description", "source")
REQUIRED = ("id", "name", "delivery")
# The design's three modes, plus those the field's programmes actually use:
# home visits, one-to-one therapy, inpatient units, standards applied across a
# whole service (Baby Friendly) and financial schemes (Healthy Start).
DELIVERY = frozenset(
    {
        "media-based",
        "group-based",
        "dyadic",
        "home-visiting",
        "individual",
        "inpatient",
        "service-level",
        "financial",
    }
)
TIER = frozenset({"universal", "targeted", "indicated"})  # or empty: not known
ID_RE = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
PACKAGED = "interventions.csv"

# All capitals (digits and dashes allowed): an acronym, matched case-sensitively,
# because "COS" or "PUP" in lower case are ordinary words.
ACRONYM_RE = re.compile(r"^(?=.*[A-Z].*[A-Z])[A-Z0-9&]+(?:[-–][A-Z0-9&]+)*$")
_DASHES = "-‐‑–—"
# A dash between two words, tight ("parent-infant") or spaced ("Triple P – Positive").
_SEPARATOR_RE = re.compile(rf"(\s*[{_DASHES}]\s*|\s+)")
# Spelling pairs that transcripts mix freely; both directions are generated.
_SPELLINGS = {
    "programme": "program",
    "programmes": "programs",
    "behaviour": "behavior",
    "behavioural": "behavioral",
    "individualised": "individualized",
    "centre": "center",
    "organisation": "organization",
    "paediatric": "pediatric",
}
_SPELLINGS |= {us: uk for uk, us in _SPELLINGS.items()}
# Head nouns whose plural names the same thing ("mother and baby units"); other
# last words are left alone ("Baby Express" -> "baby expresses" would be a verb).
_COUNTABLE = frozenset(
    """unit interview programme program class group session course intervention therapy
    psychotherapy observation approach model service scheme visit guide initiative project
    clinic centre center contact""".split()
)
MAX_VARIANTS = 64
_FUNCTION = frozenset(
    "a an the and or of to for as in on at by with under your our".split()
)  # per name or alias; dash combinations multiply quickly


@dataclass(frozen=True, slots=True)
class Entry:
    """One intervention: stable id, canonical name, aliases and categories."""

    id: str
    name: str
    aliases: tuple[str, ...]
    delivery: str
    tier: str | None
    description: str
    source: str
    origin: str = ""  # "file:line", for messages

    @property
    def categories(self) -> tuple[str, ...]:
        tier = (f"tier:{self.tier}",) if self.tier else ()
        return (f"delivery:{self.delivery}", *tier)


@dataclass(frozen=True, slots=True)
class Gazetteer:
    entries: tuple[Entry, ...]
    sources: tuple[str, ...]

    @property
    def by_id(self) -> dict[str, Entry]:
        return {entry.id: entry for entry in self.entries}

    @property
    def sha256(self) -> str:
        """Hash of the merged content: any change to any entry changes it."""
        rows = [
            [e.id, e.name, list(e.aliases), e.delivery, e.tier or "", e.description, e.source]
            for e in self.entries
        ]
        blob = json.dumps(rows, ensure_ascii=False, separators=(",", ":"))
        return hashlib.sha256(blob.encode("utf-8")).hexdigest()


@dataclass(frozen=True, slots=True)
class Phrase:
    """A surface form to match: case-insensitive unless ``acronym``."""

    text: str
    entry_id: str
    acronym: bool
    generated: bool
    titled: bool = False  # match only where the text capitalises it (see is_titled)


# --- reading ---------------------------------------------------------------------


def parse_gazetteer(text: str, source: str = "<gazetteer>") -> list[Entry]:
    """Parse and validate one CSV file's entries (duplicates checked within it)."""
    text = text.lstrip("\ufeff")
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        header = next(reader)
    except StopIteration:
        raise ConfigError(
            f"{source}:1: the file is empty. Start it with the header line {','.join(COLUMNS)}."
        ) from None
    header = [h.strip().lower() for h in header]
    missing = [c for c in COLUMNS if c not in header]
    if missing:
        raise ConfigError(
            f"{source}:1: header: missing column(s) {', '.join(missing)}."
            f" The header must be {','.join(COLUMNS)}."
        )
    entries: list[Entry] = []
    seen_ids: dict[str, int] = {}
    line = reader.line_num + 1
    for row in reader:
        start, line = line, reader.line_num + 1
        if not any(cell.strip() for cell in row):
            continue
        where = f"{source}:{start}"
        if len(row) < len(header):
            absent = header[len(row)]
            raise ConfigError(
                f"{where}: {absent}: missing column ({len(row)} of {len(header)} fields)."
                " Quote fields that contain commas."
            )
        if len(row) > len(header):
            raise ConfigError(
                f"{where}: {len(row)} fields where the header has {len(header)}."
                " Quote fields that contain commas."
            )
        entry = _entry(dict(zip(header, (cell.strip() for cell in row), strict=True)), where)
        if entry.id in seen_ids:
            raise ConfigError(
                f"{where}: id: '{entry.id}' is already used on line {seen_ids[entry.id]}."
                " Each id appears once per file."
            )
        seen_ids[entry.id] = start
        entries.append(entry)
    return entries


def _entry(fields: dict[str, str], where: str) -> Entry:
    for name in REQUIRED:
        if not fields[name]:
            raise ConfigError(
                f"{where}: {name}: empty. Every entry needs an id, name and delivery."
            )
    if not ID_RE.match(fields["id"]):
        raise ConfigError(
            f"{where}: id: '{fields['id']}' is not a slug."
            " Use lower-case letters, digits and single hyphens (e.g. video-feedback)."
        )
    delivery = fields["delivery"].lower()
    if delivery not in DELIVERY:
        raise ConfigError(
            f"{where}: delivery: '{fields['delivery']}' is not one of {', '.join(sorted(DELIVERY))}."
        )
    tier = fields["tier"].lower() or None
    if tier is not None and tier not in TIER:
        raise ConfigError(
            f"{where}: tier: '{fields['tier']}' is not one of {', '.join(sorted(TIER))}"
            " (or empty when unknown)."
        )
    aliases = tuple(a.strip() for a in fields["aliases"].split(";") if a.strip())
    seen: dict[str, str] = {}
    for form in (fields["name"], *aliases):
        key = phrase_key(form)
        if key in seen:
            raise ConfigError(
                f"{where}: aliases: duplicate alias '{form}' (same as '{seen[key]}')."
                " List each name once."
            )
        seen[key] = form
    return Entry(
        id=fields["id"],
        name=fields["name"],
        aliases=aliases,
        delivery=delivery,
        tier=tier,
        description=fields["description"],
        source=fields["source"],
        origin=where,
    )


def merge(layers: Iterable[Sequence[Entry]]) -> list[Entry]:
    """Later layers add entries or replace earlier ones with the same id.

    A name or alias claimed by two different entries is an error, reported at the
    later entry: the matcher could not tell which one a mention means.
    """
    merged: dict[str, Entry] = {}
    for layer in layers:
        for entry in layer:
            merged[entry.id] = entry
    owners: dict[str, tuple[Entry, str]] = {}
    for entry in merged.values():
        for form in (entry.name, *entry.aliases):
            key = phrase_key(form)
            if key in owners and owners[key][0].id != entry.id:
                other, other_form = owners[key]
                raise ConfigError(
                    f"{entry.origin}: aliases: duplicate alias '{form}', already the"
                    f" name or alias '{other_form}' of '{other.id}' ({other.origin})."
                    f" Remove it from one entry, or override '{other.id}' by its id."
                )
            owners[key] = (entry, form)
    return sorted(merged.values(), key=lambda e: e.id)


def load_gazetteer(extra: Iterable[Path] = ()) -> Gazetteer:
    """The packaged gazetteer plus user files (``--gazetteer``), merged by id."""
    packaged = resources.files("pipeline.tag") / "data" / PACKAGED
    layers = [
        parse_gazetteer(packaged.read_text(encoding="utf-8"), f"pipeline/tag/data/{PACKAGED}")
    ]
    sources = [f"pipeline/tag/data/{PACKAGED}"]
    for path in extra:
        try:
            text = Path(path).read_text(encoding="utf-8-sig")
        except (OSError, UnicodeDecodeError) as error:
            raise ConfigError(
                f"{path}: cannot read the gazetteer ({error}). Pass a UTF-8 CSV file."
            ) from None
        layers.append(parse_gazetteer(text, str(path)))
        sources.append(str(path))
    return Gazetteer(tuple(merge(layers)), tuple(sources))


# --- variants --------------------------------------------------------------------


def is_acronym(form: str) -> bool:
    return ACRONYM_RE.match(form) is not None


def phrase_key(form: str) -> str:
    """What makes two forms the same phrase: case (except acronyms), dashes, spaces."""
    form = re.sub(rf"\s*[{_DASHES}]\s*", "-", form.strip())
    form = re.sub(r"\s+", " ", form)
    return form if is_acronym(form) else form.casefold()


def variants(form: str) -> list[str]:
    """Spelling variants of one name or alias, the form itself first, case kept."""
    base = re.sub(r"\s+", " ", form.strip())
    if is_acronym(base):
        dashed = {base, *_dash_variants(base, acronym=True)}
        plural = {f"{base}s"} if base.isalnum() else set()  # "MBUs", not "COS-Ps"
        return _ordered(base, dashed | plural)
    spelled = {base}
    for word in {w.lower() for w in re.findall(r"[A-Za-z]+", base)}:
        if word in _SPELLINGS:
            swap = re.compile(rf"\b{word}\b", re.IGNORECASE)
            spelled |= {swap.sub(_respell, s) for s in spelled}
    forms: set[str] = set()
    for spelling in spelled:
        for written in (spelling, *_dash_variants(spelling)):
            forms.add(written)
            forms.add(_pluralise(written))
    unique: dict[str, str] = {}
    for text in _ordered(base, forms):
        unique.setdefault(text.lower(), text)  # the matcher ignores case anyway
    return list(unique.values())[:MAX_VARIANTS]


def _respell(match: re.Match[str]) -> str:
    word = match.group(0)
    other = _SPELLINGS[word.lower()]
    return other.capitalize() if word[:1].isupper() else other


def is_titled(form: str) -> bool:
    """A title-styled name ("Minding the Baby", "Parents Under Pressure").

    Lower-cased, such a name reads as an everyday phrase ("minding the baby"), so
    it only matches where the text capitalises it as a name. Names without small
    words ("Video Feedback") and names written in sentence case ("Mother and baby
    unit") match in any case.
    """
    words = re.findall(r"[A-Za-z0-9']+", form)
    capitalised = sum(w[:1].isupper() for w in words)
    return len(words) >= 3 and capitalised >= 2 and any(w.lower() in _FUNCTION for w in words)


def _ordered(first: str, forms: set[str]) -> list[str]:
    return [first, *sorted(forms - {first})]


def _dash_variants(form: str, *, acronym: bool = False) -> set[str]:
    """Each dash written as hyphen, en dash or space ("parent-infant", "parent infant").

    Acronyms keep a dash ("COS P" is not how anyone writes COS-P).
    """
    tight = ("-", "–") if acronym else ("-", "–", " ")
    parts = _SEPARATOR_RE.split(form)
    options: list[tuple[str, ...]] = []
    for i, part in enumerate(parts):
        if i % 2 == 0:
            options.append((part,))
        elif not any(c in _DASHES for c in part):
            options.append((" ",))
        elif part.strip() == part:  # tight: parent-infant
            options.append(tight)
        else:  # spaced: "Triple P – Positive Parenting"
            options.append((" – ", " - ", " — "))
    out = {""}
    for part, choice in zip(parts, options, strict=True):
        if len(out) * len(choice) > MAX_VARIANTS:
            choice = (part,)  # enough combinations: keep the rest as written
        out = {prefix + c for prefix in out for c in choice}
    return out


def _pluralise(form: str) -> str:
    """Plural of a countable head noun only: "baby expresses" is a verb, not a name."""
    head, _, last = form.rpartition(" ")
    if last.lower() not in _COUNTABLE:
        return form
    if last.endswith(("ss", "ch", "sh", "x", "z")):
        plural = last + "es"
    elif last.endswith("y") and len(last) > 1 and last[-2] not in "aeiou":
        plural = last[:-1] + "ies"
    else:
        plural = last + "s"
    return f"{head} {plural}" if head else plural


def phrases(gazetteer: Gazetteer) -> list[Phrase]:
    """Every surface form to match, each owned by exactly one entry.

    Names and aliases as written always win. A generated variant that two entries
    both produce is dropped: it could mean either.
    """
    explicit: dict[str, Phrase] = {}
    generated: dict[str, list[Phrase]] = {}
    for entry in gazetteer.entries:
        for form in (entry.name, *entry.aliases):
            acronym, titled = is_acronym(form), is_titled(form)
            for i, text in enumerate(variants(form)):
                phrase = Phrase(text, entry.id, acronym, generated=i > 0, titled=titled)
                key = text if acronym else text.lower()  # what the matcher compares
                if i == 0:
                    explicit[key] = phrase
                else:
                    generated.setdefault(key, []).append(phrase)
    out = list(explicit.values())
    for key, found in generated.items():
        owners = {p.entry_id for p in found}
        if key not in explicit and len(owners) == 1:
            out.append(found[0])
    return sorted(out, key=lambda p: (p.entry_id, p.generated, p.text))
