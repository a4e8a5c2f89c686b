"""Extract: known entities in fixed sentences, generic words left out, offsets exact."""
from __future__ import annotations

import pytest
from threadpoolctl import threadpool_info

from kg.api import default_inputs
from kg.extract import Extractor
from kg.extract.components import find_acronym_pairs
from kg.extract.pipeline import type_prior
from kg.ingest import read_papers
from kg.model import ENTITY_TYPES, Paper

from .conftest import ROOT


@pytest.fixture(scope="module", params=["default", "fast"])
def extractor(request):
    return Extractor(mode=request.param)


def entities(extractor, abstract, title=""):
    extraction = extractor.extract_one(Paper(id="t", title=title, abstract=abstract))
    return {e.text: e for e in extraction.entities}, extraction.paper.text


def test_offsets_point_at_the_mention_text(extractor):
    found, text = entities(extractor, "We fine-tune BERT and ResNet-50 on the ImageNet dataset and report top-1 accuracy.")
    assert found, "nothing found"
    for entity in found.values():
        for mention in entity.mentions:
            assert text[mention.start:mention.end] == mention.text
            assert 0.0 <= mention.confidence <= 1.0


def test_names_in_latex_markup_are_found_where_the_text_has_them(extractor):
    """arXiv abstracts keep LaTeX ("we propose \\textbf{FooNet}"): the markup is blanked, offsets kept; markup that
    marks an acronym's letters ("\\textbf{S}elf") is left alone."""
    abstract = (r"We propose \textbf{FooNet}, a new model. \textsc{FooNet} outperforms \emph{BERT} on $\textbf{GLUE}$ "
                r"and \textbf{S}elf \textbf{S}upervised learning.")
    found, text = entities(extractor, abstract)
    assert {"FooNet", "BERT", "GLUE"} <= set(found)
    assert found["FooNet"].proposed
    for name in ("FooNet", "BERT", "GLUE"):
        assert all(text[mention.start:mention.end] == name for mention in found[name].mentions)
    assert not [name for name in found if "textbf" in name or "  " in name]
    assert all(text[mention.start:mention.end] == mention.text for entity in found.values() for mention in entity.mentions)


def test_named_models_and_datasets(extractor):
    found, _ = entities(extractor, "We fine-tune BERT and ResNet-50 on the ImageNet dataset.")
    assert found["BERT"].label == "Model"
    assert found["ResNet-50"].label == "Model"  # the size stays in the name
    assert found["ImageNet"].label == "Dataset"  # "the ... dataset" is not part of the name


def test_benchmark_by_head_noun(extractor):
    found, _ = entities(extractor, "Experiments on the GLUE benchmark show gains.")
    assert found["GLUE"].label == "Benchmark"


def test_generic_words_are_left_out(extractor):
    found, _ = entities(extractor, "Our model improves learning from data; the method and the algorithm "
                                   "boost performance on every task during training.")
    assert not {"model", "learning", "data", "method", "algorithm", "performance", "task", "training"} & {
        name.lower() for name in found}


def test_organisations_venues_and_hardware_are_left_out(extractor):
    found, _ = entities(extractor, "Presented at ICML, our OpenAI-free pipeline runs BERT on one GPU in Python, "
                                   "unlike systems by Google.")
    assert "BERT" in found
    assert not {"ICML", "GPU", "Python", "Google"} & set(found)


def test_acronym_pairs_schwartz_hearst():
    nlp = Extractor(mode="fast").nlp
    doc = nlp.make_doc("We study Low-Rank Adaptation (LoRA) and direct preference optimization (DPO) here.")
    assert [(long.text, short.text) for long, short in find_acronym_pairs(doc)] == [
        ("Low-Rank Adaptation", "LoRA"), ("direct preference optimization", "DPO")]


def test_title_defines_an_acronym_before_its_colon():
    nlp = Extractor(mode="fast").nlp
    pairs = find_acronym_pairs(nlp.make_doc("DANCE: Density-agnostic and Class-aware Network for Point Clouds"))
    assert [(long.text, short.text) for long, short in pairs] == [("Density-agnostic and Class-aware Network", "DANCE")]
    # no pair when the words after the colon do not spell the acronym, or the prefix is not one
    assert find_acronym_pairs(nlp.make_doc("GSM8K: A Dataset of Grade School Math")) == []
    assert find_acronym_pairs(nlp.make_doc("Learning to Relax: Setting Solver Parameters")) == []


def test_acronyms_with_hyphens_digits_for_words_and_remarks_in_the_brackets():
    nlp = Extractor(mode="fast").nlp
    doc = nlp.make_doc("Audio-Visual Target Speaker Extraction (AV-TSE) helps. Text-to-Image (T2I) models draw. "
                       "We introduce Hierarchical Semantic Disentanglement (HSD, pronounced hazard), a framework.")
    assert [(long.text, short.text) for long, short in find_acronym_pairs(doc)] == [
        ("Audio-Visual Target Speaker Extraction", "AV-TSE"), ("Text-to-Image", "T2I"),
        ("Hierarchical Semantic Disentanglement", "HSD")]


def test_a_title_acronym_long_form_stops_where_the_title_does():
    extractor = Extractor(mode="fast")
    paper = Paper(id="t", title="UWAV: Uncertainty-weighted Weakly-supervised Video Parsing",
                  abstract="Audio-visual video parsing labels events.")
    pairs = find_acronym_pairs(extractor.make_doc(paper))
    assert [(long.text, short.text) for long, short in pairs] == [("Uncertainty-weighted Weakly-supervised Video Parsing", "UWAV")]


