"""HTML: the page is self-contained (no remote script or style) and shows extracted strings as text."""
from __future__ import annotations

import re

from kg.graph import build_graph
from kg.html import generate_html, overview_subgraph
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
    assert page.count("</script>") == 2  # vis-network and our code; no early close of an inline script


def test_overview_is_capped(seeds_kg):
    view = overview_subgraph(seeds_kg.G, max_nodes=50)
    assert 0 < view.number_of_nodes() <= 50
    top = max((n for n, d in seeds_kg.G.nodes(data=True) if d["kind"] == "Entity"), key=seeds_kg.G.in_degree)
    assert top in view
