"""Numeric result extraction, scored against hand-checked sentences from the bundled seeds.

``tests/data/results_sample.jsonl`` holds 98 sentences (60 of them report results, 116 values in
all), each annotated by reading it: value, absolute or delta, unit, and the metric, dataset and
subject the sentence names (null where it names none, "*" where the sentence is ambiguous and the
part is not scored). "ambiguous" lists values that are neither required nor counted as wrong.
Scope: scores given as a percentage, in points, or beside a named metric; ranges ("20-40%"),
factors ("5x") and shares ("10% of the data") are not results.

``python bench/results.py`` prints the full report.
"""
from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path

import pytest

from kg.api import default_inputs
from kg.extract import Extractor
from kg.extract.pipeline import normalise_name
from kg.ingest import read_papers
from kg.relate import metric_direction, relate

SAMPLE = Path(__file__).parent / "data" / "results_sample.jsonl"
PARTS = ("metric", "dataset", "subject")


def part_matches(gold: str | None, forms: list[str] | None) -> bool:
    """A predicted entity matches the annotated text when one normalised form contains the other."""
    if gold is None or not forms:
        return gold is None and not forms
    key = normalise_name(gold)
    return any(key in normalise_name(form) or normalise_name(form) in key for form in forms)


def score_sample(extractor: Extractor) -> dict:
    """Run `extractor` on the sample's papers and score its results sentence by sentence."""
    rows = [json.loads(line) for line in SAMPLE.read_text(encoding="utf-8").splitlines()]
    wanted = {row["paper"] for row in rows}
    papers, _ = read_papers(default_inputs())
    extractions = {ex.paper.id: ex for ex in extractor.extract([p for p in papers if p.id in wanted])}
    counts = {"gold": 0, "predicted": 0, "matched": 0, "kind": 0, "unit": 0, "unit_scored": 0}
    counts |= {f"{part}_{what}": 0 for part in PARTS for what in ("right", "scored")}
    misses = []
    for row in rows:
        extraction = extractions[row["paper"]]
        start = extraction.paper.text.index(row["sentence"])
        end = start + len(row["sentence"])
        predicted = [r for r in extraction.results if start <= r.start < end]
        predicted = [r for r in predicted if r.value not in row["ambiguous"]]
        unmatched = list(row["results"])
        counts["gold"] += len(unmatched)
        counts["predicted"] += len(predicted)
        for result in predicted:
            gold = next((g for g in unmatched if Decimal(g["value"]) == Decimal(result.value)), None)
            if gold is None:
                misses.append(("spurious", result.text, row["sentence"]))
                continue
            unmatched.remove(gold)
            counts["matched"] += 1
            counts["kind"] += gold["kind"] == result.kind
            if gold["unit"] != "*":
                counts["unit_scored"] += 1
                counts["unit"] += gold["unit"] == result.unit
            for part in PARTS:
                if gold[part] == "*":
                    continue
                index = getattr(result, part)
                forms = None if index is None else list(extraction.entities[index].forms)
                counts[f"{part}_scored"] += 1
                counts[f"{part}_right"] += part_matches(gold[part], forms)
        misses += [("missed", g["value"], row["sentence"]) for g in unmatched]
    counts["precision"] = counts["matched"] / max(counts["predicted"], 1)
    counts["recall"] = counts["matched"] / max(counts["gold"], 1)
    counts["misses"] = misses
    return counts


@pytest.fixture(scope="module")
def sample_scores():
    return score_sample(Extractor())


def test_results_sample_precision_and_recall(sample_scores):
    assert sample_scores["gold"] == 116
    assert sample_scores["precision"] >= 0.85, sample_scores["misses"]
    assert sample_scores["recall"] >= 0.70, sample_scores["misses"]


def test_results_sample_kind_and_unit(sample_scores):
    assert sample_scores["kind"] / sample_scores["matched"] >= 0.85
    assert sample_scores["unit"] / sample_scores["unit_scored"] >= 0.9


def test_results_sample_parts(sample_scores):
    for part in PARTS:
        assert sample_scores[f"{part}_right"] / sample_scores[f"{part}_scored"] >= 0.6, part