def test_a_name_does_not_end_with_a_function_word():
    from spacy.tokens import Span

    nlp = Extractor(mode="fast").nlp
    doc = nlp.make_doc("We verify Signal Temporal Logic via model checking and Heatmap + search.")
    doc.ents = [Span(doc, 2, 6, label="Method"), Span(doc, 9, 11, label="Method")]
    doc = nlp.get_pipe("kg_hygiene")(doc)
    assert [ent.text for ent in doc.ents] == ["Signal Temporal Logic", "Heatmap"]


def test_a_name_is_not_cut_through_a_bracket():
    """A name the NER ends inside brackets takes the closing one; a word the tokenizer glued to a bracket
    ("LLM)-based") is no name."""
    from spacy.tokens import Span

    nlp = Extractor(mode="fast").nlp
    doc = nlp.make_doc("We beat FLUX Fill [Pro] with large language model (LLM)-based agents.")
    assert "LLM)-based" in [token.text for token in doc]
    glued = next(token.i for token in doc if token.text == "LLM)-based")
    doc.ents = [Span(doc, 2, 6, label="Model"), Span(doc, glued, glued + 1, label="Method")]
    doc = nlp.get_pipe("kg_hygiene")(doc)
    assert [ent.text for ent in doc.ents] == ["FLUX Fill [Pro]"]


def test_acronym_and_long_form_are_one_entity_and_bare_mentions_attach():
    found, _ = entities(Extractor(mode="default"),
                        "We propose Hindsight Instruction Relabeling (HIR), a novel algorithm. HIR outperforms PPO.")
    hir = found["Hindsight Instruction Relabeling"]
    assert hir.aliases == ("HIR",)
    assert [m.text for m in hir.mentions] == ["Hindsight Instruction Relabeling", "HIR", "HIR"]
    assert hir.proposed
    assert not found["PPO"].proposed


def test_long_form_keeps_the_head_word_its_acronym_spells():
    found, _ = entities(Extractor(mode="default"), "We evaluate on the Massive Text Embedding Benchmark (MTEB) "
                                                   "and the throat and acoustic paired speech dataset (TAPS).")
    assert found["Massive Text Embedding Benchmark"].aliases == ("MTEB",)  # MTEB spells the B
    assert found["throat and acoustic paired speech"].aliases == ("TAPS",)  # TAPS does not spell "dataset"


def test_entities_inside_a_defined_long_form_give_it_their_place():
    """The NER may stop at "for" or tag two parts; the long form the acronym spells replaces the parts."""
    from spacy.tokens import Span

    nlp = Extractor(mode="fast").nlp
    doc = nlp.make_doc("We propose Functionally Equivalent Sampling for Trust Assessment (FESTA) here.")
    doc.ents = [Span(doc, 2, 5, label="Method"), Span(doc, 6, 8, label="Task")]
    doc = nlp.get_pipe("kg_acronyms")(doc)
    assert [(ent.text, ent.label_) for ent in doc.ents] == [
        ("Functionally Equivalent Sampling for Trust Assessment", "Task"), ("FESTA", "Task")]
    assert doc._.acronyms == {"FESTA": "Functionally Equivalent Sampling for Trust Assessment"}


def test_a_capitalised_head_in_running_text_is_part_of_the_name_and_gives_its_type():
    """"Waymo Open Dataset", "DeepMind Control Suite": annotators keep such a head (17 of 19 in the training
    abstracts) and type the name by it (21 of 21); after one word, or in a Title Case title, it is cut."""
    from kg.extract.components import TITLE_END_KEY

    nlp = Extractor(mode="fast").nlp
    title = "The Foo Bar Dataset"
    doc = nlp.make_doc(f"{title} We test on the Waymo Open Dataset, the DeepMind Control Suite and the PulseBat Dataset.")
    doc.user_data[TITLE_END_KEY] = len(title)
    doc.ents = [doc.char_span(doc.text.index(name), doc.text.index(name) + len(name), label=label) for name, label in (
        ("Foo Bar Dataset", "Dataset"), ("Waymo Open Dataset", "Method"), ("DeepMind Control Suite", "Task"),
        ("PulseBat Dataset", "Dataset"))]
    doc = nlp.get_pipe("kg_hygiene")(doc)
    assert [(ent.text, ent.label_) for ent in doc.ents] == [
        ("Foo Bar", "Dataset"), ("Waymo Open Dataset", "Dataset"), ("DeepMind Control Suite", "Benchmark"),
        ("PulseBat", "Dataset")]


def test_a_head_written_into_a_name_with_a_hyphen_stays_and_gives_its_type():
    """"IPO-Dataset", "GAMS-dataset": the head is part of the word as written, so it is not cut ("the IPO - dataset"
    would be), and it types the name."""
    nlp = Extractor(mode="fast").nlp
    doc = nlp.make_doc("We construct the IPO-Dataset and the GAMS-dataset, and the Foo dataset.")
    doc.ents = [doc.char_span(doc.text.index(name), doc.text.index(name) + len(name), label="Benchmark")
                for name in ("IPO-Dataset", "GAMS-dataset", "Foo dataset")]
    doc = nlp.get_pipe("kg_hygiene")(doc)
    assert [(ent.text, ent.label_) for ent in doc.ents] == [
        ("IPO-Dataset", "Dataset"), ("GAMS-dataset", "Dataset"), ("Foo", "Benchmark")]


