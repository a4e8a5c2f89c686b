"""Extract: `Paper` records in, `PaperExtraction` records (typed entities with spans) out.

Two modes share one spaCy pipeline built on ``spacy.blank("en")``, with nothing downloaded:

- ``default``: the NER trained by ``training/train.py`` (shipped in ``kg/data/ner``), then rules;
- ``fast``: rules only (gazetteer, names the training annotators mark, name-shaped words, acronyms, context,
  hygiene), for very large corpora.

>>> from kg.model import Paper
>>> extractor = Extractor(mode="fast")
>>> paper = Paper(id="p1", title="", abstract="We fine-tune BERT on the SQuAD dataset.")
>>> [(e.label, e.text) for e in extractor.extract_one(paper).entities]
[('Model', 'BERT'), ('Dataset', 'SQuAD')]
"""
from __future__ import annotations

import gc
import itertools
import json
import multiprocessing
import re
import warnings
from functools import cached_property, lru_cache
from pathlib import Path
from typing import Callable, Iterable, Iterator, Literal, NamedTuple

import spacy
from spacy.language import Language
from spacy.tokens import Doc
from thinc.api import use_ops
from threadpoolctl import threadpool_limits

from ..errors import ExtractionError
from ..model import ExtractedEntity, Mention, Paper, PaperExtraction
from ..relate import relate
from . import components  # noqa: F401  (registers the kg_* factories)
from .components import DATA_LABELS, Found, mention_source, type_prior
from .confidence import CONFIDENCE_PATH, ConfidenceModel, confidence_features
from .proposed import WEIGHTS_PATH, PaperFacts, ProposedScorer, features

__all__ = ["Extractor", "make_nlp", "normalise_name", "mention_source", "NER_PATH"]

Mode = Literal["default", "fast"]
NER_PATH = components.DATA_DIR / "ner"

# How the training annotations type frequent names (training/build_type_prior.py).
TYPE_PRIOR_PATH = components.TYPE_PRIOR_PATH
# How clear the annotators' majority must be for the type prior to override a name's type: the NER reads
# the context, so its type gives way only at 80% agreement; the fast mode's rules do not, and give way at 75%.
PRIOR_MIN_SHARE: dict[str, float] = {"default": 0.8, "fast": 0.75}
HEAD_MIN_SHARE = 0.85
# How many of the training papers that write a name must annotate it for the extractor to add it where no
# component found it (`components.AnnotatedNames`): the NER has read the sentence and left the name out,
# so the default mode asks more; the fast mode has no NER (chosen on the held-out training papers).
MARKED_MIN_SHARE: dict[str, float] = {"default": 0.6, "fast": 0.5}
HEAD_TYPED = {"Method", "Task", "Metric"}  # the types a head word may switch between
# A parameter count in a name ("Llama-3-8B", "SmolLM2-1.7B", "Qwen2-7b-Instruct", "GPT-2 125M").
MODEL_SIZE = re.compile(r"(?<![\w.])\d+(?:\.\d+)?[BbMm](?![A-Za-z0-9])")
# Which long form common acronyms stand for, mined from unlabelled abstracts (training/build_acronyms.py).
ACRONYMS_PATH = components.DATA_DIR / "acronyms.json"
# The names other papers already use: found in at least three unlabelled abstracts (training/build_used_names.py).
USED_NAMES_PATH = components.DATA_DIR / "used_names.json"


@lru_cache(maxsize=4)
def make_nlp(mode: Mode = "default", ner_path: Path = NER_PATH) -> Language:
    """Build the extraction pipeline for `mode` ("default" or "fast")."""
    if mode not in ("default", "fast"):
        raise ExtractionError(f"unknown extraction mode {mode!r}; use 'default' or 'fast'")
    if mode == "default":
        if not (ner_path / "config.cfg").exists():
            raise ExtractionError(f"the trained NER is missing at {ner_path}; rebuild it with "
                                  "'python training/train.py' or use --mode fast")
        # The trained pipeline is spacy.blank("en") + tok2vec + ner, with its word vectors in the vocab.
        # Its layers multiply matrices through numpy (OpenBLAS) rather than thinc's bundled BLIS, which
        # ran the tok2vec 2.3x slower on our 2-core benchmark machine (bench/speed.py).
        with use_ops("numpy", use_blis=False):
            nlp = spacy.load(ner_path)
    else:
        nlp = spacy.blank("en")
    adjust_tokenizer(nlp)
    nlp.add_pipe("kg_sentences", first=True)
    if mode == "default":
        nlp.add_pipe("kg_title_recheck", after="ner")
    # After the NER, lowercase names are the NER's call: the gazetteer adds them only in the fast mode.
    nlp.add_pipe("kg_gazetteer", config={"add_common_words": mode == "fast"})
    nlp.add_pipe("kg_annotated", config={"min_share": MARKED_MIN_SHARE[mode]})
    for name in (*(("kg_names",) if mode == "fast" else ()), "kg_acronyms", "kg_context", "kg_hygiene"):
        nlp.add_pipe(name)
    return nlp


