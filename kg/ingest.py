"""Ingest: input files in, `Paper` records out.

Reads JSON Lines, JSON arrays and CSV of ``{"id"?, "title"?, "abstract", "arxiv"?,
"date"?, "authors"?}``, and three plain-text listing layouts, detected automatically:

- ``arxiv``: blocks of an abstract paragraph, optional comment paragraphs, then an
  ``arXiv:ID`` line and a ``Created: YYYY-MM-DD`` line;
- ``pairs``: a title line followed by an abstract line, repeated;
- ``daily``: daily-papers pages: title and abstract lines separated by blank lines, with
  page furniture ("Subscribe", "byAK and the research community", the page date) and a
  meta block after each abstract (author count or organisation, "·", listing date).

Bad records never stop the run: each becomes a `Problem` naming the file and line or
record, and every good record is still returned (``strict=True`` raises instead).

>>> import tempfile, pathlib
>>> path = pathlib.Path(tempfile.mkdtemp()) / "papers.jsonl"
>>> _ = path.write_text('{"title": "LoRA", "abstract": "We adapt LLMs."}\\n{broken\\n')
>>> papers, problems = read_papers([path])
>>> [p.title for p in papers], len(problems)
(['LoRA'], 1)
"""
from __future__ import annotations

import csv
import datetime as dt
import hashlib
import io
import json
import re
import unicodedata
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Iterable, Iterator

from .errors import IngestError
from .model import Paper

__all__ = ["Problem", "read_papers", "input_files", "read_file", "detect_layout", "paper_id", "DEFAULT_MAX_ABSTRACT_CHARS"]

DEFAULT_MAX_ABSTRACT_CHARS = 100_000
MAX_TITLE_CHARS = 400

ARXIV_ID = re.compile(r"(?:arXiv:)?\s*(\d{4}\.\d{4,5}|[a-z][a-z\-]*(?:\.[A-Z]{2})?/\d{7})(?:v\d+)?", re.I)
ARXIV_LINE = re.compile(r"^arXiv:\s*(\S+)\s*$")
CREATED_LINE = re.compile(r"^Created:\s*(\S+)\s*$")
MONTHS = "Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec"
# "Aug 14", "Dec 26, 2024", "Jun 29, 2023 7" (the trailing number is the upvote count)
LISTING_DATE = re.compile(rf"^({MONTHS}) (\d{{1,2}})(?:, (\d{{4}}))?(?: \d+)?$")
AUTHOR_COUNT = re.compile(r"^•\s*(\d+)\s+authors?$")
META_SEPARATOR = "·"
# Lines of a daily-papers page that are navigation, not papers.
PAGE_FURNITURE = (
    "new",
    "Subscribe",
    "Daily Papers",
    "byAK and the research community",
    "Get trending papers in your email inbox!",
    "Get trending papers in your email inbox once a day!",
)
FIELDS = ("id", "title", "abstract", "arxiv", "date", "authors")


@dataclass(frozen=True)
class Problem:
    """Something wrong with one record or file; the run goes on without that record."""

    where: str  # "path:line" or "path: record N"
    message: str

    def __str__(self) -> str:
        return f"{self.where}: {self.message}"


def normalise_text(text: str) -> str:
    """Fold Unicode and whitespace so the same paper always hashes the same."""
    return " ".join(unicodedata.normalize("NFKC", text).split()).lower()


def paper_id(*, title: str, abstract: str, arxiv: str | None = None) -> str:
    """The stable id of a paper: its arXiv id without version, else a short content hash.

    >>> paper_id(title="", abstract="x", arxiv=normalise_arxiv("arXiv:2302.05206v2"))
    '2302.05206'
    >>> paper_id(title="A  Title", abstract="Text.") == paper_id(title="a title", abstract="text.")
    True
    """
    if arxiv:
        return arxiv
    digest = hashlib.sha1(f"{normalise_text(title)}\n{normalise_text(abstract)}".encode()).hexdigest()
    return "h" + digest[:12]


def normalise_arxiv(value: object) -> str | None:
    """'arXiv:2302.05206v2' -> '2302.05206'; None when the value is not an arXiv id."""
    if value in (None, ""):
        return None
    match = ARXIV_ID.fullmatch(str(value).strip())
    return match.group(1) if match else None