@pytest.mark.parametrize("text, expected", [
    ("We validated Pocket-K, a single-lead AI-ECG screening system, in three hospitals.", [("Pocket-K", "Method")]),
    ("We release FooBench-v2, a bilingual benchmark of 2,000 problems.", [("FooBench-v2", "Benchmark")]),
    ("We construct BarErrors, the first dataset of annotated failures.", [("BarErrors", "Dataset")]),
    ("It runs on GPUs, a common choice.", []),  # the appositive names no type
    ("Results on this http URL, a toolkit for bias detection.", []),  # a link, not a name
])
def test_a_name_shaped_word_an_appositive_types_is_an_entity(text, expected):
    """Every name-shaped word that an appositive ("X, a ...", "X, the first ...") types is annotated in the
    training papers (197 of 197); a hyphenated appositive counts its words, not its hyphens ("single-lead AI-ECG")."""
    nlp = Extractor(mode="fast").nlp
    doc = nlp.get_pipe("kg_hygiene")(nlp.get_pipe("kg_context")(nlp.make_doc(text)))
    assert [(ent.text, ent.label_) for ent in doc.ents] == expected


def test_a_name_shaped_word_leaves_its_class_head_out():
    """"ConvTasNet models" -> "ConvTasNet" (the training annotations: 269 times the word alone, twice with its
    head); a class name keeps its head ("language models")."""
    nlp = Extractor(mode="fast").nlp
    doc = nlp.make_doc("We train ConvTasNet models and language models.")
    doc.ents = [doc.char_span(doc.text.index(name), doc.text.index(name) + len(name), label="Method")
                for name in ("ConvTasNet models", "language models")]
    doc = nlp.get_pipe("kg_hygiene")(doc)
    assert [ent.text for ent in doc.ents] == ["ConvTasNet", "language models"]


def test_a_hyphenated_modifier_alone_is_no_name():
    """"rehearsal-free", "AI-based", "task-specific" describe a name (annotated as one 8 times in the 2,273 such
    words of the training abstracts); a name that holds one ("Model-based RL") stays."""
    nlp = Extractor(mode="fast").nlp
    doc = nlp.make_doc("We compare rehearsal-free methods, AI-based tools, task-specific heads and Model-based RL.")
    doc.ents = [doc.char_span(doc.text.index(name), doc.text.index(name) + len(name), label="Method")
                for name in ("rehearsal-free", "AI-based", "task-specific", "Model-based RL")]
    doc = nlp.get_pipe("kg_hygiene")(doc)
    assert [ent.text for ent in doc.ents] == ["Model-based RL"]


@pytest.mark.parametrize("mode, expected", [("default", ["sample complexity"]), ("fast", ["sample complexity", "heuristics"])])
def test_names_annotators_mark_where_they_are_written_are_added(mode, expected):
    """A name most training papers that write it annotate ("sample complexity") is added where no component
    found it; the default mode, whose NER has read the sentence, asks a larger share than the fast mode."""
    marked = {"sample complexity": ["Metric", 3, 4], "heuristics": ["Method", 11, 20], "cost": ["Metric", 1, 5]}
    extractor = Extractor(mode=mode, prior={**type_prior(), "marked": marked})
    found = {e.text: e for e in extractor.extract_one(Paper(id="t", title="", abstract=(
        "Its sample complexity is low, and so is the cost of ensembling and of heuristics."))).entities}
    added = [name for name, entity in found.items() if any(mention.source == "annotated" for mention in entity.mentions)]
    assert added == expected
    assert found["sample complexity"].label == "Metric"


def test_the_shipped_prior_marks_names_by_how_often_annotators_mark_them():
    """Every marked name was annotated in at least half of the two or more training papers that write it."""
    marked = type_prior()["marked"]
    assert len(marked) > 500
    assert all(writing >= 2 and marking >= 0.5 * writing and label in ENTITY_TYPES
               for label, marking, writing in marked.values())


def test_head_word_stands_before_a_preposition():
    from kg.extract.pipeline import head_word

    assert head_word("Decision Support System for Agrotechnology Transfer") == "system"
    assert head_word("Sliding and Grasping for Tangle Manipulation") == "grasping"
    assert head_word("out-of-distribution detection") == "detection"


def test_common_acronym_joins_its_long_form_without_a_definition():
    found, _ = entities(Extractor(mode="default"),
                        "Large language models are strong reasoners. We show that LLMs fail at planning.")
    names = [(e.text, *e.aliases) for e in found.values() if "LLMs" in (e.text, *e.aliases)]
    assert names and "Large language models" in names[0]
    found, _ = entities(Extractor(mode="default"),
                        "Offline reinforcement learning learns from logs. We show that offline RL overfits.")
    names = [(e.text, *e.aliases) for e in found.values() if "offline RL" in (e.text, *e.aliases)]
    assert names and "Offline reinforcement learning" in names[0]


def test_title_prefix_is_proposed():
    extraction = Extractor(mode="default").extract_one(Paper(
        id="t", title="ZIP-FIT: Embedding-Free Data Selection via Compression-Based Alignment",
        abstract="We introduce ZIP-FIT, a data selection framework that uses gzip compression."))
    proposed = {e.text for e in extraction.entities if e.proposed}
    assert "ZIP-FIT" in proposed


