"""Relate: one paper's text, sentences and entities in; entity–entity relations and numeric results out.

Everything here works inside one sentence and reads the words *between* two mentions, so a
relation is stated, not guessed from two names sharing an abstract. Each rule is a short
surface pattern (the pipeline has no dependency parser; these patterns are its stand-in):

=============== ================================ ==============================================
relation        source -> target                 stated as (gap = words between the mentions)
=============== ================================ ==============================================
appliedTo       Method/Model -> Task             "M for/to/in T", "T with/using/via/by M", "T model M"
datasetForTask  Dataset/Benchmark -> Task        "D for T", "T dataset/benchmark D", "T on/in D"
evaluatedOn     Model/Method -> Dataset/Bench.   "M on/across/over D", "evaluate M on D", "M achieves … on D"
instanceOf      Model -> Method                  "Model, a/an/the [adjectives] Method", "Model (a Method",
                                                 "Model is a Method",
                                                 "Method models such as/like/including Model"
hasPart         Benchmark -> Dataset             "B, consisting of/including/such as D", "D from/of/in B"
=============== ================================ ==============================================

A matched target followed by a list ("for A, B and C") gives a relation to each item. The gap
must be short (at most `MAX_GAP_WORDS` words) and hold no clause break (";", ":", "which",
"while", "but", "whereas"). A relation's confidence is the lower of its two mentions'
confidences times the rule's weight (`RULE_WEIGHT`).

A numeric result is a number in a sentence that reads as a score: with "%", "points" or "pp",
or next to a Metric mention ("BLEU of 28.4", "85.2 F1"). Numbers inside names ("ResNet-50"),
years, counts and sizes ("7B parameters", "10% of the labels") are not results. Its parts:
the metric next to it (or else the one nearest it in the sentence), the dataset or benchmark
the sentence names (the one after "on/in/across" nearest the number first), the model or method
before the number that is not a comparison target ("outperforms X", "than X"), whether the value
is a change ("by 2.1 points", "+3.4", "improves") or an absolute score, and the metric's
direction for common metrics. A part the sentence does not state stays empty.

>>> text = "Our model XNet achieves 85.2% top-1 accuracy on ImageNet."
>>> entities = [("Model", [(10, 14)]), ("Metric", [(30, 44)]), ("Dataset", [(48, 56)])]
>>> relations, results = relate(text, [(0, len(text))], entities)
>>> [(r.kind, r.source, r.target) for r in relations]
[('evaluatedOn', 0, 2)]
>>> r = results[0]
>>> (r.value, r.unit, r.kind, r.subject, r.metric, r.dataset, r.text)
('85.2', '%', 'absolute', 0, 1, 2, '85.2%')
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal
from typing import Sequence

__all__ = ["Relation", "Result", "relate", "metric_direction", "RELATION_KINDS", "RELATION_DOMAINS"]

# kind -> (source types, target types)
RELATION_DOMAINS: dict[str, tuple[frozenset[str], frozenset[str]]] = {
    "appliedTo": (frozenset({"Method", "Model"}), frozenset({"Task"})),
    "datasetForTask": (frozenset({"Dataset", "Benchmark"}), frozenset({"Task"})),
    "evaluatedOn": (frozenset({"Model", "Method"}), frozenset({"Dataset", "Benchmark"})),
    "instanceOf": (frozenset({"Model"}), frozenset({"Method"})),
    "hasPart": (frozenset({"Benchmark"}), frozenset({"Dataset"})),
}
RELATION_KINDS = tuple(RELATION_DOMAINS)
MAX_GAP_WORDS = 8
RULE_WEIGHT = {"forward": 0.9, "backward": 0.8, "list": 0.8}
CLAUSE_BREAK = re.compile(r"[;:]|\b(which|while|but|whereas|although|however|then)\b", re.I)

# For each relation: (cue the gap must hold when source comes first, cue when target comes first).
# A cue is matched against the whole gap, lowercased.
GAP_CUES: dict[str, tuple[re.Pattern, re.Pattern | None]] = {
    "appliedTo": (re.compile(r"^\W*(?:\w+\W+){0,4}?(for|to|in|towards?)\W+(?:\w+\W+){0,2}$"),
                  re.compile(r"^\W*(?:\w+\W+){0,2}?(with|using|via|by|based on|through|model|models|method|methods)\W+(?:\w+\W+){0,2}$")),
    "datasetForTask": (re.compile(r"^\W*(?:\w+\W+){0,3}?(for|of)\W+(?:\w+\W+){0,2}$"),
                       re.compile(r"^\W*(?:\w+\W+){0,2}?(datasets?|benchmarks?|corpus|corpora|on|in|from)\W+(?:\w+\W+){0,2}$")),
    "evaluatedOn": (re.compile(r"^\W*(?:[\w.%+-]+\W+){0,8}?(on|across|over|using)\W+(?:\w+\W+){0,3}$"), None),
    "instanceOf": (re.compile(r"^\s*(?:\(\s*(?:an?\s+)?|(?:,|\bis|\bare)\s+(?:an?|the)\s+)(?:[\w-]+\s+){0,3}$"),
                   re.compile(r"^\W*(?:[\w-]+\W+){0,2}?(such as|like|including|e\.g\.)\W*$")),
    "hasPart": (re.compile(r"^\W*(?:\w+\W+){0,2}?(consisting of|consists of|comprising|comprises|includ\w*|contain\w*|such as|namely|e\.g\.)\W+(?:\w+\W+){0,1}$"),
                re.compile(r"^\W*(?:\w+\W+){0,1}?(from|of|in)\W+(?:the\W+)?$")),
}
LIST_GAP = re.compile(r"^\s*(,|,?\s*and|,?\s*or|,?\s*as well as|/)\s*$", re.I)


@dataclass(frozen=True)
class Relation:
    """A relation one sentence states between two of the paper's entities (indices into its entity list)."""

    kind: str
    source: int
    target: int
    start: int  # the sentence that states it
    end: int
    rule: str  # "forward" (source first), "backward" (target first) or "list" (a later list item)
    confidence: float