def parse_date(value: object) -> str | None:
    """Return an ISO date (YYYY-MM-DD) or None; raise ValueError on an unreadable date."""
    if value in (None, ""):
        return None
    text = str(value).strip()
    for pattern in ("%Y-%m-%d", "%b %d, %Y", "%B %d, %Y", "%d %b %Y", "%Y/%m/%d"):
        try:
            return dt.datetime.strptime(text[:10] if pattern == "%Y-%m-%d" else text, pattern).date().isoformat()
        except ValueError:
            continue
    raise ValueError(f"unreadable date {text!r} (expected YYYY-MM-DD)")


def decode_lines(path: Path, data: bytes, problems: list[Problem]) -> list[str]:
    """Split bytes into text lines; invalid UTF-8 is replaced (U+FFFD) and reported per line."""
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    lines = []
    for number, raw in enumerate(data.split(b"\n"), start=1):
        raw = raw.rstrip(b"\r")
        try:
            lines.append(raw.decode("utf-8"))
        except UnicodeDecodeError as error:
            problems.append(Problem(f"{path}:{number}", f"invalid UTF-8 at byte {error.start} "
                                    f"(0x{raw[error.start]:02x}); the bad bytes were replaced by U+FFFD"))
            lines.append(raw.decode("utf-8", errors="replace"))
    if lines and lines[-1] == "":
        lines.pop()
    return lines


def detect_layout(path: Path, lines: list[str]) -> str | None:
    """Name the layout of a file: jsonl, json, csv, arxiv, daily, pairs; None when unknown."""
    content = [line.strip() for line in lines if line.strip()]
    if not content:
        return None
    suffix = path.suffix.lower()
    if content[0].startswith("["):
        return "json"
    if content[0].startswith("{"):
        return "jsonl"
    if suffix == ".csv" or (suffix != ".txt" and "abstract" in content[0].lower().split(",")):
        return "csv"
    if any(ARXIV_LINE.match(line) for line in content) and any(CREATED_LINE.match(line) for line in content):
        return "arxiv"
    if any(AUTHOR_COUNT.match(line) or LISTING_DATE.match(line) for line in content):
        return "daily"
    papers = [line for line in content if line not in PAGE_FURNITURE]
    titles, abstracts = papers[0::2], papers[1::2]
    if abstracts and mostly(looks_like_title, titles) and mostly(lambda line: len(line.split()) >= 15, abstracts):
        return "pairs"
    return None


def mostly(predicate, lines: list[str], share: float = 0.8) -> bool:
    return sum(1 for line in lines if predicate(line)) >= share * len(lines)


def looks_like_title(line: str) -> bool:
    """Short, and not a sentence of 25 words or more ending in a full stop."""
    return len(line) <= MAX_TITLE_CHARS and not (line.endswith(".") and len(line.split()) >= 25)


def records_from_json_lines(path: Path, lines: list[str], problems: list[Problem]) -> Iterator[tuple[str, dict]]:
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            record = json.loads(line)
        except json.JSONDecodeError as error:
            problems.append(Problem(f"{path}:{number}", f"not valid JSON ({error.msg} at column {error.colno}); line skipped"))
            continue
        yield f"{path}:{number}", record


def records_from_json_array(path: Path, lines: list[str], problems: list[Problem]) -> Iterator[tuple[str, dict]]:
    try:
        records = json.loads("\n".join(lines))
    except json.JSONDecodeError as error:
        problems.append(Problem(f"{path}:{error.lineno}", f"not valid JSON ({error.msg}); file skipped"))
        return
    if not isinstance(records, list):
        problems.append(Problem(str(path), "a JSON file must hold an array of paper objects; file skipped"))
        return
    for number, record in enumerate(records, start=1):
        yield f"{path}: record {number}", record


def records_from_csv(path: Path, lines: list[str], problems: list[Problem]) -> Iterator[tuple[str, dict]]:
    reader = csv.DictReader(io.StringIO("\n".join(lines)))
    if "abstract" not in (reader.fieldnames or []):
        problems.append(Problem(f"{path}:1", f"CSV header {reader.fieldnames} has no 'abstract' column; file skipped"))
        return
    for record in reader:
        yield f"{path}:{reader.line_num}", record


