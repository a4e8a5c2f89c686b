"""Resolve: per-paper entities in, one node per real thing across papers out.

Spellings that normalise alike (case, hyphens, plural, leading article, spacing) meet in one
node, and so do a long form and the acronym a paper defines for it. A bare acronym ("LoRA"
with no long form in its paper) joins the node whose long form most papers pair with it,
preferring one of the same type; two long forms that share an acronym stay two nodes ("SAM":
Segment Anything Model, Sharpness-Aware Minimization). A node's type is the label most of its
mentions got, and the votes are kept on the node. Each form's reason for being on its node is a
row of the merge log (`Resolution.merges`).

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
from .model import ENTITY_TYPES, ExtractedEntity

__all__ = ["ResolvedEntity", "Merge", "Resolution", "resolve_entities", "is_acronym", "slugify"]


@dataclass
class ResolvedEntity:
    """One entity node: its id, voted type, canonical label, every form seen, the papers using it."""

    node_id: str
    label: str
    name: str
    aliases: list[str]
    papers: list[str] = field(default_factory=list)
    type_votes: dict[str, int] = field(default_factory=dict)  # mentions per label the extractor gave


@dataclass(frozen=True)
class Merge:
    """One row of the merge log: a surface form, the node it joined, the rule, the papers using it."""

    form: str
    node_id: str
    rule: str
    papers: list[str]


@dataclass
class Resolution:
    entities: dict[str, ResolvedEntity]
    node_ids: list[str]  # the node of each input item, in input order
    merges: list[Merge]


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
    parent: dict[str, str] = {}

    def find(key: str) -> str:
        while parent.setdefault(key, key) != key:
            parent[key] = parent[parent[key]]
            key = parent[key]
        return key

    def full_forms(entity: ExtractedEntity) -> list[str]:
        return [form for form in entity.forms if not is_acronym(form)]

    for _, entity in items:
        keys = [normalise_name(form) for form in full_forms(entity)]
        for key in keys[1:]:
            parent[find(key)] = find(keys[0])
    # Which groups each acronym is paired with, by the papers that pair them, and with which labels.
    acronym_votes: dict[str, Counter] = defaultdict(Counter)
    for paper, entity in items:
        forms = full_forms(entity)
        for form in entity.forms:
            if forms and is_acronym(form):
                acronym_votes[form][(find(normalise_name(forms[0])), entity.label)] += 1
    group_of: list[str] = []
    for _, entity in items:
        forms = full_forms(entity)
        if forms:
            group_of.append(find(normalise_name(forms[0])))
            continue
        votes = acronym_votes.get(entity.text)
        if not votes:
            group_of.append("acronym:" + entity.text)
            continue
        same_label = [(n, g) for (g, label), n in votes.items() if label == entity.label]
        candidates = same_label or [(n, g) for (g, _), n in votes.items()]
        group_of.append(sorted(candidates, key=lambda pair: (-pair[0], pair[1]))[0][1])
    members: dict[str, list[int]] = defaultdict(list)
    for index, group in enumerate(group_of):
        members[group].append(index)

    entities: dict[str, ResolvedEntity] = {}
    node_ids: list[str] = [""] * len(items)
    merges: list[Merge] = []
    # Most supported groups first, so a slug clash suffixes the rarer one, deterministically.
    ordered = sorted(members.items(), key=lambda kv: (-len({items[i][0] for i in kv[1]}), kv[0]))
    for group, indexes in ordered:
        votes = Counter()
        for i in indexes:
            votes[items[i][1].label] += len(items[i][1].mentions)
        label = sorted(votes.items(), key=lambda kv: (-kv[1], ENTITY_TYPES.index(kv[0])))[0][0]
        forms = Counter(form for i in indexes for form in items[i][1].forms)
        full = Counter({form: n for form, n in forms.items() if not is_acronym(form)})
        name = sorted((full or forms).items(), key=lambda kv: (-kv[1], kv[0]))[0][0]
        node_id = f"{label.lower()}/{slugify(name)}"
        suffix = 2
        while node_id in entities:
            node_id = f"{label.lower()}/{slugify(name)}-{suffix}"
            suffix += 1
        papers = sorted({items[i][0] for i in indexes})
        entities[node_id] = ResolvedEntity(node_id, label, name, sorted(set(forms) - {name}), papers,
                                           dict(sorted(votes.items())))
        for i in indexes:
            node_ids[i] = node_id
        merges += merge_log_rows(node_id, name, [items[i] for i in indexes])
    return Resolution(entities=entities, node_ids=node_ids, merges=merges)


def merge_log_rows(node_id: str, name: str, members: list[tuple[str, ExtractedEntity]]) -> list[Merge]:
    """Why each surface form of a node is there: one row per form, with the papers that use it."""
    papers_of: dict[str, set[str]] = defaultdict(set)
    paired: set[str] = set()
    for paper, entity in members:
        for form in entity.forms:
            papers_of[form].add(paper)
            if is_acronym(form) and len(entity.forms) > 1:
                paired.add(form)
    rows = []
    for form in sorted(papers_of):
        if form == name:
            rule = "canonical label (most frequent full form)"
        elif is_acronym(form):
            rule = "acronym defined next to the long form" if form in paired else "bare acronym: most supported sense"
        elif normalise_name(form) == normalise_name(name):
            rule = "spelling variant (case, hyphen, plural, article, spacing)"
        else:
            rule = "another long form used with the same acronym or spelling"
        rows.append(Merge(form, node_id, rule, sorted(papers_of[form])))
    return rows