def adjust_tokenizer(nlp: Language) -> None:
    """Splits spaCy's English tokenizer leaves out, all common in arXiv abstracts.

    A full stop after a capital ("... over ViT.", "... 8x7B.") is split the way spaCy already does after a small
    letter (its exceptions "e.g.", "U.S." still win); LaTeX's non-breaking "~" separates words
    ("Large Language Models~(LLMs)"), and so does a comparison ("MRR@10=0.383").

    >>> nlp = spacy.blank("en")
    >>> adjust_tokenizer(nlp)
    >>> [token.text for token in nlp("Language Models~(LLMs) beat ViT.")]
    ['Language', 'Models', '~', '(', 'LLMs', ')', 'beat', 'ViT', '.']
    >>> [token.text for token in nlp("MRR@10=0.383, Recall@1000>=0.99")]
    ['MRR@10', '=', '0.383', ',', 'Recall@1000', '>=', '0.99']
    """
    prefix_search, suffix_search, infix_finditer = affix_rules(nlp)
    tokenizer = nlp.tokenizer
    # No prefix, suffix or infix rule matches a word of letters only (each needs punctuation, a digit or a
    # symbol), and skipping their long regexes for such words makes tokenizing new text a quarter faster.
    tokenizer.prefix_search = unless_letters_only(prefix_search, None)
    tokenizer.suffix_search = unless_letters_only(suffix_search, None)
    tokenizer.infix_finditer = unless_letters_only(infix_finditer, ())


def affix_rules(nlp: Language) -> tuple[Callable, Callable, Callable]:
    """spaCy's English prefix search, suffix search and infix finditer, with the splits `adjust_tokenizer` adds."""
    suffixes = [*nlp.Defaults.suffixes, r"(?<=[A-Za-z0-9][A-Z])\.$"]
    infixes = [*nlp.Defaults.infixes, r"~", r"(?<=~)[(\[]", r"(?<=[A-Za-z0-9%])(?:[<>]=?|=|\u2265|\u2264)(?=[A-Za-z0-9.])"]
    return (spacy.util.compile_prefix_regex(nlp.Defaults.prefixes).search,
            spacy.util.compile_suffix_regex(suffixes).search, spacy.util.compile_infix_regex(infixes).finditer)


def unless_letters_only(find: Callable[[str], object], nothing: object) -> Callable[[str], object]:
    """`find`, answering `nothing` at once for a word of letters only."""
    return lambda word: nothing if word.isalpha() else find(word)


@lru_cache(maxsize=1 << 16)
def name_words(name: str) -> tuple[str, ...]:
    """The lower-cased words of a name, without a leading article, the last one singular (cached: the
    same names recur in every paper).

    >>> name_words("The Low-Rank Adaptations")
    ('low', 'rank', 'adaptation')
    """
    words = [w for w in re.split(r"[^0-9a-z]+", name.lower().replace("\u2019", "'")) if w]
    if words and words[0] in ("the", "a", "an"):
        words = words[1:]
    if words and len(words[-1]) > 3 and words[-1].endswith("s") and not words[-1].endswith("ss"):
        words[-1] = words[-1][:-1]
    return tuple(words)


def normalise_name(name: str) -> str:
    """The key under which spellings of one name meet (as the scorer compares them).

    >>> normalise_name("The Low-Rank Adaptations") == normalise_name("low rank adaptation")
    True
    """
    return "".join(name_words(name))


