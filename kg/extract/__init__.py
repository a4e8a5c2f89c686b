"""Extract: papers in, typed entity mentions out (see `pipeline` for the stage, `components` for the parts)."""
from .pipeline import Extractor, make_nlp, normalise_name

__all__ = ["Extractor", "make_nlp", "normalise_name"]
