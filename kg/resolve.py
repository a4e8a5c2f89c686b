"""Resolve: per-paper entities in, one node per real thing across papers out.

Spellings that normalise alike (case, hyphens, plural, leading article, spacing) meet in one
node, and so do a long form and the acronym a paper defines for it. A bare acronym ("LoRA"
with no long form in its paper) joins the node whose long form most papers pair with it,
preferring one of the same type; two long forms that share an acronym stay two nodes ("SAM":
Segment Anything Model, Sharpness-Aware Minimization), unless they differ only by a slip
("Direct"/"Direction Preference Optimization"). A node's type is the label its mentions vote for, each
mention weighing its confidence (how likely its paper's entity is right, with that label), and the votes
are kept on the node. Each form's reason for being on its node is a row of the merge log
(`Resolution.merges`).

>>> from kg.model import ExtractedEntity, Mention
>>> m = (Mention(0, 4, "LoRA", 0.9, "ner"),)
>>> a = ExtractedEntity("Method", "Low-Rank Adaptation", ("LoRA",), m)
>>> b = ExtractedEntity("Method", "LoRA", (), m)
>>> resolution = resolve_entities([("p1", a), ("p2", b)])
>>> resolution.node_ids
['method/low-rank-adaptation', 'method/low-rank-adaptation']
"""
from __future__ import annotations

import csv
import re
import unicodedata
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from difflib import SequenceMatcher
from pathlib import Path
from typing import Iterable

from .errors import ResolveError
from .extract.pipeline import normalise_name
from .model import ENTITY_TYPES, ExtractedEntity

__all__ = ["ResolvedEntity", "Merge", "Overrides", "Resolution", "read_overrides", "resolve_entities", "is_acronym", "slugify"]


@dataclass
class ResolvedEntity:
    """One entity node: its id, voted type, canonical label, every form seen, the papers using it."""

    node_id: str
    label: str
    name: str
    aliases: list[str]
    papers: list[str] = field(default_factory=list)
    type_votes: dict[str, float] = field(default_factory=dict)  # per label the extractor gave: its mentions' confidences, summed


@dataclass(frozen=True)
class Merge:
    """One row of the merge log: a surface form, the node it joined, the rule, the papers using it."""

    form: str
    node_id: str
    rule: str
    papers: list[str]


@dataclass
class Overrides:
    """A user's corrections (``kg build --aliases FILE``): forms to merge into a name, forms to keep apart."""

    merge: dict[str, str] = field(default_factory=dict)  # normalised form -> normalised target name
    split: set[str] = field(default_factory=set)  # normalised forms that never join another name
    source: str = ""


def read_overrides(path: Path) -> Overrides:
    """Read a CSV of ``form,action,target`` rows: ``merge`` joins form to target, ``split`` keeps form apart.

    >>> import tempfile, pathlib
    >>> path = pathlib.Path(tempfile.mkdtemp()) / "aliases.csv"
    >>> _ = path.write_text("form,action,target\\nRLHF,merge,Reinforcement Learning from Human Feedback\\nSAM,split,\\n")
    >>> overrides = read_overrides(path)
    >>> overrides.merge, overrides.split
    ({'rlhf': 'reinforcementlearningfromhumanfeedback'}, {'sam'})
    """
    overrides = Overrides(source=str(path))
    try:
        handle = Path(path).open(encoding="utf-8", newline="")
    except OSError as error:
        raise ResolveError(f"cannot read aliases file {path}: {error.strerror or error}") from error
    with handle:
        reader = csv.DictReader(handle)
        if not {"form", "action"} <= set(reader.fieldnames or []):
            raise ResolveError(f"{path}:1: the header must name the columns form,action,target (got {reader.fieldnames})")
        for row in reader:
            form, action, target = (row.get("form") or "").strip(), (row.get("action") or "").strip().lower(), (row.get("target") or "").strip()
            if action == "merge" and form and target:
                overrides.merge[normalise_name(form)] = normalise_name(target)
            elif action == "split" and form:
                overrides.split.add(normalise_name(form))
            else:
                raise ResolveError(f"{path}:{reader.line_num}: expected 'FORM,merge,TARGET' or 'FORM,split,', "
                                   f"got {row.get('form')!r},{row.get('action')!r},{row.get('target')!r}")
    return overrides


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