def records_from_arxiv_listing(path: Path, lines: list[str], problems: list[Problem]) -> Iterator[tuple[str, dict]]:
    """Blocks: abstract paragraph, comment paragraphs, `arXiv:` line, `Created:` line."""
    paragraphs: list[tuple[int, str]] = []  # (first line number, text) since the last paper
    current: list[str] = []
    current_start = 0
    record: dict = {}
    for number, line in enumerate(lines + [""], start=1):
        stripped = line.strip()
        arxiv_match, created_match = ARXIV_LINE.match(stripped), CREATED_LINE.match(stripped)
        if (not stripped or arxiv_match or created_match) and current:
            paragraphs.append((current_start, " ".join(current)))
            current = []
        if arxiv_match:
            if not paragraphs:
                problems.append(Problem(f"{path}:{number}", f"arXiv id {arxiv_match.group(1)} has no abstract before it; skipped"))
                continue
            start, abstract = paragraphs[0]
            record = {"abstract": abstract, "arxiv": arxiv_match.group(1), "_line": start}
            paragraphs = []
        elif created_match:
            if record:
                record["date"] = created_match.group(1)
                yield f"{path}:{record.pop('_line')}", record
                record = {}
        elif stripped:
            if not current:
                current_start = number
            current.append(stripped)
    if record:
        yield f"{path}:{record.pop('_line')}", record
    for start, text in paragraphs:
        problems.append(Problem(f"{path}:{start}", f"text after the last 'Created:' line is not a complete paper "
                                f"(no arXiv id): {text[:60]!r}; skipped"))


def meta_line_numbers(lines: list[str]) -> set[int]:
    """Indexes of daily-page lines that describe a paper rather than being one."""
    meta = set()
    for index, line in enumerate(lines):
        if line == META_SEPARATOR:
            meta.add(index)
            if index > 0:  # the author count or organisation line just above "·"
                meta.add(index - 1)
        elif AUTHOR_COUNT.match(line) or LISTING_DATE.match(line):
            meta.add(index)
    return meta


def records_from_title_lines(path: Path, lines: list[str], problems: list[Problem]) -> Iterator[tuple[str, dict]]:
    """Daily pages and plain pairs: a title line, then an abstract line, then optional meta lines."""
    stripped = [line.strip() for line in lines]
    meta = meta_line_numbers(stripped)
    record: dict | None = None
    title: tuple[int, str] | None = None
    for index, line in enumerate(stripped):
        if not line or line in PAGE_FURNITURE:
            continue
        if index in meta:
            if record is not None:
                update_from_meta(record, line)
            continue
        for furniture in PAGE_FURNITURE:  # "SubscribeTeacher algorithms..." (copy-pasted pages)
            if line.startswith(furniture) and line[len(furniture):][:1].isupper() and len(furniture) > 3:
                line = line[len(furniture):]
        if title is None and looks_like_title(line):
            if record is not None:
                yield record.pop("_where"), record
                record = None
            title = (index + 1, line)
            continue
        if title is None:
            problems.append(Problem(f"{path}:{index + 1}", "abstract line without a title line before it; "
                                    "kept as a paper with no title"))
            title = (index + 1, "")
        if record is not None:
            yield record.pop("_where"), record
        record = {"title": title[1], "abstract": line, "_where": f"{path}:{title[0]}"}
        title = None
    if record is not None:
        yield record.pop("_where"), record
    if title is not None:
        problems.append(Problem(f"{path}:{title[0]}", f"title {title[1][:60]!r} has no abstract after it; skipped"))


def update_from_meta(record: dict, line: str) -> None:
    author_match = AUTHOR_COUNT.match(line)
    date_match = LISTING_DATE.match(line)
    if author_match:
        record["authors"] = int(author_match.group(1))
    elif date_match and date_match.group(3):  # a listing date without a year is not a date
        record["date"] = f"{date_match.group(1)} {date_match.group(2)}, {date_match.group(3)}"


READERS = {
    "jsonl": records_from_json_lines,
    "json": records_from_json_array,
    "csv": records_from_csv,
    "arxiv": records_from_arxiv_listing,
    "daily": records_from_title_lines,
    "pairs": records_from_title_lines,
}


