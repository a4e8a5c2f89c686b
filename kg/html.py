"""HTML: the NetworkX graph in; one self-contained, offline page out, with every view inside it.

The page (``graph.html``) is a small single-page app over the graph's data:

- ``#/`` the index: counts, the top entities of each type, the most recent papers;
- ``#/graph`` the overview: the best-connected entities and a few papers each, capped at
  ``max_nodes`` (default 400, never above ``MAX_VIEW_NODES``), laid out in Python so the first
  frame needs no physics;
- ``#/entity/<id>`` an entity: its papers with the sentence that names it, co-occurring entities,
  stated relations with their sentences, numeric results, and a small graph around it;
- ``#/paper/<id>`` a paper: its entities with the sentence that mentions each, what it proposes,
  its results.

Search (labels and aliases) focuses a node on a graph view and opens its view elsewhere; type
checkboxes filter graph views and double as the legend; tooltips give the evidence sentence,
confidence and arXiv link; links below ``LOW_CONFIDENCE`` are dashed; clicking a node opens its view.
``entity_page`` / ``paper_page`` render one view on its own (``kg html --entity NAME``, ``KnowledgeGraph.show``).

Safety: vis-network's script and style (shipped in pyvis) are inlined and a Content-Security-Policy
forbids any request; the data travels as JSON with ``<``, ``>`` and ``&`` escaped, and the page's
script puts every extracted string into the DOM with ``textContent`` (never as markup); the heading
is escaped by Jinja. Links out are built only for arXiv ids and Papers with Code URLs.
"""
from __future__ import annotations

import json
from collections import Counter
from importlib import resources
from pathlib import Path

import jinja2
import networkx as nx
import pyvis

from .graph import atomic_write, entity_relations, graph_stats, paper_text, papers_of
from .model import ENTITY_TYPES

__all__ = ["TYPE_COLOURS", "DEFAULT_MAX_NODES", "MAX_VIEW_NODES", "write_html", "generate_html", "overview_subgraph",
           "entity_page", "paper_page"]

TYPE_COLOURS = {
    "Paper": "#9e9e9e", "Method": "#1f77b4", "Model": "#ff7f0e", "Dataset": "#2ca02c",
    "Benchmark": "#d62728", "Task": "#9467bd", "Metric": "#8c564b",
}
DEFAULT_MAX_NODES = 400  # the overview's default size
LOW_CONFIDENCE = 0.5  # links less likely than this to be right are drawn dashed
MAX_VIEW_NODES = 2000  # no view draws more nodes than this
PYTHON_LAYOUT_MAX_NODES = 600  # above this the browser lays out (physics, stopped once it settles)
PAPERS_PER_ENTITY = 5
MAX_PAGE_ENTITIES = 3000  # views the page carries; larger graphs get the rest through `kg html --entity`
MAX_PAGE_PAPERS = 3000
VIS_DIR = Path(pyvis.__file__).parent / "lib" / "vis-9.1.2"


def overview_subgraph(G: nx.MultiDiGraph, *, max_nodes: int = DEFAULT_MAX_NODES,
                      papers_per_entity: int = PAPERS_PER_ENTITY) -> nx.MultiDiGraph:
    """The most-mentioned entities with a few of their papers each, at most `max_nodes` nodes in all.

    Capping the papers shown per entity keeps a handful of hub entities ("large language models")
    from filling the view with their papers.
    """
    max_nodes = min(max_nodes, MAX_VIEW_NODES)
    entities = sorted((n for n, d in G.nodes(data=True) if d["kind"] == "Entity"),
                      key=lambda n: (-len(papers_of(G, n)), n))
    keep: set[str] = set()
    for entity in entities:
        if len(keep) >= max_nodes:
            break
        papers = papers_of(G, entity)
        shown = [p for p in papers if p in keep]
        extra = [p for p in papers if p not in keep][: max(0, papers_per_entity - len(shown))]
        keep |= {entity, *extra[: max(0, max_nodes - len(keep) - 1)]}
    return G.subgraph(keep)


