"""HTML: the page is self-contained (no remote script or style) and shows extracted strings as text."""
from __future__ import annotations

import json
import re

from kg.graph import build_graph
from kg.graph import papers_of
from kg.html import DEFAULT_MAX_NODES, MAX_VIEW_NODES, generate_html, overview_subgraph
from kg.model import ExtractedEntity, Mention, Paper, PaperExtraction

CRAFTED = "</script><img src=x onerror=alert(1)>"
REMOTE_REFERENCE = re.compile(r"<(script|link|img|iframe)[^>]+(src|href)\s*=\s*[\"']?\s*(https?:)?//", re.I)


def crafted_graph():
    paper = Paper(id="x1", title='<a href="javascript:alert(2)">click</a> ' + CRAFTED, abstract="An abstract.")
    entity = ExtractedEntity("Method", CRAFTED, ('<b onmouseover="alert(3)">',), (Mention(0, 5, "x", 0.9, "ner"),))
    return build_graph([PaperExtraction(paper, (entity,))])


def test_seeds_page_is_offline(seeds_dir):
    page = (seeds_dir / "graph.html").read_text(encoding="utf-8")
    assert not REMOTE_REFERENCE.search(page)
    assert not re.search(r"@import|url\(\s*['\"]?https?:", page)
    assert "Content-Security-Policy" in page and "default-src 'none'" in page
    for entity_type in ("Method", "Model", "Dataset", "Benchmark", "Task", "Metric"):
        assert f'value="{entity_type}"' in page  # legend and type filter


def test_crafted_strings_stay_text():
    page = generate_html(crafted_graph(), heading=CRAFTED)
    assert not re.search(r"<img\b|<a href=\"javascript|<b onmouseover", page)
    assert CRAFTED not in page and "\\u003c/script\\u003e\\u003cimg src=x onerror=alert(1)\\u003e" in page
    assert "<h1>&lt;/script&gt;&lt;img src=x onerror=alert(1)&gt;</h1>" in page
    assert page.count("</script>") == 3  # vis-network, the data and our code; no early close of an inline script


def test_overview_is_capped(seeds_kg):
    view = overview_subgraph(seeds_kg.G, max_nodes=50)
    assert 0 < view.number_of_nodes() <= 50
    top = max((n for n, d in seeds_kg.G.nodes(data=True) if d["kind"] == "Entity"), key=lambda n: len(papers_of(seeds_kg.G, n)))
    assert top in view
    assert overview_subgraph(seeds_kg.G, max_nodes=10**6).number_of_nodes() == MAX_VIEW_NODES


def page_data_of(page: str) -> dict:
    raw = re.search(r'<script type="application/json" id="kg-data">(.*?)</script>', page, re.S).group(1)
    return json.loads(raw)


def test_site_carries_every_view_of_the_seeds(seeds_dir, seeds_kg):
    data = page_data_of((seeds_dir / "graph.html").read_text(encoding="utf-8"))
    assert set(data["entities"]) == {e["id"] for e in seeds_kg.entities()}
    assert set(data["papers"]) == {f"paper/{p['id']}" for p in seeds_kg.papers()}
    lora = data["entities"]["method/low-rank-adaptation"]
    assert lora["paperCount"] == len(lora["papers"]) == len(seeds_kg.papers_mentioning("LoRA"))
    assert data["start"] == "#/" and len(data["overview"]["nodes"]) == DEFAULT_MAX_NODES
    assert all("x" in node for node in data["overview"]["nodes"])  # laid out in Python: no physics needed


def test_entity_page_holds_one_entity_with_its_papers(seeds_kg):
    page = seeds_kg.html(entity="LoRA")
    data = page_data_of(page)
    assert data["start"] == "#/entity/method/low-rank-adaptation"
    papers = {f"paper/{p['id']}" for p in seeds_kg.papers_mentioning("LoRA")}
    assert set(data["papers"]) == papers
    assert "method/low-rank-adaptation" in data["entities"] and len(data["entities"]) < len(seeds_kg.entities())
    assert "<title>low-rank adaptation (Method)</title>" in page


def test_show_displays_inline_in_jupyter(seeds_kg):
    from IPython.core.formatters import format_display_data
    shown, _ = format_display_data(seeds_kg.show("GSM8K", height=500))
    iframe = shown["text/html"]
    assert iframe.startswith("<iframe srcdoc=") and 'sandbox="allow-scripts"' in iframe and "height: 500px" in iframe
    assert "&lt;script&gt;" in iframe and "<script>" not in iframe  # the page is an attribute, escaped once
    assert "#/entity/dataset/gsm8k" in iframe


def test_kg_html_command_writes_views(seeds_dir, tmp_path):
    from click.testing import CliRunner
    from kg.cli import cli
    result = CliRunner().invoke(cli, ["html", str(seeds_dir), "--entity", "LoRA", "-o", str(tmp_path / "lora.html")])
    assert result.exit_code == 0, result.output
    assert page_data_of((tmp_path / "lora.html").read_text(encoding="utf-8"))["start"] == "#/entity/method/low-rank-adaptation"
    result = CliRunner().invoke(cli, ["html", str(seeds_dir), "--paper", "2302.05206", "-o", str(tmp_path / "p.html")])
    assert result.exit_code == 0 and (tmp_path / "p.html").exists()
    missing = CliRunner().invoke(cli, ["html", str(seeds_dir), "--entity", "no such thing"])
    assert missing.exit_code == 1 and missing.output.startswith("Error: no entity named")