# A name's head noun comes before these: "Decision Support System for Agrotechnology Transfer" is a system.
# Wider than components.TRAILING_FUNCTION_WORDS, which cuts words off a name's end whatever their case: with
# "at" there it would cut the acronym "AT" (adversarial training) away (tried: it drops "AT" from used_names).
HEAD_ENDERS = {"for", "of", "via", "with", "in", "on", "using", "from", "by", "through", "under", "over", "to",
               "towards", "across", "without", "against", "at"}


@lru_cache(maxsize=1 << 16)
def head_word(name: str) -> str | None:
    """The head noun of a name of two words or more: its last word, or the last one before a preposition.

    >>> head_word("3D Object Detectors"), head_word("BERT"), head_word("Mean Length of Utterance")
    ('detector', None, 'length')
    >>> head_word("out-of-distribution detection")
    'detection'
    """
    spaced = name.split()
    cut = next((i for i, word in enumerate(spaced) if i and word.lower() in HEAD_ENDERS), None)
    words = name_words(" ".join(spaced[:cut])) if cut else name_words(name)
    return words[-1] if words and (cut or len(words) > 1) else None


def clear_majority(counts: dict[str, int] | None, share: float) -> str | None:
    """The label holding at least `share` of the votes, if any."""
    if not counts:
        return None
    best, n = max(counts.items(), key=lambda kv: (kv[1], kv[0]))
    return best if n >= share * sum(counts.values()) else None


def prior_label(label: str, found: list[Found], prior: dict, min_share: float, said: bool = False) -> str:
    """The type the training annotations (`prior`, as `type_prior` gives it) clearly give this name (at
    least `min_share` of the papers that annotate it), unless the text itself typed it. `said`: the text
    calls the name a `label` ("the XMLC task"), which outweighs the rules below but not the annotators' clear type
    ("fine-tuning tasks" stay a Method).

    A name written as a measure at a cutoff ("R-Precision@5", "pass@k") is a Metric (all 26 such training names
    are). A Dataset or Benchmark is a named collection: written all in lowercase, it is taken for a Method (5 of
    the 846 training ones are). A Method whose name carries a parameter count is a trained artifact, a Model
    (141 of the 145 training names with one are Models, the other 4 Datasets: "MovieLens-1M"). Failing the
    whole name, a Method, Task or Metric takes the type annotators clearly give names with its head word
    ("... detection" -> Task, "... network" -> Method, "... rate" -> Metric).

    >>> from spacy.tokens import Span
    >>> nlp = spacy.blank("en")
    >>> doc = nlp("We study domain adaptation for Spatially Selective Noise Detection.")
    >>> prior_label("Method", [Found.of(Span(doc, 2, 4, label="Method"))], type_prior(), 0.8)  # a Task in most training papers
    'Task'
    >>> prior_label("Method", [Found.of(Span(doc, 5, 9, label="Method"))], type_prior(), 0.8)
    'Task'
    >>> doc = nlp("We report Recall@10.")
    >>> prior_label("Model", [Found.of(Span(doc, 2, 3, label="Model"))], type_prior(), 0.8)
    'Metric'
    >>> doc = nlp("We release Tiny Phi 1.7B.")
    >>> prior_label("Method", [Found.of(Span(doc, 2, 5, label="Method"))], type_prior(), 0.8)
    'Model'
    """
    if any(mention.source == "context" for mention in found):
        return label
    for mention in found:
        if best := clear_majority(prior["names"].get(normalise_name(mention.text)), min_share):
            return best
    if any(components.METRIC_AT_K.fullmatch(mention.text) for mention in found):
        return "Metric"
    if said:
        return label
    if label in DATA_LABELS and not any(components.has_capital_or_digit(mention.text) for mention in found):
        label = "Method"
    if label == "Method" and any(MODEL_SIZE.search(mention.text) for mention in found):
        return "Model"
    if label in HEAD_TYPED:
        by_head = {clear_majority(prior["heads"].get(head_word(mention.text) or ""), HEAD_MIN_SHARE) for mention in found}
        by_head &= HEAD_TYPED
        if len(by_head) == 1:
            return by_head.pop()
    return label


@lru_cache(maxsize=1)
def common_acronyms() -> dict[str, str]:
    if not ACRONYMS_PATH.exists():
        raise ExtractionError(f"{ACRONYMS_PATH} is missing; rebuild it with 'python training/build_acronyms.py'")
    return json.loads(ACRONYMS_PATH.read_text(encoding="utf-8"))["acronyms"]


