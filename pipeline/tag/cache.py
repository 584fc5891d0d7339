"""The tag cache: per-part entity records by content key, so nothing is tagged twice."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

from spacy.tokens import Doc

from pipeline.files import write_text_atomic
from pipeline.tag.rules import CANDIDATE_KEY

# Cached per part: entities as [start, end, label, canonical id] and candidates as
# [start, end], character offsets. Times and chunks are not cached: they come from
# the current segmentation each time.
_Record = dict[str, list[list[Any]]]
CACHE_FORMAT = 1
# The tagging code itself is part of the key: a development change to a rule must not
# serve results cached by the old rule under an unchanged version number.
CODE_SHA256 = hashlib.sha256(
    b"".join(
        (Path(__file__).parent / name).read_bytes()
        for name in ("nlp.py", "rules.py", "gazetteer.py", "cache.py")
    )
).hexdigest()


def record_of(doc: Doc) -> _Record:
    return {
        "ents": [[e.start_char, e.end_char, e.label_, e.id_] for e in doc.ents],
        "candidates": [[s.start_char, s.end_char] for s in doc.spans.get(CANDIDATE_KEY, [])],
    }


class TagCache:
    """JSON files under a directory, one per content key, written atomically."""

    def __init__(self, directory: Path) -> None:
        self.directory = Path(directory)

    def path(self, key: str) -> Path:
        return self.directory / key[:2] / f"{key}.json"

    def get(self, key: str) -> list[_Record] | None:
        try:
            data = json.loads(self.path(key).read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return None  # absent or damaged: tag again
        if not isinstance(data, dict) or data.get("key") != key:
            return None
        records = data.get("parts")
        return records if isinstance(records, list) else None

    def put(self, key: str, records: list[_Record], about: dict[str, Any]) -> None:
        blob = json.dumps({"key": key, **about, "parts": records}, ensure_ascii=False)
        write_text_atomic(self.path(key), blob, durable=False)  # checked when read
