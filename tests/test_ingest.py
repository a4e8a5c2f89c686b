"""Ingest: the seed layouts parse to hand-counted numbers; bad input is reported, never fatal."""
from __future__ import annotations

import json

import pytest

from kg.api import default_inputs
from kg.errors import IngestError
from kg.ingest import decode_lines, detect_layout, read_file, read_papers

# Counted by hand in each listing (title/abstract pairs, arXiv blocks, daily-page entries).
SEED_COUNTS = {
    "000_768749710c966982.txt": ("arxiv", 10),
    "001_9c19fbe865134be3.txt": ("pairs", 250),
    "002_5c77438f96ec61a4.txt": ("daily", 74),
    "003_4af711d4115298aa.txt": ("daily", 80),
    "004_a3bc472f17421bcb.txt": ("daily", 61),
}


@pytest.mark.parametrize("name", sorted(SEED_COUNTS))
def test_seed_layout_and_count(name):
    path = next(p for p in default_inputs() if p.name == name)
    problems = []
    layout, count = SEED_COUNTS[name]
    assert detect_layout(path, decode_lines(path, path.read_bytes(), problems)) == layout
    papers = list(read_file(path, problems))
    assert len(papers) == count
    assert problems == []
    assert all(p.abstract and len(p.abstract) > 100 for p in papers)


def test_arxiv_listing_fields():
    path = next(p for p in default_inputs() if p.name.startswith("000"))
    papers = list(read_file(path, []))
    first = papers[0]
    assert (first.id, first.arxiv, first.date, first.title) == ("2302.05206", "2302.05206", "2023-02-10", "")
    assert first.abstract.startswith("Reinforcement learning has seen wide success")
    # comment paragraphs ("To appear at NSDI 2023") are not abstracts
    assert not any(p.abstract.startswith("To appear") for p in papers)


def test_daily_page_furniture_is_not_a_paper():
    papers, _ = read_papers(default_inputs())
    titles = {p.title for p in papers}
    for furniture in ("Subscribe", "new", "Daily Papers", "byAK and the research community", "tencent Tencent"):
        assert furniture not in titles
    assert "Teacher algorithms for curriculum learning of Deep RL in continuously parameterized environments" in titles


def test_daily_page_authors_and_dates():
    path = next(p for p in default_inputs() if p.name.startswith("003"))
    papers = {p.title: p for p in read_file(path, [])}
    medsamix = papers["MedSAMix: A Training-Free Model Merging Approach for Medical Image Segmentation"]
    assert medsamix.authors == 6 and medsamix.date is None  # "Aug 14 2" gives no year
    task_po = papers["Task Preference Optimization: Improving Multimodal Large Language Models with Vision Task Alignment"]
    assert (task_po.authors, task_po.date) == (12, "2024-12-26")


def test_seeds_deduplicate_repeated_abstracts():
    papers, problems = read_papers(default_inputs())
    assert problems == []
    assert len(papers) == len({p.id for p in papers}) == 438  # 475 entries, 37 repeated across listings


def test_content_hash_ids_are_stable(tmp_path):
    path = tmp_path / "a.jsonl"
    path.write_text(json.dumps({"title": "T", "abstract": "Some text."}) + "\n")
    first, _ = read_papers([path])
    second, _ = read_papers([path])
    assert first[0].id == second[0].id and first[0].id.startswith("h")


def write(tmp_path, name, content: bytes | str):
    path = tmp_path / name
    path.write_bytes(content if isinstance(content, bytes) else content.encode())
    return path


def test_empty_file_is_reported(tmp_path):
    path = write(tmp_path, "empty.jsonl", "")
    papers, problems = read_papers([path])
    assert papers == []
    assert [str(p) for p in problems] == [f"{path}: the file is empty; nothing to read"]