def test_a_title_case_title_is_read_again_in_sentence_case():
    """In a Title-Case title the NER takes "Uncovering Safety Risks" for a name; read again as a sentence
    ("SafeScan: uncovering safety risks of open agents") it finds none there, so the paper has no such entity. The
    title's name before the colon keeps its case and stays."""
    extractor = Extractor(mode="default")
    paper = Paper(id="t", title="SafeScan: Uncovering Safety Risks of Open Agents",
                  abstract="We study agents. We propose SafeScan and evaluate it on AgentHarm.")
    doc = extractor.annotate(paper)
    assert "Uncovering Safety Risks" in [ent.text for ent in doc.ents]
    assert doc._.title_recheck.text == "SafeScan: uncovering safety risks of open agents"
    names = {entity.text for entity in extractor.extract_one(paper).entities}
    assert "Uncovering Safety Risks" not in names and {"SafeScan", "AgentHarm"} <= names
    sentence_title = Paper(id="s", title="SafeScan: uncovering safety risks of open agents", abstract=paper.abstract)
    assert extractor.annotate(sentence_title)._.title_recheck is None  # not Title Case: read once


def test_a_name_in_a_title_case_title_takes_the_type_it_has_in_sentence_case():
    """Read in Title Case, "Learning Rate Scheduler" looks like a Task to the NER; in sentence case ("a robust
    learning rate scheduler for federated learning") it is a Method, and the pipeline keeps that type."""
    extractor = Extractor(mode="default")
    paper = Paper(id="t", title="SchedNet: A Robust Learning Rate Scheduler for Federated Learning",
                  abstract="We study this problem on ImageNet.")
    with extractor.nlp.select_pipes(enable=["tok2vec", "ner"]):
        as_written = {ent.text: ent.label_ for ent in extractor.nlp(extractor.make_doc(paper)).ents}
    assert as_written["Learning Rate Scheduler"] == "Task"
    assert {ent.text: ent.label_ for ent in extractor.annotate(paper).ents}["Learning Rate Scheduler"] == "Method"


def test_unknown_mode_is_a_clear_error():
    from kg.errors import ExtractionError
    with pytest.raises(ExtractionError, match="unknown extraction mode 'quick'"):
        Extractor(mode="quick")


def test_a_list_takes_the_type_its_head_noun_gives():
    found, _ = entities(Extractor(mode="default"), "We evaluate on the GSM8K and MATH benchmarks, and on "
                        "datasets such as CIFAR-10 and SVHN.")
    assert (found["GSM8K"].label, found["MATH"].label) == ("Benchmark", "Benchmark")
    assert (found["CIFAR-10"].label, found["SVHN"].label) == ("Dataset", "Dataset")


def test_urls_are_never_entities():
    found, _ = entities(Extractor(mode="default"), "Code is at https://github.com/org/Method-X and www.example.com.")
    assert not [name for name in found if "github" in name or "www." in name]


def test_proposed_weights_cover_every_feature():
    import json
    from kg.extract.proposed import WEIGHT_NAMES, WEIGHTS_PATH
    data = json.loads(WEIGHTS_PATH.read_text())
    assert set(data["weights"]) == set(WEIGHT_NAMES), "retrain with training/train_proposed.py"
    assert 0 < data["threshold"] < 1


def test_confidence_weights_cover_every_feature_in_both_modes():
    import json
    from kg.extract.confidence import CONFIDENCE_FEATURES, CONFIDENCE_PATH
    modes = json.loads(CONFIDENCE_PATH.read_text())["modes"]
    for mode in ("default", "fast"):
        assert set(modes[mode]["weights"]) == set(CONFIDENCE_FEATURES), "retrain with training/calibrate.py"


@pytest.mark.parametrize("mode", ["default", "fast"])
def test_confidence_ranks_right_entities_above_wrong_ones(mode):
    """On 60 annotated training papers the NER never trained on, an entity the annotators also typed so has,
    more often than not, a higher confidence than one they did not (the measured AUC is in the README)."""
    import importlib.util
    from kg.extract import normalise_name
    from kg.extract.confidence import roc_auc
    spec = importlib.util.spec_from_file_location("prepare", ROOT / "training" / "prepare.py")
    prepare = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(prepare)
    papers = prepare.split_training_papers()[1][:60]
    right, wrong = [], []
    for row, extraction in zip(papers, Extractor(mode=mode).extract(
            Paper(id=row["id"], title=row.get("title") or "", abstract=row["abstract"]) for row in papers)):
        gold = {(e["label"], normalise_name(form)) for e in row["entities"] for form in e["forms"]}
        for entity in extraction.entities:
            is_right = any((entity.label, normalise_name(form)) in gold for form in entity.forms)
            (right if is_right else wrong).append(entity.confidence)
    assert roc_auc(right, wrong) > 0.65
    assert len(set(right + wrong)) > 50  # a probability per entity, not a few constants


