"""kg: machine-learning paper abstracts in, a knowledge graph with per-fact provenance out.

Stages, each a module, data flowing one way: ingest -> extract -> resolve -> graph -> rdf / html
-> query; `api` ties them together and `cli` is the command line.
"""
from .api import KnowledgeGraph, build, load
from .errors import KgError

__version__ = "0.1.0"
__all__ = ["KnowledgeGraph", "KgError", "build", "load", "__version__"]