def paper_from_record(where: str, record: object, problems: list[Problem], *, max_abstract_chars: int) -> Paper | None:
    """Check one raw record and turn it into a Paper; report and return None when unusable."""
    if not isinstance(record, dict):
        problems.append(Problem(where, f"expected a JSON object with an 'abstract', got {type(record).__name__}; skipped"))
        return None
    abstract = record.get("abstract")
    if not isinstance(abstract, str) or not abstract.strip():
        problems.append(Problem(where, "no 'abstract' text; skipped"))
        return None
    abstract = " ".join(abstract.split())
    if len(abstract) > max_abstract_chars:
        problems.append(Problem(where, f"abstract is {len(abstract):,} characters, over the limit of "
                                f"{max_abstract_chars:,}; skipped (raise it with --max-abstract-chars)"))
        return None
    title = record.get("title") or ""
    if not isinstance(title, str):
        problems.append(Problem(where, f"'title' is not text ({type(title).__name__}); treated as empty"))
        title = ""
    title = " ".join(title.split())
    arxiv = normalise_arxiv(record.get("arxiv"))
    if record.get("arxiv") and arxiv is None:
        problems.append(Problem(where, f"'arxiv' value {record.get('arxiv')!r} is not an arXiv id; ignored"))
    try:
        date = parse_date(record.get("date"))
    except ValueError as error:
        problems.append(Problem(where, f"{error}; date left empty"))
        date = None
    authors = record.get("authors")
    if isinstance(authors, list):
        authors = len(authors)
    elif isinstance(authors, str):
        authors = int(authors) if authors.strip().isdigit() else len([a for a in re.split(r",| and ", authors) if a.strip()])
    elif not isinstance(authors, int):
        authors = None
    explicit_id = record.get("id")
    identifier = str(explicit_id).strip() if explicit_id not in (None, "") else paper_id(title=title, abstract=abstract, arxiv=arxiv)
    return Paper(id=identifier, title=title, abstract=abstract, arxiv=arxiv, date=date, authors=authors, source=where)


def read_file(path: Path, problems: list[Problem], *, max_abstract_chars: int = DEFAULT_MAX_ABSTRACT_CHARS) -> Iterator[Paper]:
    """Yield the papers of one file, appending what is wrong with it to `problems`."""
    path = Path(path)
    try:
        data = path.read_bytes()
    except OSError as error:
        problems.append(Problem(str(path), f"cannot read the file ({error.strerror or error}); skipped"))
        return
    lines = decode_lines(path, data, problems)
    if not any(line.strip() for line in lines):
        problems.append(Problem(str(path), "the file is empty; nothing to read"))
        return
    layout = detect_layout(path, lines)
    if layout is None:
        problems.append(Problem(str(path), "unknown layout: expected JSON Lines, a JSON array, CSV with an 'abstract' "
                                "column, an arXiv listing (arXiv:/Created: lines) or title/abstract lines; file skipped"))
        return
    for where, record in READERS[layout](path, lines, problems):
        paper = paper_from_record(where, record, problems, max_abstract_chars=max_abstract_chars)
        if paper is not None:
            yield paper


def merge_duplicate(first: Paper, later: Paper) -> Paper:
    """Keep the first record of a paper and fill its empty fields from a later copy."""
    return replace(first, **{name: getattr(later, name) for name in ("title", "arxiv", "date", "authors")
                             if not getattr(first, name) and getattr(later, name)})


INPUT_SUFFIXES = (".jsonl", ".json", ".csv", ".txt")


def expand_directories(paths: Iterable[Path | str]) -> Iterator[Path]:
    """Each file as given; a directory stands for its input files (by suffix), in name order."""
    for path in map(Path, paths):
        if path.is_dir():
            yield from sorted(p for p in path.rglob("*") if p.is_file() and p.suffix.lower() in INPUT_SUFFIXES)
        else:
            yield path


def input_files(paths: Iterable[Path | str]) -> list[Path]:
    """The files `read_papers` reads for `paths` that exist (the build's provenance lists them)."""
    return [path for path in expand_directories(paths) if path.is_file()]


def read_papers(paths: Iterable[Path | str], *, strict: bool = False,
                max_abstract_chars: int = DEFAULT_MAX_ABSTRACT_CHARS) -> tuple[list[Paper], list[Problem]]:
    """Read every input file; return the papers (one per id, first seen wins) and the problems met.

    Parameters
    ----------
    paths : files (or directories of .jsonl, .json, .csv, .txt files) to read; each file's layout
        is detected on its own.
    strict : raise `IngestError` at the first problem instead of skipping the record.
    max_abstract_chars : longer abstracts are reported and skipped.
    """
    papers: dict[str, Paper] = {}
    problems: list[Problem] = []
    for path in expand_directories(paths):
        for paper in read_file(Path(path), problems, max_abstract_chars=max_abstract_chars):
            if strict and problems:
                break
            papers[paper.id] = merge_duplicate(papers[paper.id], paper) if paper.id in papers else paper
        if strict and problems:
            raise IngestError(f"{problems[0]} (strict mode: stopped; run without --strict to skip bad records)")
    return list(papers.values()), problems
