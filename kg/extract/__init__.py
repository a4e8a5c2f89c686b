"""Extract: papers in, typed entity mentions out (see `pipeline` for the stage, `components` for the parts,
`proposed` and `confidence` for the two learnt scores of each entity)."""
from .pipeline import Extractor, make_nlp, normalise_name

__all__ = ["Extractor", "make_nlp", "normalise_name"]