def test_min_confidence_leaves_out_only_the_less_likely_entities():
    papers = [Paper(id="p1", title="", abstract="We fine-tune BERT with Low-Rank Adaptation (LoRA) on the GLUE benchmark "
                    "and report accuracy. Our method outperforms full fine-tuning on sentiment analysis.")]
    everything = Extractor(mode="default").extract_one(papers[0]).entities
    threshold = sorted(e.confidence for e in everything)[len(everything) // 2]
    kept = Extractor(mode="default", min_confidence=threshold).extract_one(papers[0]).entities
    assert kept == tuple(e for e in everything if e.confidence >= threshold)
    assert 0 < len(kept) < len(everything)


def test_existing_methods_named_as_baselines_are_not_proposed():
    found, _ = entities(Extractor(mode="default"), "We introduce FlashRoute, a routing method for Mixture of Experts. "
                        "FlashRoute outperforms existing baselines such as Switch Transformer and GShard.")
    assert found["FlashRoute"].proposed
    assert not any(found[name].proposed for name in found if name != "FlashRoute")


def test_an_appositive_gives_the_type():
    extractor = Extractor(mode="default")
    found, _ = entities(extractor, "We present MedSAMix, a training-free model merging approach for segmentation.")
    assert found["MedSAMix"].label == "Method"
    found, _ = entities(extractor, "We build CodeNet, a dataset of 14M programs.")
    assert found["CodeNet"].label == "Dataset"


def test_no_name_runs_from_the_title_into_the_abstract():
    extraction = Extractor(mode="default").extract_one(Paper(
        id="t", title="Compression-Based Alignment", abstract="Data selection matters for language models."))
    boundary = len("Compression-Based Alignment")
    for entity in extraction.entities:
        assert all(not m.start < boundary < m.end for m in entity.mentions), entity


def test_a_plural_appositive_types_a_list():
    found, _ = entities(Extractor(mode="default"), "We train on GSM8K and MATH, two popular math reasoning benchmarks.")
    assert (found["GSM8K"].label, found["MATH"].label) == ("Benchmark", "Benchmark")


def test_datasets_keep_their_edition_and_latex_is_not_a_name():
    found, _ = entities(Extractor(mode="default"), "We report results on AIME 2024 and HMMT 25, where R^{n_1 times grows.")
    assert "AIME 2024" in found
    assert not [name for name in found if "{" in name]


def test_a_title_that_says_what_its_name_is_types_it():
    extraction = Extractor(mode="default").extract_one(Paper(
        id="t", title="MathPile: A Billion-Token Corpus for Mathematics", abstract="We release a corpus of papers."))
    named = {e.text: e for e in extraction.entities}
    assert named["MathPile"].label == "Dataset"


def test_a_title_name_is_a_benchmark_or_a_method_as_its_subtitle_says():
    """Whatever the earlier components typed it, "CycleFlow" in "CycleFlow: ... Flow Matching ..." (every mention
    of it) is no Dataset; "MathPile: A ... Corpus" stays one; "DeepPHY: Benchmarking ..." is a Benchmark."""
    from spacy.tokens import Span

    from kg.extract.components import TITLE_END_KEY
    from kg.extract.pipeline import make_nlp

    nlp = make_nlp("fast")
    for title, found_as, expected in (("CycleFlow: Cycle Consistency in Flow Matching", "Dataset", "Method"),
                                      ("MathPile: A Billion-Token Corpus for Mathematics", "Dataset", "Dataset"),
                                      ("DeepPHY: Benchmarking Agentic VLMs on Physical Reasoning", "Method", "Benchmark")):
        name = title.split(":")[0]
        doc = nlp.make_doc(f"{title} {name} beats the baselines.")
        doc.user_data[TITLE_END_KEY] = len(title)
        doc.ents = [Span(doc, 0, 1, label=found_as), Span(doc, len(doc) - 5, len(doc) - 4, label=found_as)]
        doc = nlp.get_pipe("kg_context")(doc)
        assert [(ent.text, ent.label_) for ent in doc.ents if ent.text == name] == [(name, expected)] * 2


def test_the_text_calling_a_name_a_dataset_makes_it_one():
    found, _ = entities(Extractor(mode="fast"), "We reach an AUC of 0.95 on the Polyvore dataset and the Teeth3DS benchmark.")
    assert (found["Polyvore"].label, found["Teeth3DS"].label) == ("Dataset", "Benchmark")


def test_the_head_after_a_closing_bracket_tells_a_dataset_from_a_benchmark():
    """"... Harmful (HH) dataset", "(AGIEval, ARC) datasets": the head noun after the bracket types what it closes,
    between Dataset and Benchmark only (a Task acronym stays: "out-of-distribution (OOD) benchmarks")."""
    nlp = Extractor(mode="fast").nlp
    doc = nlp.make_doc("We use the Anthropic Helpful Harmful (HH) dataset, out-of-domain (AGIEval, ARC) datasets "
                       "and out-of-distribution (OOD) benchmarks.")
    doc.ents = [doc.char_span(doc.text.index(name), doc.text.index(name) + len(name), label=label) for name, label in (
        ("HH", "Benchmark"), ("AGIEval", "Benchmark"), ("ARC", "Benchmark"), ("OOD", "Task"))]
    doc = nlp.get_pipe("kg_context")(doc)
    assert [(ent.text, ent.label_) for ent in doc.ents] == [
        ("HH", "Dataset"), ("AGIEval", "Dataset"), ("ARC", "Dataset"), ("OOD", "Task")]


def test_a_method_the_text_calls_a_metric_or_score_is_a_metric():
    """"the Fill-in-the-Blank (FITB) metric", "MAUVE scores" (training names so written: Metrics 57 times in 68); a
    Task stays ("QE metrics" measure a task), and so does a name the phrase runs past ("BLEU score function")."""
    nlp = Extractor(mode="fast").nlp
    doc = nlp.make_doc("We report the Fill-in-the-Blank (FITB) metric, MAUVE scores, QE metrics and a BLEU score function.")
    doc.ents = [doc.char_span(doc.text.index(name), doc.text.index(name) + len(name), label=label) for name, label in (
        ("Fill-in-the-Blank", "Method"), ("MAUVE", "Method"), ("QE", "Task"), ("BLEU", "Method"))]
    doc = nlp.get_pipe("kg_context")(doc)
    assert [ent.label_ for ent in doc.ents if ent.text != "FITB"] == ["Metric", "Metric", "Task", "Method"]


def test_the_text_calling_a_name_a_dataset_outweighs_how_annotators_usually_type_it(extractor):
    """The training annotations make D4RL a Benchmark (4 papers of 4); a paper that says "the D4RL dataset"
    makes it a Dataset (GUIDELINES.md: follow the text's own word)."""
    from kg.extract.pipeline import normalise_name, type_prior

    assert type_prior()["names"][normalise_name("D4RL")] == {"Benchmark": 4}
    found, _ = entities(extractor, "We evaluate CEIL on the MuJoCo tasks and the D4RL dataset. On D4RL, CEIL wins.")
    assert found["D4RL"].label == "Dataset"


def test_a_list_after_a_head_noun_takes_its_type_however_it_opens():
    """ "benchmarks (e.g., X, Y)" and "benchmarks, namely X and Y" type the listed names, whatever the
    earlier components made of them."""
    from spacy.tokens import Span

    from kg.extract.pipeline import make_nlp

    nlp = make_nlp("fast")
    for text in ("Results on competitive math benchmarks (e.g., MATH, AIME) improve.",
                 "We test on two MTRL benchmarks, namely MiniGrid and MetaWorld, and win."):
        doc = nlp.make_doc(text)
        names = [token.i for token in doc if token.text in ("MATH", "AIME", "MiniGrid", "MetaWorld")]
        doc.ents = [Span(doc, i, i + 1, label="Dataset") for i in names]
        doc = nlp.get_pipe("kg_context")(doc)
        assert [ent.label_ for ent in doc.ents] == ["Benchmark", "Benchmark"]


def test_metrics_at_k_are_known_by_their_shape_and_emails_are_not_names(extractor):
    found, _ = entities(extractor, "It scores 0.41 NDCG@10 and 62% pass@1; write to team@lab.org for the data.")
    assert (found["NDCG@10"].label, found["pass@1"].label) == ("Metric", "Metric")
    assert not [name for name in found if "lab.org" in name]


def test_type_prior_overrides_the_ner_only_on_a_clear_majority():
    """"reinforcement learning" is a Method in about three quarters of the training papers that annotate it,
    a Task (the field) in the rest: the NER, which reads the context, keeps its type; the rules-only mode,
    which does not, follows the annotators' majority."""
    from spacy.tokens import Span

    from kg.extract.components import Found
    from kg.extract.pipeline import PRIOR_MIN_SHARE, make_nlp, prior_label, type_prior

    doc = make_nlp("fast")("Agents trained with reinforcement learning.")
    span = Span(doc, 3, 5, label="Task")
    assert span.text == "reinforcement learning"
    assert prior_label("Task", [Found.of(span)], type_prior(), PRIOR_MIN_SHARE["default"]) == "Task"
    assert prior_label("Task", [Found.of(span)], type_prior(), PRIOR_MIN_SHARE["fast"]) == "Method"


def test_a_dataset_or_benchmark_written_in_lowercase_is_taken_for_a_method():
    """Datasets and benchmarks are named collections ("subject-level cross-validation" is none); one with a
    capital or a digit keeps its type."""
    from kg.extract.components import Found
    from kg.extract.pipeline import PRIOR_MIN_SHARE, make_nlp, prior_label, type_prior

    doc = make_nlp("fast")("We use subject-level cross-validation on Polyvore3D.")
    lowercase, named = (doc.char_span(doc.text.index(name), doc.text.index(name) + len(name), label="Dataset")
                        for name in ("subject-level cross-validation", "Polyvore3D"))
    assert prior_label("Dataset", [Found.of(lowercase)], type_prior(), PRIOR_MIN_SHARE["default"]) == "Method"
    assert prior_label("Dataset", [Found.of(named)], type_prior(), PRIOR_MIN_SHARE["default"]) == "Dataset"


@pytest.mark.parametrize("text, name, expected", [
    ("We tackle the Zorblax task with a new solver.", "Zorblax", "Task"),
    ("We study the problem of quux placement.", "quux placement", "Task"),
    ("We train the Zorblax task scheduler.", "Zorblax", "Method"),  # "task" does not end the phrase
    ("We run fine-tuning tasks on four datasets.", "fine-tuning", "Method"),  # annotators clearly make it a Method
])
def test_a_name_the_text_calls_a_task_is_a_task(text, name, expected):
    """"the X task" / "the problem of X" (297 of the 325 training names written so are Tasks) outweighs the
    components' Method and the head word, not the annotators' clear type of the name."""
    from spacy.tokens import Span

    from kg.extract.components import Found
    from kg.extract.pipeline import PRIOR_MIN_SHARE, group_spans, make_nlp, type_prior

    doc = make_nlp("fast")(text)
    start = text.index(name)
    doc.ents = [doc.char_span(start, start + len(name), label="Method")]
    doc = make_nlp("fast").get_pipe("kg_context")(doc)
    [(label, _)] = group_spans(doc, Found.all_in(doc, list(doc.ents)), type_prior(), PRIOR_MIN_SHARE["default"])
    assert label == expected


@pytest.mark.parametrize("name", ["R-Precision@5", "pass@k", "Hit@10"])
def test_a_measure_at_a_cutoff_is_a_metric(name):
    """All 26 training names shaped "measure@k" are Metrics, whatever type a component gave them."""
    from kg.extract.components import Found
    from kg.extract.pipeline import PRIOR_MIN_SHARE, make_nlp, prior_label, type_prior

    doc = make_nlp("fast")(f"We report {name} on both sets.")
    span = doc.char_span(doc.text.index(name), doc.text.index(name) + len(name), label="Model")
    assert prior_label("Model", [Found.of(span)], type_prior(), PRIOR_MIN_SHARE["default"]) == "Metric"


@pytest.mark.parametrize("name, expected", [("Foo-Chat-7B", "Model"), ("Qwen2-1.5b-Instruct", "Model"), ("Foo-Chat", "Method"),
                                            ("SCAN-3D", "Method")])
def test_a_method_with_a_parameter_count_is_a_model(name, expected):
    """"-7B" names a trained artifact (GUIDELINES.md: a Model is "often with a size"); a bare name, or a digit
    that is no parameter count ("3D"), leaves the type alone."""
    from kg.extract.components import Found
    from kg.extract.pipeline import PRIOR_MIN_SHARE, make_nlp, prior_label, type_prior

    doc = make_nlp("fast")(f"We release {name}, trained on public data.")
    span = doc.char_span(doc.text.index(name), doc.text.index(name) + len(name), label="Method")
    assert prior_label("Method", [Found.of(span)], type_prior(), PRIOR_MIN_SHARE["default"]) == expected


@pytest.mark.parametrize("cues", [("established",), ("common_acronym",), ("widely_used",), ("known", "widely_used")])
def test_a_name_already_in_use_is_less_likely_the_papers_own(cues):
    """The same name right after "we propose", once new and once already in use: annotated in several training
    papers, a common acronym, found in other arXiv abstracts, or a Papers with Code name other papers use.
    A Papers with Code name alone says next to nothing (here 0.811 against 0.811): many training papers are
    where their own Papers with Code names come from. The feature vectors come from `features` on a real
    Doc, so the cues that go together ("after the cue" and "a proper name after the cue") are set together."""
    from kg.extract.components import Found
    from kg.extract.proposed import PaperFacts, ProposedScorer, features
    paper = Paper(id="t", title="", abstract="We propose GraphMixer, a model for link prediction.")
    doc = Extractor(mode="default").annotate(paper)
    ents = list(doc.ents)
    found = [mention for mention in Found.all_in(doc, ents) if mention.text == "GraphMixer"]
    assert found, "the NER no longer finds the name"
    facts = PaperFacts.of(doc, ents, len(paper.title))
    new_name = dict.fromkeys(("known", "established", "common_acronym", "widely_used"), False)
    scorer = ProposedScorer.load()
    probability = lambda **cue: scorer.probability(features(doc, found, label="Method", paper=facts, **{**new_name, **cue}))  # noqa: E731
    assert probability(**dict.fromkeys(cues, True)) < probability() - 0.1


def test_used_names_hold_names_other_papers_use_and_not_new_ones():
    from kg.extract.pipeline import normalise_name, used_names

    names = used_names()
    assert {normalise_name("large language models"), normalise_name("LoRA"), normalise_name("ImageNet")} <= names
    assert normalise_name("Graph Structure Aligner") not in names


def test_the_scorers_pair_matrix_gives_the_sum_the_weights_were_trained_for():
    import json
    import numpy as np
    from kg.extract.proposed import FEATURES, WEIGHT_NAMES, WEIGHTS_PATH, ProposedScorer, with_pairs
    weights = np.array([json.loads(WEIGHTS_PATH.read_text())["weights"][name] for name in WEIGHT_NAMES])
    vectors = np.random.default_rng(0).random((20, len(FEATURES)))
    vectors[:, 0] = 1.0
    trained = 1.0 / (1.0 + np.exp(-(with_pairs(vectors) @ weights)))
    assert np.allclose(ProposedScorer.load().probabilities(vectors.tolist()), trained)


def test_the_flag_weighs_cues_together_a_title_name_counts_for_more_as_a_method_than_as_a_task():
    import math
    from kg.extract.proposed import FEATURES, ProposedScorer
    scorer = ProposedScorer.load()
    vector = lambda *names: [1.0 if name in ("bias", *names) else 0.0 for name in FEATURES]  # noqa: E731
    log_odds = lambda p: math.log(p / (1 - p))  # noqa: E731  (single weights alone add the same to every type)
    gain = {label: log_odds(scorer.probability(vector("in_title", f"type_{label}")))
            - log_odds(scorer.probability(vector(f"type_{label}"))) for label in ("Method", "Task")}
    assert gain["Method"] > gain["Task"] + 0.5 and gain["Task"] > 0


def test_the_sentence_after_we_propose_is_near_the_cue_and_later_ones_are_not():
    from kg.extract.proposed import FEATURES
    extractor = Extractor(mode="default")
    paper = Paper(id="t", title="", abstract="We propose a new routing method for sparse experts. It adds a balancing "
                  "loss called FlowBalance. Experiments compare it with GShard on GLUE.")
    near_cue = {found[0].text: vector[FEATURES.index("near_cue")]
                for _, found, vector, _ in extractor.entity_features(extractor.annotate(paper), paper)}
    assert near_cue["FlowBalance"] == 1.0
    assert near_cue["GLUE"] == 0.0


def test_a_gazetteer_match_on_a_found_entity_keeps_who_found_it():
    """The NER's "Matterport3D" (typed Method) that the gazetteer also knows (as a Dataset) is reported
    as agreed, keeps its type for the later steps to decide, and no other component claims it."""
    from spacy.tokens import Span
    from kg.extract.pipeline import make_nlp, mention_source
    nlp = make_nlp("fast")
    doc = nlp.make_doc("We evaluate it on Matterport3D and on ImageNet.")
    doc.ents = [Span(doc, 4, 5, label="Method")]  # as the NER would leave it
    doc = nlp.get_pipe("kg_gazetteer")(doc)
    sources = {ent.text: (ent.label_, ent._.source, mention_source(ent)) for ent in doc.ents}
    assert sources["Matterport3D"] == ("Method", "ner", "agreed")
    assert sources["ImageNet"] == ("Dataset", "gazetteer", "gazetteer")


def test_a_mention_reports_the_component_that_found_it():
    extraction = Extractor(mode="fast").extract_one(Paper(id="t", title="", abstract=(
        "We report NDCG@10 and top-1 accuracy on ImageNet, on the Polyvore dataset, and on the Massive Text "
        "Embedding Benchmark (MTEB); MTEB is hard.")))
    found_by = {mention.text: mention.source for entity in extraction.entities for mention in entity.mentions}
    assert found_by["NDCG@10"] == "shape"
    assert found_by["ImageNet"] == "gazetteer"
    assert found_by["Polyvore"] == "context"
    assert found_by["Massive Text Embedding Benchmark"] == "acronym"  # spelt out by the known "MTEB"


def test_a_mention_the_ner_and_the_gazetteer_both_found_is_reported_as_agreed():
    extraction = Extractor(mode="default").extract_one(Paper(id="t", title="", abstract="We fine-tune it on ImageNet."))
    [mention] = [mention for entity in extraction.entities for mention in entity.mentions if mention.text == "ImageNet"]
    assert mention.source == "agreed"


def test_the_fast_mode_finds_words_shaped_like_names():
    """Without the NER, a word with two capitals or a capital and a digit is a name: a Model when it
    carries a number, else a Method; a hyphenated name is taken whole, "-based" is not part of it."""
    found, _ = entities(Extractor(mode="fast"), "We distil OpenMath-CodeLlama-70B into a ZIP-FIT model with an "
                                                "LLM-based judge, using GRPO; it works in 3D and in Real Time.")
    assert found["OpenMath-CodeLlama-70B"].label == "Model"
    assert found["ZIP-FIT"].label == "Method"
    assert found["GRPO"].mentions[0].source == "name-shape"
    assert "LLM-based" not in found and "LLM" in found
    assert not {"3D", "Real", "Time", "Real Time"} & set(found)


def test_the_tokenizer_shortcut_for_words_of_letters_only_changes_no_token():
    """adjust_tokenizer skips the prefix, suffix and infix rules for words of letters only: none of them
    matches such a word, so every bundled abstract is tokenized exactly as the rules alone would."""
    import spacy

    from kg.api import default_inputs
    from kg.extract.pipeline import adjust_tokenizer, affix_rules
    from kg.ingest import read_papers

    shortcut, rules_only = spacy.blank("en"), spacy.blank("en")
    adjust_tokenizer(shortcut)
    prefix_search, suffix_search, infix_finditer = affix_rules(rules_only)
    for word in ("model", "Transformer", "naïve", "Straße", "模型", "LoRA", "ÉCOLE"):
        assert prefix_search(word) is None and suffix_search(word) is None and not list(infix_finditer(word))
    rules_only.tokenizer.prefix_search, rules_only.tokenizer.suffix_search = prefix_search, suffix_search
    rules_only.tokenizer.infix_finditer = infix_finditer
    papers, _ = read_papers(default_inputs())
    texts = [paper.text for paper in papers] + ["Low-Rank Adaptation~(LoRA) beats ViT. at MRR@10=0.38 (e.g., 3.5%)."]
    for text in texts:
        assert [token.text for token in shortcut(text)] == [token.text for token in rules_only(text)]
    assert [token.text for token in shortcut(texts[-1])][:8] == ["Low", "-", "Rank", "Adaptation", "~", "(", "LoRA", ")"]


def test_worker_processes_give_what_one_process_gives_and_release_the_blas_threads():
    papers, _ = read_papers(default_inputs())  # 438 papers: more than the 4 batches below which one process runs
    blas_threads_before = [pool["num_threads"] for pool in threadpool_info()]
    in_workers = list(Extractor(n_process=2).extract(papers))
    assert [e.paper.id for e in in_workers] == [p.id for p in papers]
    assert in_workers == list(Extractor(n_process=1).extract(papers))
    assert [pool["num_threads"] for pool in threadpool_info()] == blas_threads_before


@pytest.mark.parametrize("mode", ["default", "fast"])
def test_after_the_ner_a_lowercase_gazetteer_word_it_left_out_stays_out(mode):
    """"precision" is in the gazetteer (a Metric), but here it is not a measure the paper reports: the NER
    leaves it out and the gazetteer does not add it back, while a capitalised name it knows still comes in.
    Without the NER (fast mode) the gazetteer adds both."""
    from kg.extract.pipeline import make_nlp
    doc = make_nlp(mode)("We study the precision of the estimate under noise on ImageNet.")
    added = {ent.text: ent.label_ for ent in doc.ents}
    assert added.get("ImageNet") == "Dataset"
    assert ("precision" in added) == (mode == "fast")
    precision_at = doc.text.index("precision")
    assert (precision_at, precision_at + len("precision")) in doc._.gazetteer_matches  # still known for "agreed"


@pytest.mark.parametrize("mode", ["default", "fast"])
def test_a_batch_through_the_pipeline_gives_what_one_paper_at_a_time_gives(mode):
    """The components take a batch of docs at a time (`BatchedComponent.pipe`): nothing of one paper may
    leak into the next."""
    papers, _ = read_papers(default_inputs())
    papers = papers[:150]
    extractor = Extractor(mode=mode, batch_size=64)
    one_at_a_time = [extractor.extract_one(paper) for paper in papers]
    assert list(extractor.extract(papers)) == one_at_a_time
    assert sum(len(extraction.entities) for extraction in one_at_a_time) > 300
