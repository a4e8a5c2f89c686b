"""HTML: the NetworkX graph in, one self-contained interactive page out (pyvis / vis-network).

The page works offline: vis-network's script and style (shipped inside pyvis) are inlined,
and a Content-Security-Policy forbids any request. Node labels are drawn on a canvas and
tooltips are plain text, so extracted strings never become markup; the heading is escaped by
Jinja and the embedded JSON escapes ``<``, ``>`` and ``&``.
"""
from __future__ import annotations

import json
from importlib import resources
from pathlib import Path

import jinja2
import networkx as nx
import pyvis
from pyvis.network import Network

from .graph import atomic_write, entity_relations, papers_of
from .model import ENTITY_TYPES

__all__ = ["TYPE_COLOURS", "DEFAULT_MAX_NODES", "write_html", "generate_html", "overview_subgraph"]

TYPE_COLOURS = {
    "Paper": "#b0b0b0", "Method": "#1f77b4", "Model": "#ff7f0e", "Dataset": "#2ca02c",
    "Benchmark": "#d62728", "Task": "#9467bd", "Metric": "#8c564b",
}
DEFAULT_MAX_NODES = 400  # above this a browser page draws slowly; the overview keeps the best-connected
PAPERS_PER_ENTITY = 5
TOOLTIP_PAPERS = 10
VIS_DIR = Path(pyvis.__file__).parent / "lib" / "vis-9.1.2"


def overview_subgraph(G: nx.MultiDiGraph, *, max_nodes: int = DEFAULT_MAX_NODES,
                      papers_per_entity: int = PAPERS_PER_ENTITY) -> nx.MultiDiGraph:
    """The most-mentioned entities with a few of their papers each, at most `max_nodes` nodes in all.

    Capping the papers shown per entity keeps a handful of hub entities ("large language models")
    from filling the view with their papers.
    """
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


def entity_tooltip(G: nx.MultiDiGraph, node: str) -> str:
    data = G.nodes[node]
    papers = papers_of(G, node)
    lines = [f"{data['label']} ({data['type']})"]
    if data.get("aliases"):
        lines.append("also: " + ", ".join(data["aliases"]))
    if data.get("pwc_url"):
        lines.append(f"Papers with Code: {data['pwc_url']}")
    lines.append(f"{len(papers)} paper(s):")
    lines += [f"- {G.nodes[p]['title'] or G.nodes[p]['abstract'][:80] + '...'}" for p in papers[:TOOLTIP_PAPERS]]
    if len(papers) > TOOLTIP_PAPERS:
        lines.append(f"... and {len(papers) - TOOLTIP_PAPERS} more")
    relations = sorted(entity_relations(G, node), key=lambda r: -r[3]["support"])
    for source, target, kind, edge in relations[:TOOLTIP_PAPERS]:
        lines.append(f"{G.nodes[source]['label']} {kind} {G.nodes[target]['label']} "
                     f"({edge['support']} paper(s), confidence {edge['confidence']:.2f})")
    return "\n".join(lines)


def paper_tooltip(G: nx.MultiDiGraph, node: str) -> str:
    data = G.nodes[node]
    lines = [data["title"] or "(untitled)", f"id: {data['id']}"]
    if data.get("date"):
        lines.append(f"date: {data['date']}")
    if data.get("arxiv"):
        lines.append(f"https://arxiv.org/abs/{data['arxiv']}")
    for _, entity, relation, edge in sorted(G.out_edges(node, keys=True, data=True)):
        first = edge["mentions"][0] if edge["mentions"] else None
        evidence = f' "{first["text"]}" at {first["start"]}-{first["end"]}' if first else ""
        lines.append(f"{relation}: {G.nodes[entity]['label']}{evidence} (confidence {edge['confidence']:.2f})")
    for result in data.get("results", []):
        parts = ", ".join(f"{part} {G.nodes[result[part]]['label']}" for part in ("metric", "dataset", "subject")
                          if result[part])
        lines.append(f"result: {result['text']} ({result['kind']}{'; ' + parts if parts else ''})")
    return "\n".join(lines)


def script_json(value) -> str:
    """JSON that is safe inside a <script> element."""
    return (json.dumps(value, ensure_ascii=False, sort_keys=True)
            .replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
            .replace("\u2028", "\\u2028").replace("\u2029", "\\u2029"))


def generate_html(G: nx.MultiDiGraph, *, heading: str = "kg: knowledge graph", max_nodes: int = DEFAULT_MAX_NODES) -> str:
    """Render the overview page of `G` as a string."""
    view = overview_subgraph(G, max_nodes=max_nodes)
    net = Network(directed=True, cdn_resources="in_line")
    for node, data in sorted(view.nodes(data=True)):
        if data["kind"] == "Paper":  # unlabelled dots; the tooltip carries the title
            net.add_node(node, label=" ", title=paper_tooltip(G, node), group="Paper", shape="dot", size=6,
                         search_label=data["title"] or data["id"])
        else:
            net.add_node(node, label=data["label"], title=entity_tooltip(G, node), group=data["type"],
                         shape="dot", size=10 + 2 * min(len(papers_of(G, node)), 20), aliases=data.get("aliases", []),
                         search_label=data["label"])
    for source, target, relation in sorted(view.edges(keys=True)):
        net.add_edge(source, target, title=relation, color="#cccccc", arrows="to")
    net.set_options(json.dumps({
        "physics": {"solver": "forceAtlas2Based", "stabilization": {"iterations": 150}},
        "interaction": {"hover": True, "tooltipDelay": 120},
        "nodes": {"font": {"size": 22, "strokeWidth": 3}, "scaling": {"label": {"drawThreshold": 3}}},
        "groups": {group: {"color": {"background": colour, "border": colour}} for group, colour in TYPE_COLOURS.items()},
    }))
    nodes, edges, _, _, _, options = net.get_network_data()
    template = jinja2.Environment(autoescape=True).from_string(
        resources.files("kg").joinpath("templates/graph.html").read_text(encoding="utf-8"))
    shown = view.number_of_nodes()
    caption = f"{shown} of {G.number_of_nodes()} nodes shown (the best-connected entities and their papers)"
    return template.render(
        heading=heading, caption=caption,
        legend=[(t, TYPE_COLOURS[t]) for t in ("Paper", *ENTITY_TYPES)],
        vis_js=(VIS_DIR / "vis-network.min.js").read_text(encoding="utf-8").replace("</script", "<\\/script"),
        vis_css=(VIS_DIR / "vis-network.css").read_text(encoding="utf-8"),
        nodes_json=script_json(nodes),
        edges_json=script_json(edges),
        options_json=script_json(json.loads(options)),
    )


def write_html(G: nx.MultiDiGraph, path: Path, **options) -> None:
    """Write the overview page (atomically); options as for `generate_html`."""
    text = generate_html(G, **options)
    atomic_write(path, lambda handle: handle.write(text))
