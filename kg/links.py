"""Links: resolved entity nodes in, identifiers of the same thing in Papers with Code out.

A node links when its canonical label or one of its full-form aliases (acronyms alone are too
ambiguous) normalises like a Papers with Code method or task name of a compatible type. Method
and Model nodes link to PwC methods (the June 2022 dump, which mixes the two), Task nodes to PwC
tasks. Each link keeps its source. Papers with Code closed in 2025; the URLs are its archived
addresses, and the task slugs are derived from the task names as PwC derived them.

>>> links = pwc_links([("method/adam", "Method", ["Adam"]), ("task/semantic-segmentation", "Task", ["semantic segmentation"])])
>>> [link["pwc_url"] for link in links.values()]
['https://paperswithcode.com/method/adam', 'https://paperswithcode.com/task/semantic-segmentation']
"""
from __future__ import annotations

from functools import lru_cache
from typing import Iterable

from .extract.components import load_gazetteer_rows
from .extract.pipeline import normalise_name
from .resolve import is_acronym

__all__ = ["pwc_links", "LINK_SOURCES"]

LINK_SOURCES = {
    "pwc-methods-2022-06": "Papers with Code methods dump, June 2022 (CC BY-SA 4.0)",
    "pwc-world-snapshot-2025-07": "Papers with Code task list, final dump July 2025 (CC BY-SA 4.0)",
}
PWC_KIND = {"Method": "method", "Model": "method", "Task": "task"}
GAZETTEER_LABELS_FOR = {"Method": ("Method", "Model"), "Model": ("Model", "Method"), "Task": ("Task",)}


@lru_cache(maxsize=1)
def pwc_index() -> dict[tuple[str, str], tuple[str, str]]:
    """(gazetteer label, normalised name) -> (PwC slug, origin), for rows that carry a slug."""
    return {(row["label"], normalise_name(row["name"])): (row["pwc_slug"], row["origin"])
            for row in load_gazetteer_rows() if row["pwc_slug"]}


def pwc_links(nodes: Iterable[tuple[str, str, list[str]]]) -> dict[str, dict]:
    """Map node id -> {pwc_id, pwc_url, link_source} for (node id, type, names) that match PwC."""
    index = pwc_index()
    links = {}
    for node_id, node_type, names in nodes:
        for name in (n for n in names if not is_acronym(n)):
            match = next((index[(label, normalise_name(name))] for label in GAZETTEER_LABELS_FOR.get(node_type, ())
                          if (label, normalise_name(name)) in index), None)
            if match:
                slug, origin = match
                links[node_id] = {"pwc_id": f"{PWC_KIND[node_type]}/{slug}",
                                  "pwc_url": f"https://paperswithcode.com/{PWC_KIND[node_type]}/{slug}",
                                  "link_source": LINK_SOURCES[origin]}
                break
    return links
