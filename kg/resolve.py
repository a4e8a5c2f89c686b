"""Resolve: per-paper entities in, one node per real thing across papers out.

Spellings that normalise alike (case, hyphens, plural, leading article, spacing) meet in one
node, and so do a long form and the acronym a paper defines for it. A bare acronym ("LoRA"
with no long form in its paper) joins the node whose long form most papers pair with it;
two long forms that share an acronym stay two nodes. Types stay apart: a Method and a Model
called alike are two nodes.

>>> from kg.model import ExtractedEntity, Mention
>>> m = (Mention(0, 4, "LoRA", 0.9, "ner"),)
>>> a = ExtractedEntity("Method", "Low-Rank Adaptation", ("LoRA",), m)
>>> b = ExtractedEntity("Method", "LoRA", (), m)
>>> resolution = resolve_entities([("p1", a), ("p2", b)])
>>> resolution.node_ids
['method/low-rank-adaptation', 'method/low-rank-adaptation']
"""
from __future__ import annotations

import re
import unicodedata
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from typing import Iterable

from .extract.pipeline import normalise_name
from .model import ExtractedEntity

__all__ = ["ResolvedEntity", "Resolution", "resolve_entities", "is_acronym", "slugify"]


@dataclass
class ResolvedEntity:
    """One entity node: its id, type, canonical label, every form seen, and the papers using it."""

    node_id: str
    label: str
    name: str
    aliases: list[str]
    papers: list[str] = field(default_factory=list)


@dataclass
class Resolution:
    entities: dict[str, ResolvedEntity]
    node_ids: list[str]  # the node of each input item, in input order


def is_acronym(form: str) -> bool:
    """Short forms such as "LoRA", "RLHF", "GPT-4" (mostly capitals, no space).

    >>> is_acronym("LoRA"), is_acronym("Low-Rank Adaptation")
    (True, False)
    """
    letters = [ch for ch in form if ch.isalpha()]
    return " " not in form and len(form) <= 12 and bool(letters) and sum(ch.isupper() for ch in letters) >= max(2, len(letters) / 2)


def slugify(text: str) -> str:
    """ASCII slug for IRIs and node ids: "Low-Rank Adaptation (LoRA)" -> "low-rank-adaptation-lora"."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-") or "x"


def resolve_entities(items: Iterable[tuple[str, ExtractedEntity]]) -> Resolution:
    """Group (paper id, entity) pairs into nodes; see the module docstring for the rules."""
    items = list(items)
    parent: dict[tuple[str, str], tuple[str, str]] = {}

    def find(key):
        while parent.setdefault(key, key) != key:
            parent[key] = parent[parent[key]]
            key = parent[key]
        return key

    def union(a, b):
        parent[find(a)] = find(b)

    bare_acronyms: list[int] = []
    for index, (_, entity) in enumerate(items):
        full_forms = [form for form in entity.forms if not is_acronym(form)]
        if not full_forms:
            bare_acronyms.append(index)
            continue
        keys = [(entity.label, normalise_name(form)) for form in full_forms]
        for key in keys[1:]:
            union(keys[0], key)
    # Which group each (label, acronym) points to, weighted by the papers that pair them.
    acronym_votes: dict[tuple[str, str], Counter] = defaultdict(Counter)
    for index, (paper, entity) in enumerate(items):
        if index in bare_acronyms:
            continue
        group = find((entity.label, normalise_name(next(f for f in entity.forms if not is_acronym(f)))))
        for form in entity.forms:
            if is_acronym(form):
                acronym_votes[(entity.label, form)][group] += 1
    group_of: list[tuple[str, str]] = []
    for index, (_, entity) in enumerate(items):
        if index in bare_acronyms:
            votes = acronym_votes.get((entity.label, entity.text))
            group_of.append(votes.most_common(1)[0][0] if votes else find((entity.label, "acronym:" + entity.text)))
        else:
            group_of.append(find((entity.label, normalise_name(next(f for f in entity.forms if not is_acronym(f))))))
    members: dict[tuple[str, str], list[int]] = defaultdict(list)
    for index, group in enumerate(group_of):
        members[group].append(index)

    entities: dict[str, ResolvedEntity] = {}
    node_ids: list[str] = [""] * len(items)
    # Most supported groups first, so a slug clash suffixes the rarer one, deterministically.
    ordered = sorted(members.items(), key=lambda kv: (-len({items[i][0] for i in kv[1]}), kv[0]))
    for (label, _), indexes in ordered:
        forms = Counter(form for i in indexes for form in items[i][1].forms)
        full = Counter({form: n for form, n in forms.items() if not is_acronym(form)})
        name = sorted((full or forms).items(), key=lambda kv: (-kv[1], kv[0]))[0][0]
        node_id = f"{label.lower()}/{slugify(name)}"
        suffix = 2
        while node_id in entities:
            node_id = f"{label.lower()}/{slugify(name)}-{suffix}"
            suffix += 1
        papers = sorted({items[i][0] for i in indexes})
        entities[node_id] = ResolvedEntity(node_id, label, name, sorted(set(forms) - {name}), papers)
        for i in indexes:
            node_ids[i] = node_id
    return Resolution(entities=entities, node_ids=node_ids)