@dataclass(frozen=True)
class Result:
    """A number a sentence reports as a score, with the parts the sentence names (entity indices or None)."""

    value: str  # the number as written, a valid decimal ("85.2", "-0.4")
    unit: str | None  # "%", "points" or None
    kind: str  # "absolute" or "delta"
    metric: int | None
    dataset: int | None
    subject: int | None  # the model or method the score belongs to
    start: int  # the number's span in the paper text
    end: int
    text: str
    sentence_start: int
    sentence_end: int


Mention = tuple[int, int, int, str]  # start, end, entity index, type


def relate(text: str, sentences: Sequence[tuple[int, int]],
           entities: Sequence[tuple[str, Sequence[tuple[int, int]]]],
           confidences: Sequence[float] | None = None) -> tuple[list[Relation], list[Result]]:
    """Find the relations and results stated in `text`.

    Parameters
    ----------
    text : the paper's text (title + " " + abstract), which all offsets point into.
    sentences : (start, end) of each sentence.
    entities : (type, [(start, end), ...]) per entity of the paper; results name entities by index here.
    confidences : one per entity (default 1.0), the basis of each relation's confidence.
    """
    confidences = confidences or [1.0] * len(entities)
    mentions = sorted((start, end, index, label) for index, (label, spans) in enumerate(entities) for start, end in spans)
    relations: dict[tuple[str, int, int], Relation] = {}
    results: list[Result] = []
    for sentence_start, sentence_end in sentences:
        inside = [m for m in mentions if sentence_start <= m[0] and m[1] <= sentence_end]
        for relation in sentence_relations(text, inside, sentence_start, sentence_end, confidences):
            key = (relation.kind, relation.source, relation.target)
            if key not in relations or relations[key].confidence < relation.confidence:
                relations[key] = relation
        results += sentence_results(text, inside, sentence_start, sentence_end)
    return sorted(relations.values(), key=lambda r: (r.start, r.kind, r.source, r.target)), results


def gap_is_short(gap: str) -> bool:
    return len(gap.split()) <= MAX_GAP_WORDS and not CLAUSE_BREAK.search(gap)


def sentence_relations(text: str, mentions: list[Mention], sentence_start: int, sentence_end: int,
                       confidences: Sequence[float]):
    for i, first in enumerate(mentions):
        for j in range(i + 1, len(mentions)):
            second = mentions[j]
            if first[2] == second[2]:
                continue
            gap = text[first[1]:second[0]]
            if not gap_is_short(gap):
                break
            for kind, (sources, targets) in RELATION_DOMAINS.items():
                forward, backward = GAP_CUES[kind]
                if first[3] in sources and second[3] in targets and forward.search(gap.lower()):
                    source, target, rule = first, second, "forward"
                elif backward and first[3] in targets and second[3] in sources and backward.search(gap.lower()):
                    source, target, rule = second, first, "backward"
                else:
                    continue
                weight = RULE_WEIGHT[rule]
                yield relation(kind, source, target, rule, weight, sentence_start, sentence_end, confidences)
                if rule == "forward":  # "for A, B and C": the list after the target shares the relation
                    for item in list_after(text, mentions, j, targets):
                        yield relation(kind, source, item, "list", RULE_WEIGHT["list"], sentence_start, sentence_end,
                                       confidences)