@lru_cache(maxsize=1)
def common_acronym_names() -> frozenset[str]:
    """The common acronyms and their long forms, normalised."""
    common = common_acronyms()
    return frozenset(common) | frozenset(common.values())


@lru_cache(maxsize=1)
def used_names() -> frozenset[str]:
    """The normalised names the extractor finds in at least three of the unlabelled abstracts."""
    if not USED_NAMES_PATH.exists():
        raise ExtractionError(f"{USED_NAMES_PATH} is missing; rebuild it with 'python training/build_used_names.py'")
    return frozenset(json.loads(USED_NAMES_PATH.read_text(encoding="utf-8"))["names"])


def group_spans(doc: Doc, found: list[Found], prior: dict, prior_min_share: float) -> list[tuple[str, list[Found]]]:
    """One (label, mentions) group per name among the Doc's entities `found`: spellings and acronym/long-form
    pairs together.

    An acronym joins its long form when the paper defines it ("large language models (LLMs)") or,
    for common acronyms, when both appear ("LLMs" ... "large language models"); so does a name
    that uses the acronym inside ("offline RL" ... "offline reinforcement learning").

    A group's type is its mentions' most common one, as `prior_label` corrects it; between Dataset and
    Benchmark, the type the text itself gives a mention ("the X dataset", `ContextTyper`) decides, and a
    Method the text calls a task in one mention ("the XMLC task") is a Task unless the annotators clearly
    type the name otherwise.
    """
    defined = {normalise_name(short): normalise_name(long) for short, long in (doc._.acronyms or {}).items()}
    words_of = {mention.text: name_words(mention.text) for mention in found}
    names = {"".join(words) for words in words_of.values()}
    common = common_acronyms()
    acronyms = {**{short: common[short] for short in names if short in common and common[short] in names}, **defined}
    for words in words_of.values():
        if len(words) > 1 and any(word in defined or word in common for word in words):
            expanded = "".join(defined.get(word) or common.get(word) or word for word in words)
            if expanded in names:
                acronyms["".join(words)] = expanded
    parent: dict[str, str] = {}

    def find(key: str) -> str:
        while parent.setdefault(key, key) != key:
            key = parent[key]
        return key

    for short, long in acronyms.items():
        parent[find(short)] = find(long)
    groups: dict[str, list[Found]] = {}
    for mention in found:
        groups.setdefault(find("".join(words_of[mention.text])), []).append(mention)
    typed_by_text = doc._.typed_by_text

    def said_by_text(group: list[Found]) -> list[str]:
        """The types the text itself gives the group's mentions ("the X dataset", "the X task")."""
        return [mention.span.label_ for mention in group if mention.source == "context"
                or (mention.span.start_char, mention.span.end_char) in typed_by_text]

    labelled = []
    for group in groups.values():
        label = most_common([mention.span.label_ for mention in group])
        text_says_task = label in ("Method", "Task") and bool(typed_by_text) and "Task" in said_by_text(group)
        label = prior_label("Task" if text_says_task else label, group, prior, prior_min_share, said=text_says_task)
        if label in DATA_LABELS:  # Dataset or Benchmark: the text's own word decides (GUIDELINES.md)
            said = [said_label for said_label in said_by_text(group) if said_label in DATA_LABELS]
            label = most_common(said) if said else label
        labelled.append((label, group))
    return labelled


def most_common(items: list[str]) -> str:
    """The most frequent item, the first seen among equals (as ``Counter.most_common``, in a third of the time).

    >>> most_common(["Model", "Method", "Method", "Model"])
    'Model'
    """
    return max(dict.fromkeys(items), key=items.count)


class EntityFeatures(NamedTuple):
    """One entity of one paper, before it becomes an `ExtractedEntity`: its type, its mentions and what the
    proposed flag (`proposed.features`) and the confidence (`confidence.confidence_features`) read."""
    label: str
    found: list[Found]
    proposed: list[float]
    confidence: list[float]


