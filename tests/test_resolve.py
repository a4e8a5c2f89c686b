"""Resolve: one node per real thing across papers, with type votes and a merge log."""
from __future__ import annotations

import csv

from kg.graph import build_graph, write_merge_log
from kg.model import ExtractedEntity, Mention, Paper, PaperExtraction
from kg.resolve import resolve_entities


def entity(label, text, *aliases, mentions=1, confidence=0.7):
    return ExtractedEntity(label, text, aliases, tuple(Mention(0, 1, text, confidence, "ner") for _ in range(mentions)))


def test_spelling_variants_merge():
    items = [("p1", entity("Method", "Low-Rank Adaptation")), ("p2", entity("Method", "low rank adaptations")),
             ("p3", entity("Method", "the Low-rank adaptation"))]
    assert len(set(resolve_entities(items).node_ids)) == 1


def test_one_acronym_with_two_long_forms_gives_two_nodes_and_bare_mentions_follow_support():
    items = [
        ("p1", entity("Model", "Segment Anything Model", "SAM")),
        ("p2", entity("Model", "Segment Anything Model", "SAM")),
        ("p3", entity("Method", "Sharpness-Aware Minimization", "SAM")),
        ("p4", entity("Model", "SAM")),   # bare, typed Model: the segmentation model
        ("p5", entity("Method", "SAM")),  # bare, typed Method: the optimiser
    ]
    nodes = resolve_entities(items).node_ids
    assert nodes[0] == nodes[1] == nodes[3] == "model/segment-anything-model"
    assert nodes[2] == nodes[4] == "method/sharpness-aware-minimization"


def test_long_forms_of_one_acronym_that_differ_by_a_slip_are_one_sense():
    items = [("p1", entity("Method", "Direct Preference Optimization", "DPO")),
             ("p2", entity("Method", "Direction Preference Optimization", "DPO")),
             ("p3", entity("Method", "directed preference optimization", "DPO")),
             ("p4", entity("Method", "contrastive learning", "CL")), ("p5", entity("Task", "continual learning", "CL")),
             ("p6", entity("Method", "Reinforcement Learning from Human Feedback", "RLHF")),
             ("p7", entity("Method", "Reinforcement Learning with Human Feedback", "RLHF")),
             ("p8", entity("Method", "Proximal Policy Optimization", "PPO")),
             ("p9", entity("Method", "Preference Policy Optimization", "PPO"))]
    nodes = resolve_entities(items).node_ids
    assert nodes[0] == nodes[1] == nodes[2] == "method/direct-preference-optimization"
    assert nodes[3] != nodes[4] and nodes[5] == nodes[6] and nodes[7] != nodes[8]


def test_names_never_spelt_out_still_merge_their_spellings():
    items = [("p1", entity("Dataset", "GSM8K")), ("p2", entity("Dataset", "GSM8k")), ("p3", entity("Model", "GPT-4")),
             ("p4", entity("Model", "GPT4")), ("p5", entity("Model", "LLaMA")), ("p6", entity("Model", "Llama")),
             ("p7", entity("Dataset", "MATH")), ("p8", entity("Task", "math"))]
    nodes = resolve_entities(items).node_ids
    assert nodes[0] == nodes[1] and nodes[2] == nodes[3] and nodes[4] == nodes[5]
    assert nodes[6] != nodes[7]  # the MATH dataset is not the word "math"
    assert len(set(nodes)) == 5


def test_type_is_voted_over_mentions_and_recorded():
    items = [("p1", entity("Method", "reinforcement learning", mentions=3)),
             ("p2", entity("Task", "Reinforcement Learning", mentions=1))]
    resolution = resolve_entities(items)
    assert set(resolution.node_ids) == {"method/reinforcement-learning"}
    assert resolution.entities["method/reinforcement-learning"].type_votes == {"Method": 2.1, "Task": 0.7}


def test_each_mention_votes_with_its_confidence():
    """Two mentions in a paper whose entity is unlikely to be right weigh less than one that is likely right."""
    items = [("p1", entity("Method", "MS MARCO", mentions=2, confidence=0.3)),
             ("p2", entity("Dataset", "MS MARCO", mentions=1, confidence=0.9))]
    resolution = resolve_entities(items)
    assert set(resolution.node_ids) == {"dataset/ms-marco"}
    assert resolution.entities["dataset/ms-marco"].type_votes == {"Dataset": 0.9, "Method": 0.6}


def test_the_canonical_label_is_the_most_frequent_full_form():
    items = [("p1", entity("Method", "LoRA")), ("p2", entity("Method", "Low-Rank Adaptation", "LoRA")),
             ("p3", entity("Method", "low-rank adaptation", "LoRA")), ("p4", entity("Method", "Low-Rank Adaptation"))]
    resolution = resolve_entities(items)
    (node,) = resolution.entities.values()
    assert node.name == "Low-Rank Adaptation" and set(node.aliases) == {"LoRA", "low-rank adaptation"}


def test_merge_log_explains_every_form(tmp_path):
    extractions = [
        PaperExtraction(Paper("p1", "", "a"), (entity("Method", "Low-Rank Adaptation", "LoRA"),)),
        PaperExtraction(Paper("p2", "", "b"), (entity("Method", "LoRA"),)),
        PaperExtraction(Paper("p3", "", "c"), (entity("Method", "low-rank adaptations"),)),
    ]
    G = build_graph(extractions)
    write_merge_log(G, tmp_path / "merges.csv")
    rows = list(csv.DictReader((tmp_path / "merges.csv").open()))
    assert [(r["form"], r["rule"], r["papers"]) for r in rows] == [
        ("LoRA", "acronym defined next to the long form", "p1 p2"),
        ("Low-Rank Adaptation", "canonical label (most frequent full form)", "p1"),
        ("low-rank adaptations", "spelling variant (case, hyphen, plural, article, spacing)", "p3"),
    ]
    assert {r["node"] for r in rows} == {"method/low-rank-adaptation"}


def test_overrides_force_and_forbid_merges():
    from kg.resolve import Overrides
    items = [("p1", entity("Method", "RLHF")), ("p2", entity("Method", "Reinforcement Learning from Human Feedback")),
             ("p3", entity("Model", "Segment Anything Model", "SAM")), ("p4", entity("Model", "SAM"))]
    plain = resolve_entities(items).node_ids
    assert plain[0] != plain[1] and plain[2] == plain[3]
    overrides = Overrides(merge={"rlhf": "reinforcementlearningfromhumanfeedback"}, split={"sam"}, source="a.csv")
    resolution = resolve_entities(items, overrides=overrides)
    nodes = resolution.node_ids
    assert nodes[0] == nodes[1] and nodes[2] != nodes[3]
    assert {m.rule for m in resolution.merges if m.form in ("RLHF", "SAM")} == {"user override (a.csv)"}