def relation(kind, source: Mention, target: Mention, rule, weight, start, end, confidences) -> Relation:
    confidence = round(min(confidences[source[2]], confidences[target[2]]) * weight, 3)
    return Relation(kind, source[2], target[2], start, end, rule, confidence)


def list_after(text: str, mentions: list[Mention], index: int, types: frozenset[str]):
    previous = mentions[index]
    for mention in mentions[index + 1:]:
        if mention[3] not in types or not LIST_GAP.match(text[previous[1]:mention[0]]):
            return
        yield mention
        previous = mention


# --- numeric results -----------------------------------------------------------------------

NUMBER = re.compile(
    r"(?<![\w.\-/])(?P<sign>[+\-\u2212]\s?)?(?P<number>\d+(?:\.\d+)?)"
    r"(?:\s?(?P<unit>\\?%\s?points?\b|\\?%p\b|\\?%|percent\b|percentage points?\b|pp\b|points?\b|pts\b))?"
    r"(?![\w%]|\.\d|\s?[-\u2013]\s?\d)")
SIZE_OR_COUNT = re.compile(
    r"^\s*(?:[kmbt]\b|x\b|\u00d7|times\b|thousand|million|billion|trillion|hours?|days?|minutes?|seconds?|ms\b|s\b|"
    r"gb\b|mb\b|tb\b|fps\b|layers?|parameters|params|tokens|images|samples|examples|languages|classes|gpus?|"
    r"steps|epochs|shots?|-shot|-bit|bits|categories|papers|subjects|participants|users|hz|khz|mhz|ghz|"
    r"\w+s\b(?!\s*(?:accuracy|score|f1)))", re.I)
FRACTION_OF = re.compile(r"^\s*(?:of|fewer|less|more|smaller|larger|faster|slower|cheaper)\b", re.I)
HEDGE = r"(?:(?:up to|over|about|around|nearly|almost|approximately|roughly|more than|less than|at least|as (?:much|high) as|" \
        r"an average of|average of|on average|a|an|~|>)\W*)*"
DELTA_BEFORE = re.compile(r"(\bby|\b(?:improvements?|gains?|increases?|boosts?|reductions?|decreases?|drops?) of)\W+" + HEDGE + "$",
                          re.I)
DELTA_AFTER = re.compile(r"^\W*(?:[\w-]+\W+){0,3}?(improvements?|improved|gains?|increases?|reductions?|decreases?|higher|lower|"
                         r"better|worse|boost|relative|absolute improvement|drops?)\b", re.I)
COMPARATOR = re.compile(r"\b(outperform\w*|than|over|surpass\w*|beat\w*|compared (?:to|with)|versus|vs\.?|against|"
                        r"relative to)\b", re.I)
LIST_BETWEEN_NUMBERS = re.compile(r"^\s*(?:,|,?\s*and|,?\s*or|to)\s*$", re.I)
PARALLEL_BETWEEN = re.compile(r"^[^;:.!?%]{0,80}?(?:,|\band|\bwhile|\bto)\s*(?:by\s+)?" + HEDGE + "$", re.I)
RANGE_BEFORE = re.compile(r"[\d%]\s*$")
DIGIT = re.compile(r"\d")
YEAR = re.compile(r"^(19|20)\d\d$")
METRIC_NEAR_CHARS = 40


