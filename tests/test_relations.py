"""Entity–entity relations: each rule on fixed sentences, and the API over a real build."""
from __future__ import annotations

import json

import pytest

import kg
from kg.relate import relate
from tests.test_results import entities_at


def relations_of(text: str, *named: tuple[str, str], sentences=None):
    relations, _ = relate(text, sentences or [(0, len(text))], entities_at(text, *named))
    names = [name for _, name in named]
    return sorted((r.kind, names[r.source], names[r.target]) for r in relations)


@pytest.mark.parametrize("text, named, expected", [
    ("We apply LoRA to summarization.", [("Method", "LoRA"), ("Task", "summarization")],
     [("appliedTo", "LoRA", "summarization")]),
    ("We study question answering with RAG.", [("Task", "question answering"), ("Method", "RAG")],
     [("appliedTo", "RAG", "question answering")]),
    ("SQuAD is a dataset for question answering.", [("Dataset", "SQuAD"), ("Task", "question answering")],
     [("datasetForTask", "SQuAD", "question answering")]),
    ("We report object detection results on COCO.", [("Task", "object detection"), ("Dataset", "COCO")],
     [("datasetForTask", "COCO", "object detection")]),
    ("We evaluate GPT-4 on GSM8K and MATH.", [("Model", "GPT-4"), ("Dataset", "GSM8K"), ("Dataset", "MATH")],
     [("evaluatedOn", "GPT-4", "GSM8K"), ("evaluatedOn", "GPT-4", "MATH")]),
    ("BERT, a Transformer encoder, works well.", [("Model", "BERT"), ("Method", "Transformer")],
     [("instanceOf", "BERT", "Transformer")]),
    ("Transformer models such as BERT work well.", [("Method", "Transformer"), ("Model", "BERT")],
     [("instanceOf", "BERT", "Transformer")]),
    ("GLUE, consisting of SST-2 and MNLI, is used.", [("Benchmark", "GLUE"), ("Dataset", "SST-2"), ("Dataset", "MNLI")],
     [("hasPart", "GLUE", "MNLI"), ("hasPart", "GLUE", "SST-2")]),
    ("We use SST-2 from GLUE.", [("Dataset", "SST-2"), ("Benchmark", "GLUE")], [("hasPart", "GLUE", "SST-2")]),
])
def test_each_relation_rule(text, named, expected):
    assert relations_of(text, *named) == expected


def test_no_relation_without_a_stated_link():
    # same sentence, but nothing between the names says how they relate
    assert relations_of("LoRA and summarization are both popular.", ("Method", "LoRA"), ("Task", "summarization")) == []
    # a clause break between them
    assert relations_of("We use LoRA, which is cheap; summarization is hard.",
                        ("Method", "LoRA"), ("Task", "summarization")) == []


def test_relations_stay_inside_one_sentence():
    text = "We propose LoRA. For summarization, results improve."
    assert relations_of(text, ("Method", "LoRA"), ("Task", "summarization"), sentences=[(0, 16), (17, len(text))]) == []
    assert relations_of(text, ("Method", "LoRA"), ("Task", "summarization")) != []  # as one sentence it would match


@pytest.fixture(scope="module")
def small_kg(tmp_path_factory):
    path = tmp_path_factory.mktemp("rel") / "papers.jsonl"
    rows = [
        {"id": "r1", "title": "Image classifiers",
         "abstract": "We fine-tune ResNet-50 for image classification. ResNet-50 achieves 78.1% top-1 accuracy on "
                     "ImageNet, improving accuracy by 1.2 points over ViT."},
        {"id": "r2", "title": "Reading comprehension",
         "abstract": "BERT, a Transformer encoder, is evaluated on SQuAD for question answering. "
                     "BERT reaches an F1 of 88.5 on SQuAD."},
        {"id": "r3", "title": "More reading",
         "abstract": "We evaluate BERT on SQuAD and find an F1 of 90.1."},
    ]
    path.write_text("".join(json.dumps(row) + "\n" for row in rows))
    return kg.build([path])


def test_related_gives_support_confidence_and_evidence_sentences(small_kg):
    rows = {(r["kind"], r["other"]["label"]): r for r in small_kg.related("BERT")}
    evaluated = rows["evaluatedOn", "SQuAD"]
    assert evaluated["support"] == 2 and evaluated["papers"] == ["r2", "r3"]
    assert 0 < evaluated["evidence"][0]["confidence"] < evaluated["confidence"] <= 1  # two papers: noisy-or
    assert evaluated["evidence"][0]["sentence"].startswith("BERT, a Transformer encoder")
    assert ("instanceOf", "Transformer") in rows
    assert [r["kind"] for r in small_kg.related("BERT", kind="instanceOf")] == ["instanceOf"]
    assert small_kg.related("Transformer", kind="instanceOf")[0]["direction"] == "in"


def test_results_filter_by_dataset_metric_and_subject(small_kg):
    squad = small_kg.results(dataset="SQuAD")
    assert sorted((r["paper"], str(r["value"]), r["metric"], r["subject"]) for r in squad) == [
        ("r2", "88.5", "F1", "BERT"), ("r3", "90.1", "F1", "BERT")]
    imagenet = small_kg.results(dataset="ImageNet", subject="ResNet-50")
    assert [(str(r["value"]), r["unit"], r["kind"], r["direction"]) for r in imagenet] == [
        ("78.1", "%", "absolute", "higher"), ("1.2", "points", "delta", "higher")]
    assert imagenet[0]["sentence"].startswith("ResNet-50 achieves 78.1%")
    assert small_kg.results(paper="r3")[0]["text"] == "90.1"


def test_relations_and_results_in_the_graph_stats(small_kg):
    stats = small_kg.stats()
    assert stats["results"] == 4
    assert stats["edges_by_relation"]["evaluatedOn"] >= 2


def test_a_plain_list_is_not_an_apposition():
    text = "We train ResNet-50, Transformer, and BERT."
    assert relations_of(text, ("Model", "ResNet-50"), ("Method", "Transformer"), ("Model", "BERT")) == []
