"""Exceptions raised by kg. The CLI turns each into a one-line message and exit status 1."""


class KgError(Exception):
    """Base class of every error kg raises on purpose."""


class IngestError(KgError):
    """An input file cannot be read as papers (strict mode, or nothing readable at all)."""


class ExtractionError(KgError):
    """The extraction pipeline cannot be built or run."""


class ResolveError(KgError):
    """An aliases (overrides) file cannot be used."""


class ExportError(KgError):
    """An output file cannot be written."""


class QueryError(KgError):
    """A SPARQL query or the graph it runs on is not usable."""