def layout(view: nx.MultiDiGraph) -> dict[str, tuple[int, int]]:
    """Positions for a view: a seeded spring layout (same input, same picture), empty when too large."""
    if view.number_of_nodes() > PYTHON_LAYOUT_MAX_NODES or not view.number_of_nodes():
        return {}
    positions = nx.spring_layout(nx.Graph(view.to_undirected()), seed=0, iterations=80,
                                 k=3.0 / max(view.number_of_nodes(), 1) ** 0.5)
    scale = 80 * view.number_of_nodes() ** 0.5
    return {node: (round(x * scale), round(y * scale)) for node, (x, y) in positions.items()}


def entity_record(G: nx.MultiDiGraph, node: str, papers: set[str]) -> dict:
    data = G.nodes[node]
    linked = papers_of(G, node)
    pwc = data.get("pwc_url") if str(data.get("pwc_url") or "").startswith("https://paperswithcode.com/") else None
    return {"label": data["label"], "type": data["type"], "aliases": list(data.get("aliases", [])),
            "papers": [p for p in linked if p in papers], "paperCount": len(linked), "pwc": pwc}


def paper_record(G: nx.MultiDiGraph, node: str, entities: set[str]) -> dict:
    data = G.nodes[node]
    links = [{"entity": target, "relation": relation, "confidence": round(edge["confidence"], 3),
              "spans": [[m["start"], m["end"]] for m in edge.get("mentions", [])]}
             for _, target, relation, edge in sorted(G.out_edges(node, keys=True, data=True)) if target in entities]
    results = [{key: result[key] for key in ("value", "unit", "kind", "metric", "dataset", "subject", "direction",
                                             "start", "end")}
               for result in data.get("results", [])]
    for result in results:  # parts outside the page are named by nothing rather than by a dangling id
        for part in ("metric", "dataset", "subject"):
            if result[part] not in entities:
                result[part] = None
    return {"id": data["id"], "title": data["title"], "date": data.get("date"), "arxiv": data.get("arxiv"),
            "text": paper_text(G, node), "sentences": data.get("sentences", []),
            "links": links, "results": results}


def page_data(G: nx.MultiDiGraph, view: nx.MultiDiGraph, *, entities: set[str], papers: set[str],
              heading: str, start: str) -> dict:
    positions = layout(view)
    relations = [{"source": s, "target": t, "kind": kind, "support": d["support"], "confidence": d["confidence"],
                  "evidence": [[e["paper"], e["start"], e["end"]] for e in d["evidence"] if f"paper/{e['paper']}" in papers]}
                 for s, t, kind, d in sorted(entity_relations(G), key=lambda r: r[:3]) if s in entities and t in entities]
    shown = view.number_of_nodes()
    return {
        "heading": heading,
        "start": start,
        "colours": TYPE_COLOURS,
        "types": ["Paper", *ENTITY_TYPES],
        "stats": graph_stats(G),
        "caption": f"{shown} of {G.number_of_nodes()} nodes shown: the best-connected entities and a few papers each",
        "low_confidence": LOW_CONFIDENCE,
        "entities": {node: entity_record(G, node, papers) for node in sorted(entities)},
        "papers": {node: paper_record(G, node, entities) for node in sorted(papers)},
        "relations": relations,
        "overview": {"nodes": [{"id": node, **({"x": positions[node][0], "y": positions[node][1]} if node in positions else {})}
                               for node in sorted(view.nodes)],
                     "edges": linked_pairs(view),
                     "physics": not positions},
    }


def linked_pairs(view: nx.MultiDiGraph) -> list[tuple[str, str, float]]:
    """Each linked (source, target) pair once, with the best confidence of the links between them."""
    best: dict[tuple[str, str], float] = {}
    for source, target, confidence in view.edges(data="confidence"):
        best[source, target] = max(best.get((source, target), 0.0), confidence)
    return sorted((source, target, round(confidence, 3)) for (source, target), confidence in best.items())