def entities_at(text: str, *named: tuple[str, str]) -> list[tuple[str, list[tuple[int, int]]]]:
    """(type, spans) per (type, name), with every occurrence of the name in `text`."""
    spans = []
    for label, name in named:
        starts = [i for i in range(len(text)) if text.startswith(name, i)]
        spans.append((label, [(s, s + len(name)) for s in starts]))
    return spans


def results_of(text: str, *named: tuple[str, str]):
    entities = entities_at(text, *named)
    _, results = relate(text, [(0, len(text))], entities)
    names = [name for _, name in named]
    return [(r.value, r.unit, r.kind, *(None if i is None else names[i] for i in (r.metric, r.dataset, r.subject)))
            for r in results]


def test_absolute_score_with_metric_and_dataset():
    text = "XNet achieves 85.2% top-1 accuracy on ImageNet."
    assert results_of(text, ("Model", "XNet"), ("Metric", "top-1 accuracy"), ("Dataset", "ImageNet")) == [
        ("85.2", "%", "absolute", "top-1 accuracy", "ImageNet", "XNet")]


def test_delta_in_points_and_the_compared_model_is_not_the_subject():
    text = "Our YNet improves BLEU by 2.1 points on WMT14 over the Transformer."
    assert results_of(text, ("Model", "YNet"), ("Metric", "BLEU"), ("Dataset", "WMT14"), ("Model", "Transformer")) == [
        ("2.1", "points", "delta", "BLEU", "WMT14", "YNet")]
    text = "ZNet outperforms BERT by 3.4% accuracy."
    assert results_of(text, ("Model", "ZNet"), ("Model", "BERT"), ("Metric", "accuracy")) == [
        ("3.4", "%", "delta", "accuracy", None, "ZNet")]


def test_metric_before_value_and_no_invented_parts():
    text = "We reach a BLEU of 28.4."
    assert results_of(text, ("Metric", "BLEU")) == [("28.4", None, "absolute", "BLEU", None, None)]


def test_numbers_that_are_not_results():
    text = ("We train ResNet-50 with 7B parameters on 10% of the labels in 2021, using 3 GPUs, "
            "and it is 30% faster.")
    assert results_of(text, ("Model", "ResNet-50")) == []


def test_listed_values_share_unit_metric_and_kind():
    text = "We observe 0.8 and 0.7 BLEU gain, and improve recall by 10% and 5%."
    assert results_of(text, ("Metric", "BLEU"), ("Metric", "recall")) == [
        ("0.8", None, "delta", "BLEU", None, None), ("0.7", None, "delta", "BLEU", None, None),
        ("10", "%", "delta", "recall", None, None), ("5", "%", "delta", "recall", None, None)]


def test_respectively_pairs_values_with_datasets():
    text = "AdaX scores 81.0% and 77.5% accuracy on CIFAR-100 and ImageNet, respectively."
    got = results_of(text, ("Model", "AdaX"), ("Metric", "accuracy"), ("Dataset", "CIFAR-100"), ("Dataset", "ImageNet"))
    assert [(value, dataset) for value, _, _, _, dataset, _ in got] == [("81.0", "CIFAR-100"), ("77.5", "ImageNet")]


def test_negative_values_are_decimals():
    text = "QNet changes perplexity by -0.4."
    assert results_of(text, ("Method", "QNet"), ("Metric", "perplexity")) == [
        ("-0.4", None, "delta", "perplexity", None, "QNet")]


@pytest.mark.parametrize("metric, direction", [
    ("accuracy", "higher"), ("BLEU", "higher"), ("mAP", "higher"), ("F1 score", "higher"), ("ROUGE-L", "higher"),
    ("word error rate", "lower"), ("perplexity", "lower"), ("FID", "lower"), ("validation loss", "lower"),
    ("novelty", None)])
def test_metric_direction(metric, direction):
    assert metric_direction(metric) == direction


def test_respectively_with_values_and_their_gains():
    text = "XNet reaches 81.8% (+5.9%) and 34.7% (+5.8%) accuracy on GSM8K and MATH, respectively."
    got = results_of(text, ("Model", "XNet"), ("Metric", "accuracy"), ("Dataset", "GSM8K"), ("Dataset", "MATH"))
    assert [(value, kind, dataset) for value, _, kind, _, dataset, _ in got] == [
        ("81.8", "absolute", "GSM8K"), ("5.9", "delta", "GSM8K"), ("34.7", "absolute", "MATH"), ("5.8", "delta", "MATH")]