def test_broken_json_line_among_good_ones(tmp_path):
    good = [json.dumps({"id": f"p{i}", "title": f"T{i}", "abstract": "We use BERT."}) for i in range(3)]
    path = write(tmp_path, "mixed.jsonl", "\n".join([good[0], '{"id": "bad", "abstract": ', good[1], good[2]]) + "\n")
    papers, problems = read_papers([path])
    assert [p.id for p in papers] == ["p0", "p1", "p2"]
    assert len(problems) == 1 and str(problems[0]).startswith(f"{path}:2: not valid JSON")


def test_unknown_layout(tmp_path):
    path = write(tmp_path, "notes.txt", "hello.\nworld, this is not a listing.\n")
    papers, problems = read_papers([path])
    assert papers == [] and str(problems[0]).startswith(f"{path}: unknown layout")


def test_invalid_utf8_is_reported_and_the_record_kept(tmp_path):
    lines = [json.dumps({"id": "ok", "abstract": "Fine text."}).encode(),
             b'{"id": "latin1", "abstract": "Caf\xe9 models."}']
    path = write(tmp_path, "bytes.jsonl", b"\n".join(lines) + b"\n")
    papers, problems = read_papers([path])
    assert [p.id for p in papers] == ["ok", "latin1"]
    assert "\ufffd" in papers[1].abstract
    assert str(problems[0]).startswith(f"{path}:2: invalid UTF-8")


def test_one_megabyte_abstract_is_skipped_with_a_message(tmp_path):
    huge = json.dumps({"id": "huge", "abstract": "word " * 200_000})
    path = write(tmp_path, "big.jsonl", json.dumps({"id": "small", "abstract": "We use BERT."}) + "\n" + huge + "\n")
    papers, problems = read_papers([path])
    assert [p.id for p in papers] == ["small"]
    assert str(problems[0]).startswith(f"{path}:2: abstract is 999,999 characters, over the limit of 100,000")


def test_missing_abstract_and_bad_date(tmp_path):
    path = write(tmp_path, "p.jsonl", '{"id": "a", "title": "No abstract"}\n{"id": "b", "abstract": "x y", "date": "soon"}\n')
    papers, problems = read_papers([path])
    assert [p.id for p in papers] == ["b"] and papers[0].date is None
    assert [str(p) for p in problems] == [f"{path}:1: no 'abstract' text; skipped",
                                          f"{path}:2: unreadable date 'soon' (expected YYYY-MM-DD); date left empty"]


def test_strict_mode_stops_cleanly(tmp_path):
    path = write(tmp_path, "mixed.jsonl", '{"abstract": "good"}\n{broken\n')
    with pytest.raises(IngestError, match=r"mixed.jsonl:2: not valid JSON .*strict mode"):
        read_papers([path], strict=True)


def test_json_array_and_csv(tmp_path):
    array = write(tmp_path, "papers.json", json.dumps([
        {"title": "A", "abstract": "First.", "arxiv": "arXiv:2101.00001v3", "date": "2021-01-01", "authors": ["x", "y"]},
        "not an object"]))
    table = write(tmp_path, "papers.csv", 'id,title,abstract,date\nc1,"Title, with comma",Second abstract.,2022-02-02\n')
    papers, problems = read_papers([array, table])
    assert [(p.id, p.date, p.authors) for p in papers] == [("2101.00001", "2021-01-01", 2), ("c1", "2022-02-02", None)]
    assert papers[1].title == "Title, with comma"
    assert str(problems[0]) == f"{array}: record 2: expected a JSON object with an 'abstract', got str; skipped"


def test_a_directory_stands_for_its_input_files(tmp_path):
    (tmp_path / "sub").mkdir()
    write(tmp_path, "a.jsonl", '{"id": "a", "abstract": "x y"}\n')
    write(tmp_path / "sub", "b.csv", "id,abstract\nb,some text\n")
    write(tmp_path, "notes.md", "# not an input\n")
    papers, problems = read_papers([tmp_path])
    assert [p.id for p in papers] == ["a", "b"] and problems == []