def page_contents(G: nx.MultiDiGraph, view: nx.MultiDiGraph) -> tuple[set[str], set[str]]:
    """The entities and papers whose views the page carries (all of them for graphs within the caps),
    and at least everything the overview `view` shows."""
    entities = sorted((n for n, d in G.nodes(data=True) if d["kind"] == "Entity"), key=lambda n: (-len(papers_of(G, n)), n))
    entities = set(entities[:MAX_PAGE_ENTITIES])
    weight = Counter(p for e in entities for p in papers_of(G, e))
    papers = {p for p, _ in sorted(weight.items(), key=lambda kv: (-kv[1], kv[0]))[:MAX_PAGE_PAPERS]}
    return entities | {n for n in view if G.nodes[n]["kind"] == "Entity"}, papers | {n for n in view if G.nodes[n]["kind"] == "Paper"}


def script_json(value) -> str:
    """JSON that is safe inside a <script> element: no "</script>", no HTML comment or entity tricks."""
    return (json.dumps(value, ensure_ascii=False, sort_keys=True)
            .replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
            .replace("\u2028", "\\u2028").replace("\u2029", "\\u2029"))


def render(data: dict) -> str:
    template = jinja2.Environment(autoescape=True).from_string(
        resources.files("kg").joinpath("templates/graph.html").read_text(encoding="utf-8"))
    return template.render(
        heading=data["heading"],
        legend=[(t, TYPE_COLOURS[t]) for t in data["types"]],
        vis_js=(VIS_DIR / "vis-network.min.js").read_text(encoding="utf-8").replace("</script", "<\\/script"),
        vis_css=(VIS_DIR / "vis-network.css").read_text(encoding="utf-8"),
        data_json=script_json(data),
    )


def generate_html(G: nx.MultiDiGraph, *, heading: str = "kg: knowledge graph", max_nodes: int = DEFAULT_MAX_NODES) -> str:
    """The whole site (index, overview, every entity and paper view within the caps) as one page."""
    view = overview_subgraph(G, max_nodes=max_nodes)
    entities, papers = page_contents(G, view)
    return render(page_data(G, view, entities=entities, papers=papers, heading=heading, start="#/"))


def neighbourhood_page(G: nx.MultiDiGraph, center: str, heading: str, start: str) -> str:
    """A page holding one node's view: the node, its papers or entities, and theirs one step on."""
    if G.nodes[center]["kind"] == "Paper":
        papers = {center}
    else:
        papers = set(papers_of(G, center))
    entities = {t for p in papers for _, t in G.out_edges(p) if G.nodes[t]["kind"] == "Entity"}
    if G.nodes[center]["kind"] == "Entity":
        entities |= {center} | {other for s, t, _, _ in entity_relations(G, center) for other in (s, t)}
    view = G.subgraph({center, *list(papers)[:25], *list(entities)[:50]})
    return render(page_data(G, view, entities=entities, papers=papers, heading=heading, start=start))


def entity_page(G: nx.MultiDiGraph, node: str) -> str:
    """One entity's view as a page of its own (node id as in the graph, e.g. "method/low-rank-adaptation")."""
    return neighbourhood_page(G, node, f"{G.nodes[node]['label']} ({G.nodes[node]['type']})", f"#/entity/{node}")


def paper_page(G: nx.MultiDiGraph, node: str) -> str:
    """One paper's view as a page of its own (node id "paper/<id>")."""
    return neighbourhood_page(G, node, G.nodes[node]["title"] or G.nodes[node]["id"], f"#/{node}")


def write_html(G: nx.MultiDiGraph, path: Path, **options) -> None:
    """Write the page (atomically); options as for `generate_html`."""
    text = generate_html(G, **options)
    atomic_write(path, lambda handle: handle.write(text))
