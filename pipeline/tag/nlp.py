"""The spaCy model: loaded with only the components tagging needs; never downloads."""

from __future__ import annotations

import spacy
from spacy.language import Language

from pipeline.errors import ModelError
from pipeline.model import DEFAULT_LABELS, INTERVENTION, NUMERIC_LABELS
from pipeline.settings import PREFERRED_MODELS, resolve_model

__all__ = ["DEFAULT_LABELS", "INTERVENTION", "NUMERIC_LABELS", "PREFERRED_MODELS", "load_nlp"]

NEEDED = ("ner",)
# Measured on the 83 paragraphs of the sample and the test corpus: with these
# excluded the entities are identical (en_core_web_sm's ner has its own tok2vec;
# only tagger and parser listen to the shared one), and one process tags about
# 2.2x faster than the full default pipeline (bench/tag_speed.py).
UNNEEDED = (
    "tagger",
    "parser",
    "attribute_ruler",
    "lemmatizer",
    "senter",
    "morphologizer",
    "textcat",
    "textcat_multilabel",
    "entity_linker",
)
INSTALL_HINT = (
    "Install the pinned English model with 'make install', or"
    " '.venv/bin/pip install --no-deps --require-hashes -r requirements/model.txt';"
    " or name another installed spaCy pipeline (package or path) with --model."
)


def load_nlp(name: str | None = None) -> Language:
    """The English pipeline with only what tagging needs; never downloads anything.

    ``name`` is a package name or a path; None picks the official en_core_web_sm
    when installed, else the pinned repackaging.
    """
    name = resolve_model(name)
    numpy_products()
    try:
        nlp = spacy.load(name, exclude=list(UNNEEDED))
    except (OSError, ImportError) as error:
        raise ModelError(
            f"cannot load the spaCy model '{name}' ({_first_line(error)}). {INSTALL_HINT}"
        ) from None
    missing = [c for c in NEEDED if c not in nlp.pipe_names]
    if missing:
        raise ModelError(
            f"the spaCy model '{name}' has no {', '.join(missing)} component."
            " Use an English pipeline with named entities, such as en_core_web_sm."
        )
    _remove_idle_embedders(nlp)
    return nlp


def numpy_products() -> None:
    """The models loaded from now on in this process multiply matrices with NumPy
    (OpenBLAS), not blis.

    blis picks its kernels by CPU model, and on one it does not know it runs its
    reference C loops: on this machine's AMD EPYC (family 26) `perf` put 28% of tagging
    in ``bli_sgemm_generic_ref``. OpenBLAS picks its kernels by the CPU's features.
    Tagging 100 documents: 7.8 s -> 5.3-6.9 s (alternating runs), the same entities.
    (The parser's own per-step products still go through blis: spaCy takes them from a
    C table.)
    """
    from thinc.api import NumpyOps, get_current_ops, set_current_ops

    current = get_current_ops()
    if isinstance(current, NumpyOps) and getattr(current, "use_blis", False):
        set_current_ops(NumpyOps(use_blis=False))


def _first_line(error: BaseException) -> str:
    text = str(error).strip().splitlines()
    return text[0] if text else type(error).__name__


def _remove_idle_embedders(nlp: Language) -> None:
    """Drop a shared tok2vec/transformer that no remaining component listens to.

    In the sm/md/lg pipelines ner embeds for itself; a transformer pipeline's ner
    listens, and then the embedder stays.
    """
    for name, component in list(nlp.pipeline):
        listeners = getattr(component, "listening_components", None)
        if listeners is not None and not [c for c in listeners if c in nlp.pipe_names]:
            nlp.remove_pipe(name)


def model_id(nlp: Language) -> str:
    meta = nlp.meta
    return f"{meta.get('lang', 'xx')}_{meta.get('name', 'pipeline')}-{meta.get('version', '0')}"