def sentence_results(text: str, mentions: list[Mention], sentence_start: int, sentence_end: int) -> list[Result]:
    sentence = text[sentence_start:sentence_end]
    if not DIGIT.search(sentence):  # most sentences state no number; NUMBER is slow to rule that out
        return []
    matches = [m for m in NUMBER.finditer(sentence)
               if not any(e[0] <= sentence_start + m.start() < e[1] or e[0] < sentence_start + m.end() <= e[1]
                          for e in mentions)  # numbers inside names: "ResNet-50", "top-1 accuracy"
               and not (m["sign"] and RANGE_BEFORE.search(sentence, 0, m.start()))]  # "3% - 4%"
    found: list[tuple[Result, bool]] = []  # (result, stated on its own rather than only listed after another)
    shared: dict = {}  # what a number passes back to the one listed before it ("0.8 and 0.7 BLEU")
    for match in reversed(matches):
        start, end = sentence_start + match.start(), sentence_start + match.end()
        number, unit = match["number"], normalise_unit(match["unit"])
        after, before = text[end:sentence_end], text[sentence_start:start]
        metric = adjacent_metric(text, mentions, start, end)
        listed_before = shared.get("start") is not None and LIST_BETWEEN_NUMBERS.match(text[end:shared["start"]])
        if unit is None and metric is None and listed_before:
            unit, metric = shared["unit"], shared["metric"]
        shared = {"start": None}
        if unit is None and metric is None:
            continue
        if YEAR.match(number) and unit is None:
            continue
        if unit is None and SIZE_OR_COUNT.match(after):
            continue
        if unit == "%" and metric is None and FRACTION_OF.match(after):
            continue  # "10% of the labels", "30% fewer parameters": a share, not a score
        delta = bool(match["sign"]) or unit == "points" or bool(DELTA_BEFORE.search(before)) \
            or bool(DELTA_AFTER.match(after)) or bool(listed_before and found and found[-1][0].kind == "delta")
        if metric is None:
            metric = nearest(mentions, start, end, {"Metric"}, max_chars=METRIC_NEAR_CHARS)
        stated = metric is not None or unit != "%" or delta or bool(
            re.search(r"\b(accura\w*|score|rate|precision|recall)\b", after[:40], re.I))
        shared = {"start": start, "unit": unit, "metric": metric}
        sign = "-" if (match["sign"] or "").strip() in ("-", "\u2212") else ""
        found.append((Result(value=str(Decimal(sign + number)), unit=unit, kind="delta" if delta else "absolute",
                             metric=metric, dataset=dataset_for(text, mentions, start, end),
                             subject=subject_for(text, mentions, sentence_start, start),
                             start=start, end=end, text=text[start:end], sentence_start=sentence_start,
                             sentence_end=sentence_end), stated))
    found.reverse()
    return respectively(text, parallel_values(text, found), mentions)


def parallel_values(text: str, found: list[tuple[Result, bool]]) -> list[Result]:
    """Keep bare percentages only where they continue a stated one.

    "by 40% and 20%", "67% on A and 50% on B", "from 32% to 48%": the later value shares the
    earlier one's kind and metric. A bare percentage on its own ("in 45% of cases") is dropped.
    """
    kept: list[Result] = []
    for result, stated in found:
        previous = kept[-1] if kept else None
        continues = previous is not None and previous.unit == result.unit \
            and PARALLEL_BETWEEN.match(text[previous.end:result.start])
        from_to = re.search(r"\bfrom\W*$", text[result.sentence_start:result.start], re.I)
        if continues:
            if not stated or (result.kind == "absolute" and LIST_BETWEEN_NUMBERS.match(text[previous.end:result.start])):
                result = Result(**{**result.__dict__, "kind": previous.kind, "metric": result.metric or previous.metric})
            kept.append(result)
        elif stated or from_to:
            kept.append(result)
    return kept


def normalise_unit(unit: str | None) -> str | None:
    if unit is None:
        return None
    return "%" if unit.lower() in ("%", "\\%", "percent") else "points"  # "\\%": LaTeX in abstracts


def adjacent_metric(text: str, mentions: list[Mention], start: int, end: int) -> int | None:
    """A Metric mention right before ("BLEU of 28.4", "F1: 0.91") or right after ("85.2% top-1 accuracy") the number."""
    for m_start, m_end, index, label in mentions:
        if label != "Metric":
            continue
        if m_end <= start and re.fullmatch(r"\s*(?:(?:score|value|rate)\s+)?(?:of|=|:|is|was|reaches|at|to|by|from|\()?\s*"
                                           + HEDGE, text[m_end:start], re.I):
            return index
        if m_start >= end and re.fullmatch(r"[\s(]*(?:(?:absolute|relative|higher|lower|better|gains?|improvements?|"
                                           r"increases?|reductions?|point|points|in|of|on|the|mean|average|avg\.?)\s+){0,3}",
                                           text[end:m_start], re.I):
            return index
    return None


def nearest(mentions: list[Mention], start: int, end: int, types: set[str], *, max_chars: int = 10 ** 6) -> int | None:
    best = None
    for m_start, m_end, index, label in mentions:
        if label not in types:
            continue
        distance = start - m_end if m_end <= start else m_start - end
        if 0 <= distance <= max_chars and (best is None or distance < best[0]):
            best = (distance, index)
    return best[1] if best else None