def resolve_entities(items: Iterable[tuple[str, ExtractedEntity]], *, overrides: Overrides | None = None) -> Resolution:
    """Group (paper id, entity) pairs into nodes; see the module docstring for the rules.

    `overrides` (from `read_overrides`) win over every rule: a ``merge`` row joins its form to
    the target name's node, a ``split`` row gives the form a node of its own.
    """
    items = list(items)
    overrides = overrides or Overrides()
    parent: dict[str, str] = {}

    def find(key: str) -> str:
        while parent.setdefault(key, key) != key:
            parent[key] = parent[parent[key]]
            key = parent[key]
        return key

    def full_forms(entity: ExtractedEntity) -> list[str]:
        return [form for form in entity.forms if not is_acronym(form)]

    def group_key(form: str) -> str:
        key = normalise_name(form)
        if key in overrides.split:
            return "split:" + key
        return overrides.merge.get(key, key)

    for _, entity in items:
        keys = [group_key(form) for form in full_forms(entity)]
        for key in keys[1:]:
            if not (key.startswith("split:") or keys[0].startswith("split:")):
                parent[find(key)] = find(keys[0])
    merge_near_identical_senses(items, find, parent, full_forms, group_key)
    # Which groups each acronym is paired with, by the papers that pair them, and with which labels.
    acronym_votes: dict[str, Counter] = defaultdict(Counter)
    for _, entity in items:
        forms = full_forms(entity)
        for form in entity.forms:
            if forms and is_acronym(form):
                acronym_votes[normalise_name(form)][(find(group_key(forms[0])), entity.label)] += 1
    labels_of_group: dict[str, set[str]] = defaultdict(set)
    for _, entity in items:
        if full_forms(entity):
            labels_of_group[find(group_key(full_forms(entity)[0]))].add(entity.label)
    group_of: list[str] = []
    for _, entity in items:
        forms = full_forms(entity)
        if forms:
            group_of.append(find(group_key(forms[0])))
            continue
        if normalise_name(entity.text) in overrides.merge or normalise_name(entity.text) in overrides.split:
            group_of.append(find(group_key(entity.text)))
            continue
        votes = acronym_votes.get(normalise_name(entity.text))
        if not votes:  # a name never spelt out meets its other spellings ("GSM8K", "GSM8k"), and a
            # full-form group of its own type ("LLaMA" the Model joins "Llama" the Model, "MATH"
            # the Dataset does not join "math" the Task)
            same_spelling = find(group_key(entity.text))
            same_type = entity.label in labels_of_group.get(same_spelling, ())
            group_of.append(same_spelling if same_type else "acronym:" + normalise_name(entity.text))
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
    for _, indexes in ordered:
        # Weighed by confidence, the votes keep more papers' entities at their own right type than one vote
        # per mention (bench/resolution.py --typing: strict typed F1 of the graph's view of gold papers).
        votes = Counter()
        for i in indexes:
            votes[items[i][1].label] += sum(mention.confidence for mention in items[i][1].mentions)
        votes = Counter({label: round(weight, 3) for label, weight in votes.items()})
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
        merges += merge_log_rows(node_id, name, [items[i] for i in indexes], overrides)
    return Resolution(entities=entities, node_ids=node_ids, merges=merges)


SAME_SENSE_SIMILARITY = 0.85


def merge_near_identical_senses(items, find, parent, full_forms, group_key) -> None:
    """Long forms of one acronym that differ only by a small slip are one sense.

    "Direct Preference Optimization" and "Direction Preference Optimization" (DPO) join; "Segment
    Anything Model" and "Sharpness-Aware Minimization" (SAM) stay apart.
    """
    senses: dict[str, set[str]] = defaultdict(set)
    for _, entity in items:
        forms = full_forms(entity)
        for form in entity.forms:
            if forms and is_acronym(form):
                senses[form].add(find(group_key(forms[0])))
    for groups in senses.values():
        ordered = sorted(group for group in groups if not group.startswith("split:"))
        for i, first in enumerate(ordered):
            for second in ordered[i + 1:]:
                if find(first) != find(second) and SequenceMatcher(None, first, second).ratio() >= SAME_SENSE_SIMILARITY:
                    parent[find(second)] = find(first)


def merge_log_rows(node_id: str, name: str, members: list[tuple[str, ExtractedEntity]], overrides: Overrides) -> list[Merge]:
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
        if normalise_name(form) in overrides.merge or normalise_name(form) in overrides.split:
            rule = f"user override ({overrides.source})"
        elif form == name:
            rule = "canonical label (most frequent full form)"
        elif is_acronym(form):
            rule = "acronym defined next to the long form" if form in paired else "bare acronym: most supported sense"
        elif normalise_name(form) == normalise_name(name):
            rule = "spelling variant (case, hyphen, plural, article, spacing)"
        else:
            rule = "another long form used with the same acronym or spelling"
        rows.append(Merge(form, node_id, rule, sorted(papers_of[form])))
    return rows