class Extractor:
    """Runs the pipeline over papers. Reuse one instance: building the pipeline takes a second or two.

    `min_confidence`: entities whose confidence (`confidence.ConfidenceModel`) is below it are left out.
    `prior`: how the training annotations type names (`type_prior()` unless given; the training scripts
    give one built without the papers they measure on).
    """

    def __init__(self, *, mode: Mode = "default", batch_size: int = 64, n_process: int = 1, min_confidence: float = 0.0,
                 prior: dict | None = None):
        self.mode = mode
        self.nlp = make_nlp(mode)
        self.batch_size = batch_size
        self.n_process = n_process
        self.min_confidence = min_confidence
        self.prior = type_prior() if prior is None else prior
        if prior is not None:
            self.nlp.get_pipe("kg_annotated").use(prior.get("marked", {}))

    @cached_property
    def proposed_scorer(self) -> ProposedScorer:
        if not WEIGHTS_PATH.exists():
            raise ExtractionError(f"the proposed-flag weights are missing at {WEIGHTS_PATH}; rebuild them with "
                                  "'python training/train_proposed.py'")
        return ProposedScorer.load()

    @cached_property
    def confidence_model(self) -> ConfidenceModel:
        if not CONFIDENCE_PATH.exists():
            raise ExtractionError(f"the confidence weights are missing at {CONFIDENCE_PATH}; rebuild them with "
                                  "'python training/calibrate.py'")
        return ConfidenceModel.load(self.mode)

    def extract(self, papers: Iterable[Paper]) -> Iterator[PaperExtraction]:
        """Yield one `PaperExtraction` per paper, in input order.

        With ``n_process > 1`` batches of papers go to forked worker processes, each running the
        whole pipeline and sending back only the small extraction records.
        """
        papers = list(papers)
        if self.n_process <= 1 or len(papers) <= self.batch_size * 4 or "fork" not in multiprocessing.get_all_start_methods():
            yield from self.extract_serially(papers)
            return
        global _WORKER_EXTRACTOR
        _WORKER_EXTRACTOR = self  # inherited by the forked workers
        batches = batched(papers, self.batch_size * 4)
        # Objects that exist before the fork (the pipeline, its caches, the papers) are left out of garbage
        # collection, in the workers and here, until the work is done: traversing them again and again cost
        # the fast mode 10-30% of its speed (bench/speed.py), and touching them copies the shared pages.
        gc.freeze()
        try:
            # One BLAS thread per worker (inherited through the fork): with the workers already filling the
            # cores, BLAS threads of their own only fight over them (default mode 109 against 167 abstracts/s
            # on 2 cores, bench/speed.py).
            with threadpool_limits(limits=1, user_api="blas"):
                with multiprocessing.get_context("fork").Pool(self.n_process) as pool:
                    for extractions in pool.imap(extract_batch_in_worker, batches):
                        yield from extractions
        finally:
            gc.unfreeze()

    def extract_serially(self, papers: Iterable[Paper]) -> Iterator[PaperExtraction]:
        pairs = ((self.make_doc(paper), paper) for paper in papers)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", UserWarning)  # spaCy's W108-style notes on odd tokens
            for doc, paper in self.nlp.pipe(pairs, as_tuples=True, batch_size=self.batch_size):
                yield self.doc_to_extraction(doc, paper)

    def annotate(self, paper: Paper) -> Doc:
        """The paper's text through the pipeline: the Doc with every component's entities, before they are
        grouped into the paper's entities (the training scripts learn and measure on it)."""
        return self.nlp(self.make_doc(paper))

    def make_doc(self, paper: Paper) -> Doc:
        """The paper's tokenized text, carrying the text itself for `components.doc_text` (it is the same
        string: spaCy's tokenizer keeps every character), which spares rebuilding it from the tokens, and
        where the title ends. LaTeX text formatting ("\\textbf{FooNet}") is blanked out first, offsets kept
        (`components.blank_markup`); the NER's training corpus keeps it, so training/train.py still rebuilds
        the shipped NER."""
        text = components.blank_markup(paper.text)
        doc = self.nlp.make_doc(text)
        doc.user_data[components.TEXT_KEY] = text
        doc.user_data[components.TITLE_END_KEY] = len(paper.title)
        return doc

    def extract_one(self, paper: Paper) -> PaperExtraction:
        return next(self.extract_serially([paper]))

    def doc_to_extraction(self, doc: Doc, paper: Paper) -> PaperExtraction:
        long_forms_defined = set((doc._.acronyms or {}).values())
        grouped = list(self.entity_features(doc, paper))
        flags = self.proposed_scorer.flags([entity.proposed for entity in grouped])
        confidences = [round(probability, 3)
                       for probability in self.confidence_model.probabilities([entity.confidence for entity in grouped])]
        entities = []
        for (label, found, *_), proposed, confidence in zip(grouped, flags, confidences):
            if confidence < self.min_confidence:
                continue
            texts = [mention.text for mention in found]
            forms = list(dict.fromkeys(texts))
            long_forms = [form for form in forms if form in long_forms_defined]
            preferred = long_forms[0] if long_forms else most_common(texts)
            # a mention quotes the paper exactly, LaTeX markup inside a name included ("HD \textbf{Map")
            mentions = tuple(Mention(span.start_char, span.end_char, paper.text[span.start_char:span.end_char],
                                     confidence, source) for span, _, source in found)
            entities.append(ExtractedEntity(label=label, text=preferred, mentions=mentions,
                                            aliases=tuple(form for form in forms if form != preferred),
                                            proposed=proposed))
        entities.sort(key=lambda entity: entity.mentions[0].start)
        sentences = split_at(tuple((sent.start_char, sent.end_char) for sent in doc.sents), len(paper.title))
        relations, results = relate(paper.text, sentences,
                                    [(e.label, [(m.start, m.end) for m in e.mentions]) for e in entities],
                                    [e.confidence for e in entities])
        return PaperExtraction(paper=paper, entities=tuple(entities), sentences=sentences,
                               relations=tuple(relations), results=tuple(results))

    def entity_features(self, doc: Doc, paper: Paper) -> Iterator[EntityFeatures]:
        """Yield the `EntityFeatures` of each entity of the paper."""
        boundary = len(paper.title)  # a name never runs from the title into the abstract
        ents = list(doc.ents)
        if any(ent.start_char < boundary < ent.end_char for ent in ents):
            ents = [ent for ent in ents if not ent.start_char < boundary < ent.end_char]
            doc.ents = ents
        facts = PaperFacts.of(doc, ents, len(paper.title))
        annotated, heads, common, used = self.prior["names"], self.prior["heads"], common_acronym_names(), used_names()
        recheck = doc._.title_recheck
        for label, found in group_spans(doc, Found.all_in(doc, ents), self.prior, PRIOR_MIN_SHARE[self.mode]):
            if recheck is not None and all(mention.span.end_char <= boundary
                                           and recheck.rejects(paper.title, mention.span.start_char, mention.span.end_char)
                                           for mention in found):
                continue  # named only in a Title-Case title, and no name once the title is in sentence case
            keys = {normalise_name(mention.text) for mention in found}
            proposed = features(doc, found, label=label,
                                known=any(mention.source in ("gazetteer", "agreed") for mention in found),
                                established=any(key in annotated for key in keys),
                                common_acronym=bool(keys & common), widely_used=bool(keys & used),
                                paper=facts)
            head_words = {head_word(mention.text) for mention in found} - {None}
            yield EntityFeatures(label, found, proposed,
                                 confidence_features(label, found, proposed, annotated, heads, keys, head_words))


def split_at(sentences: tuple[tuple[int, int], ...], boundary: int) -> tuple[tuple[int, int], ...]:
    """Split the sentence that runs across the title/abstract join (the title has no full stop).

    >>> split_at(((0, 30), (31, 40)), 12)
    ((0, 12), (13, 30), (31, 40))
    """
    pieces = []
    for start, end in sentences:
        if start < boundary < end:
            pieces += [(start, boundary), (boundary + 1, end)]
        else:
            pieces.append((start, end))
    return tuple(pieces)


_WORKER_EXTRACTOR: Extractor | None = None


def extract_batch_in_worker(papers: list[Paper]) -> list[PaperExtraction]:
    if _WORKER_EXTRACTOR is None:
        raise ExtractionError("extract_batch_in_worker runs only in worker processes forked by Extractor.extract")
    return list(_WORKER_EXTRACTOR.extract_serially(papers))


def batched(items: Iterable[Paper], size: int) -> Iterator[list[Paper]]:
    iterator = iter(items)
    while batch := list(itertools.islice(iterator, size)):
        yield batch