def dataset_for(text: str, mentions: list[Mention], start: int, end: int) -> int | None:
    """The dataset or benchmark introduced by "on/in/across/for" nearest the number, else the nearest one."""
    types = {"Dataset", "Benchmark"}
    introduced = [m for m in mentions if m[3] in types and re.search(r"\b(on|in|across|for|over|of)\W+(?:the\W+)?$",
                                                                     text[max(0, m[0] - 12):m[0]], re.I)]
    return nearest(introduced, start, end, types) if introduced else nearest(mentions, start, end, types)


def subject_for(text: str, mentions: list[Mention], sentence_start: int, start: int) -> int | None:
    """The last Model/Method before the number, and before any "outperforms/than/over" (what it is compared with)."""
    cue = COMPARATOR.search(text, sentence_start, start)
    limit = cue.start() if cue else start
    candidates = [m for m in mentions if m[1] <= limit and m[3] in ("Model", "Method")]
    return candidates[-1][2] if candidates else None


def respectively(text: str, results: list[Result], mentions: list[Mention]) -> list[Result]:
    """'85.2% and 90.1% on A and B, respectively': pair values and datasets in order.

    With more values than datasets, the values are taken in equal runs ("81.8% (+5.9%), 34.7%
    (+5.8%) on A and B") when every run has the same kinds, or by kind ("80% and 70%, gains of 3%
    and 2%") when each kind has one value per dataset.
    """
    if len(results) < 2 or "respectively" not in text[results[0].sentence_start:results[0].sentence_end]:
        return results
    start, end = results[0].sentence_start, results[0].sentence_end
    datasets = list(dict.fromkeys(m[2] for m in mentions if m[3] in ("Dataset", "Benchmark") and start <= m[0] < end))
    if not datasets or len(results) % len(datasets):
        return results
    run = len(results) // len(datasets)
    kinds = [r.kind for r in results]
    if all(kinds[i:i + run] == kinds[:run] for i in range(0, len(results), run)):
        pairs = [(r, datasets[i // run]) for i, r in enumerate(results)]
    else:
        by_kind: dict[str, list[Result]] = {}
        for r in results:
            by_kind.setdefault(r.kind, []).append(r)
        if any(len(group) != len(datasets) for group in by_kind.values()):
            return results
        dataset_of = {id(r): datasets[i] for group in by_kind.values() for i, r in enumerate(group)}
        pairs = [(r, dataset_of[id(r)]) for r in results]
    return [Result(**{**r.__dict__, "dataset": d}) for r, d in pairs]


# --- metric direction ----------------------------------------------------------------------

LOWER_IS_BETTER = re.compile(r"\b(error|wer|cer|ter|perplexity|ppl|fid|kid|mae|mse|rmse|loss|latency|eer|"
                             r"distance|chamfer|lpips|miss rate|false positive|fpr|hamming|regret|"
                             r"runtime|memory|ece|calibration error|ade|fde)\b", re.I)
HIGHER_IS_BETTER = re.compile(r"(accura|\bf1\b|f-?score|f-measure|\bbleu\b|\brouge|\bmeteor\b|\bcider\b|\bspice\b|"
                              r"\bchrf|\bmap\b|\bap\b|\bauc\b|auroc|auprc|\biou\b|miou|\bdice\b|precision|recall|"
                              r"\bpsnr\b|\bssim\b|\bndcg|\bmrr\b|hit|\bem\b|exact match|pass@|success rate|"
                              r"win rate|\breward|\bscore|correlation|\bkappa\b|\bbertscore|\binception score|"
                              r"\bsacrebleu|\bcomet\b|top-\d|\bpck|\bmota\b|\bsrcc|\bplcc|\bmcc\b)", re.I)


def metric_direction(metric_name: str | None) -> str | None:
    """'higher' or 'lower' (is better) for common metrics, else None.

    >>> metric_direction("top-1 accuracy"), metric_direction("word error rate"), metric_direction("FID")
    ('higher', 'lower', 'lower')
    >>> metric_direction("latency per token"), metric_direction("inference cost") is None
    ('lower', True)
    """
    if not metric_name:
        return None
    if LOWER_IS_BETTER.search(metric_name):
        return "lower"
    if HIGHER_IS_BETTER.search(metric_name):
        return "higher"
    return None
