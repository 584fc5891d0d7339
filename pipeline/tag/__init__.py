"""Tag: Timeline -> Mentions (named entities and intervention names, each placed in time).

nlp (loading the spaCy model with only what tagging needs), gazetteer (+ data/),
rules (the components after ner), cache (results by content), tagger (one document
at a time), evaluate (against gold annotations).

Importing this package imports spaCy: callers that may not need it import it late.
"""

from pipeline.model import Candidate
from pipeline.tag.nlp import (
    DEFAULT_LABELS,
    INTERVENTION,
    NUMERIC_LABELS,
    PREFERRED_MODELS,
    load_nlp,
    model_id,
)
from pipeline.tag.tagger import Part, Tagger, TagResult, assemble, in_domain, open_tagger, parts_of

__all__ = [
    "DEFAULT_LABELS",
    "INTERVENTION",
    "NUMERIC_LABELS",
    "PREFERRED_MODELS",
    "Candidate",
    "Part",
    "TagResult",
    "Tagger",
    "assemble",
    "in_domain",
    "load_nlp",
    "model_id",
    "open_tagger",
    "parts_of",
]
