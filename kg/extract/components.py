"""spaCy components of the kg extraction pipeline.

Each component takes a `Doc` whose ``doc.ents`` may already hold entities and returns it
with more or cleaner entities; each records where a span came from in ``span._.source``
and acronym pairs in ``doc._.acronyms``. The order is set in `pipeline.make_nlp`:

    kg_sentences -> [tok2vec -> ner -> kg_title_recheck (default mode)] -> kg_gazetteer -> kg_annotated
    -> [kg_names (fast mode)] -> kg_acronyms -> kg_context -> kg_hygiene
"""
from __future__ import annotations

import csv
import json
import re
from functools import lru_cache
from pathlib import Path
from typing import Iterable, Iterator, NamedTuple

import numpy
import spacy
from spacy.attrs import ENT_IOB, IS_PUNCT, LOWER, ORTH, SENT_START
from spacy.language import Language
from spacy.matcher import PhraseMatcher
from spacy.pipeline import Sentencizer
from spacy.strings import get_string_id
from spacy.tokens import Doc, Span, Token
from spacy.util import filter_spans, minibatch

from ..errors import ExtractionError

Span.set_extension("source", default="ner", force=True)
Doc.set_extension("acronyms", default=None, force=True)  # {short form: long form}
Doc.set_extension("gazetteer_matches", default=frozenset(), force=True)  # (start_char, end_char) of every gazetteer name
# (start_char, end_char) of the entities whose type the text itself says ("the X dataset", "X, a benchmark")
Doc.set_extension("typed_by_text", default=frozenset(), force=True)
# A Title-Case title in sentence case and the names the NER finds in it (`TitleRecheck`); None for other titles
Doc.set_extension("title_recheck", default=None, force=True)

DATA_DIR = Path(__file__).resolve().parent.parent / "data"
DATA_LABELS = ("Dataset", "Benchmark")  # the two types the text's own head noun tells apart
GAZETTEER_PATH = DATA_DIR / "gazetteer.tsv"
# How the training annotations type frequent names, and which names they mark (training/build_type_prior.py).
TYPE_PRIOR_PATH = DATA_DIR / "type_prior.json"

# Head nouns that name the type of the phrase they close ("the NOCS dataset").
TYPE_HEADS = {
    "dataset": "Dataset", "datasets": "Dataset", "corpus": "Dataset", "corpora": "Dataset",
    "benchmark": "Benchmark", "benchmarks": "Benchmark", "suite": "Benchmark", "environment": "Benchmark",
    "environments": "Benchmark", "leaderboard": "Benchmark",
}
# The plural heads that introduce a list ("benchmarks such as X, Y"); the rest of TYPE_HEADS are singular.
PLURAL_HEADS = {"datasets": "Dataset", "corpora": "Dataset", "benchmarks": "Benchmark", "environments": "Benchmark",
                "suites": "Benchmark", "leaderboards": "Benchmark"}
SINGULAR_HEADS = {word: label for word, label in TYPE_HEADS.items() if word not in PLURAL_HEADS}
# Words never an entity on their own (GUIDELINES.md "Leave out"), compared lower-cased.
GENERIC_WORDS = {
    "learning", "training", "model", "models", "algorithm", "algorithms", "optimization", "data",
    "performance", "task", "tasks", "method", "methods", "approach", "approaches", "framework",
    "frameworks", "system", "systems", "network", "networks", "dataset", "datasets", "benchmark",
    "benchmarks", "baseline", "baselines", "results", "experiments", "accuracy and", "state-of-the-art",
    "sota", "code", "paper", "work", "architecture", "architectures", "technique", "techniques",
    "strategy", "strategies", "module", "modules", "loss", "inference", "evaluation", "analysis",
}
# Organisations and venues (GUIDELINES.md "Leave out"), hardware and programming languages: none of
# the six types. Compared case-exactly with the whole name.
NOT_ENTITIES = {
    "ICML", "NeurIPS", "NIPS", "ICLR", "ACL", "EMNLP", "NAACL", "COLING", "CVPR", "ICCV", "ECCV", "AAAI", "IJCAI",
    "KDD", "SIGIR", "WWW", "ACM", "IEEE", "arXiv", "OpenAI", "Google", "Meta", "Microsoft", "Anthropic", "DeepMind",
    "Google DeepMind", "NVIDIA", "Nvidia", "Amazon", "Apple", "Baidu", "Alibaba", "Tencent", "YouTube", "GitHub",
    "Twitter", "CPU", "CPUs", "GPU", "GPUs", "TPU", "TPUs", "FPGA", "FPGAs", "Python", "MATLAB", "C++", "Java",
}
# Words a name does not end with: a span ending with one was cut mid-phrase ("Signal Temporal Logic via").
TRAILING_FUNCTION_WORDS = {"via", "with", "for", "of", "and", "or", "in", "on", "to", "by", "from", "using", "+", "&"}
LEADING_NOISE = {"the", "a", "an", "our", "their", "its", "this", "these", "those", "we", "novel", "new", "proposed",
                 "e.g", "e.g.", "i.e", "i.e.", "eg", "ie", "such", "as"}
# URLs, e-mail addresses and file paths are captured elsewhere, never as entities (GUIDELINES.md).
NOT_A_NAME = re.compile(r"://|www\.|github\.com|(?<!\w)@\w|\w@\w+\.\w|\.(?:com|org|io|html)\b")  # not "NDCG@10"
# Nouns that name what kind of thing a name is: "the MoE framework", "ConvTasNet models" (`is_name_with_class_head`).
CLASS_HEADS = {"model", "models", "framework", "frameworks", "algorithm", "algorithms", "method", "methods",
               "architecture", "architectures", "network", "networks"}
TRAILING_GENERIC = {"dataset", "datasets", "benchmark", "benchmarks", "corpus", "suite", "environment",
                    "environments", "leaderboard"}


def load_gazetteer_rows(path: Path = GAZETTEER_PATH) -> list[dict[str, str]]:
    """Rows (label, name, pwc_slug, origin) of the shipped gazetteer (from Papers with Code, CC BY-SA 4.0)."""
    with path.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle, delimiter="\t"))


def load_gazetteer(path: Path = GAZETTEER_PATH) -> list[tuple[str, str]]:
    """(label, name) pairs of the shipped gazetteer."""
    return [(row["label"], row["name"]) for row in load_gazetteer_rows(path)]


def is_case_sensitive_name(name: str) -> bool:
    """Names with capitals or digits (BERT, ResNet-18, COCO) must match as written."""
    return any(ch.isupper() or ch.isdigit() for ch in name[1:]) or name.isupper()


def has_capital_or_digit(text: str) -> bool:
    """What sets a name apart from running text: a capital or a digit anywhere ("BERT", "iPhone", "top-1")."""
    return any(ch.isupper() or ch.isdigit() for ch in text)


def sourced_span(doc: Doc, start: int, end: int, label: str, source: str) -> Span:
    """A token span with its label and the component that found it: for an entity trimmed to new offsets,
    which do not carry the source recorded under the old ones."""
    span = Span(doc, start, end, label=label)
    span._.source = source
    return span


# LaTeX text formatting arXiv abstracts keep ("we propose \\textbf{FooNet}"; 6% of 122k recent abstracts have some),
# as a whole word (not "\\textbf{H}ierarchical", where it marks an acronym's letter, nor glued to other markup), alone
# or as a formula ("$\\textbf{X}$").
TEXT_MARKUP = re.compile(r"(?<![\w\\}])(\$)?\\(?:textbf|textit|textsc|texttt|textsf|textrm|emph|underline)\{([^{}$]*)\}(?(1)\$)(?![\w\\])")


def blank_markup(text: str) -> str:
    """`text` with each LaTeX text-formatting command around a whole word or name, and its braces, turned into
    spaces, so that the name inside reads as a word while every offset into the text stays where it was.

    >>> blank_markup(r"We propose \\textbf{FooNet}, beating \\emph{\\textsc{Bar}} and $\\textbf{Baz}$ in \\textbf{H}ier.")
    'We propose         FooNet , beating               Bar   and          Baz   in \\\\textbf{H}ier.'
    """
    while "\\" in text and (blanked := TEXT_MARKUP.sub(
            lambda match: " " * (match.start(2) - match.start()) + match.group(2) + " " * (match.end() - match.end(2)),
            text)) != text:
        text = blanked
    return text


TEXT_KEY = "kg_text"  # where doc_text keeps the text in Doc.user_data
TITLE_END_KEY = "kg_title_end"  # where the extractor records where the title ends (the text is title + " " + abstract)


def doc_text(doc: Doc) -> str:
    """``doc.text``, built once per Doc: spaCy rebuilds it from the tokens on every access (about
    0.5 ms for an abstract), and several components read it.

    >>> doc = spacy.blank("en")("We fine-tune BERT.")
    >>> doc_text(doc) == doc.text and doc.user_data[TEXT_KEY] == doc.text
    True
    """
    text = doc.user_data.get(TEXT_KEY)
    if text is None:
        text = doc.user_data[TEXT_KEY] = doc.text
    return text


def span_text(span: Span) -> str:
    """``span.text``, sliced from `doc_text` (spaCy joins it from the tokens on every access)."""
    return doc_text(span.doc)[span.start_char:span.end_char]


def mention_source(span: Span) -> str:
    """The component that found the span, or "agreed" when the gazetteer also knows it."""
    return Found.of(span).source


class Found(NamedTuple):
    """An entity span of a Doc with its text and the component that found it (`mention_source`), read
    once for the steps after the pipeline (spaCy rebuilds both on every access)."""
    span: Span
    text: str
    source: str

    @classmethod
    def of(cls, span: Span) -> "Found":
        return cls.all_in(span.doc, [span])[0]

    @classmethod
    def all_in(cls, doc: Doc, ents: list[Span]) -> list["Found"]:
        """`Found.of` each of the Doc's entities `ents`, reading the gazetteer's matches once."""
        text, known = doc_text(doc), doc._.gazetteer_matches
        return [cls(ent, single_spaced(text[ent.start_char:ent.end_char]),
                    "agreed" if source != "gazetteer" and (ent.start_char, ent.end_char) in known else source)
                for ent in ents for source in (ent._.source,)]


def single_spaced(name: str) -> str:
    """A name with each run of spaces made one (blanked LaTeX markup leaves runs: "HD \\textbf{Map}")."""
    return " ".join(name.split()) if "  " in name else name


def tokens_text(doc: Doc, start: int, end: int) -> str:
    """``doc[start:end].text`` without building the span."""
    last = doc[end - 1]
    return doc_text(doc)[doc[start].idx:last.idx + len(last)]


def title_token_end(doc: Doc) -> int:
    """Index of the first token after the title (the whole Doc when the title's end was not recorded)."""
    end = doc.user_data.get(TITLE_END_KEY)
    return len(doc) if end is None else next((token.i for token in doc if token.idx >= end), len(doc))


def set_entities(doc: Doc, spans: list[Span], source: str) -> None:
    """Keep current entities and add the new spans that do not overlap them, recording that `source` found them.

    Only the added spans take `source`: a span's extension attributes are stored by its offsets, so
    marking a candidate that an entity already covers would relabel that entity's source too.
    """
    if not spans:
        return
    iob = doc.to_array(ENT_IOB)
    taken = (iob == 1) | (iob == 3)  # inside or beginning an entity
    added = [span for span in filter_spans(spans) if not taken[span.start:span.end].any()]
    for span in added:
        span._.source = source
    doc.set_ents(added, default="unmodified")  # the tokens of the current entities stay as they are


METRIC_AT_K = re.compile(r"(?<![\w@.])[A-Za-z][A-Za-z-]{0,15}@(?:\d{1,4}|[kKnN])(?![\w@.])")

# "ResNet-50", "LLaMA-7B", "BERT-large", "T5-v1": a known one-word name with a size or version. The
# version is found first (its hyphen lets the regex engine skip ahead), then the word before it.
VERSION_SUFFIX = re.compile(r"-(?:\d[\w.]*|[vV]\d[\w.]*|(?i:tiny|small|base|large|xl|xxl)\b)(?![\w-])")
WORD_BEFORE = re.compile(r"[A-Za-z][\w.]*\Z")


def joins_word(char: str) -> bool:
    """A character that continues a word or name: a letter, a digit, "_" or "-" (not the empty string)."""
    return char.isalnum() or char in ("_", "-")


def versioned_names(text: str):
    """(start, end, base name) of each word-version pair in `text`.

    >>> [text for *_, text in versioned_names("ResNet-50, BERT-large, x-1, 3D-50, GPT-4-turbo")]
    ['ResNet', 'BERT', 'x']
    """
    for version in VERSION_SUFFIX.finditer(text):
        word = WORD_BEFORE.search(text, max(0, version.start() - 40), version.start())
        if word and not joins_word(text[word.start() - 1: word.start()]):
            yield word.start(), version.end(), word.group()


class BatchedComponent:
    """A component whose `pipe` runs a whole batch through it before passing the batch on.

    spaCy's `Language.pipe` hands a component without a `pipe` method one doc at a time, so each doc
    passes through every component before the next starts, and each component's code and tables leave
    the CPU's caches in between. A batch at a time made the rules-only fast mode about 12% faster
    (bench/speed.py, old and new code alternating); the predictions are the same.
    """

    def pipe(self, docs: Iterable[Doc], *, batch_size: int = 64) -> Iterator[Doc]:
        for batch in minibatch(docs, size=batch_size):
            yield from [self(doc) for doc in batch]


class SentenceSplitter(BatchedComponent):
    """Sentence starts, exactly as spaCy's `sentencizer` with its default punctuation sets them, in array
    operations: a sentence starts at the first word after a sentence-ending mark (".", "!", "?", ...) that is
    neither punctuation nor such a mark. The sentencizer visits every token in Python, and took a fifth of the
    fast mode's time.

    >>> nlp = spacy.blank("en")
    >>> doc = SentenceSplitter(nlp, "sentences")(nlp("We test it. It works!! Done"))
    >>> [sent.text for sent in doc.sents]
    ['We test it.', 'It works!!', 'Done']
    """

    def __init__(self, nlp: Language, name: str):
        self.name = name
        self.enders = numpy.array(sorted(nlp.vocab.strings.add(mark) for mark in Sentencizer.default_punct_chars),
                                  dtype=numpy.uint64)

    def __call__(self, doc: Doc) -> Doc:
        if not len(doc):
            return doc
        words = doc.to_array([ORTH, IS_PUNCT])
        ender = numpy.isin(words[:, 0], self.enders)
        may_start = numpy.flatnonzero(~ender & (words[:, 1] == 0))
        after_ender = numpy.searchsorted(may_start, numpy.flatnonzero(ender), side="right")
        sent_start = numpy.full(len(doc), -1, dtype=numpy.int64)
        sent_start[0] = 1
        sent_start[may_start[after_ender[after_ender < len(may_start)]]] = 1
        doc.from_array([SENT_START], sent_start.astype(numpy.uint64).reshape(-1, 1))
        return doc


class GazetteerMatcher(BatchedComponent):
    """Add Papers with Code names that the NER left out.

    Names with capitals or digits match case-exactly (so a lowercase word that happens to be a
    dataset name is not one); lowercase names (tasks, "accuracy") match in any case. A known
    one-word name followed by a size or version ("ResNet-50") matches as a whole.

    With ``add_common_words=False`` (after the NER) the lowercase names are only recorded in
    ``doc._.gazetteer_matches``, not added: the NER has read their sentence and left them out ("the
    precision of the estimate"); of the 15 it added back on the held-out papers, 1 was a gold entity.
    """

    def __init__(self, nlp: Language, name: str, *, add_common_words: bool, path: Path = GAZETTEER_PATH):
        self.name = name
        self.add_common_words = add_common_words
        self.exact = PhraseMatcher(nlp.vocab, attr="ORTH")
        self.any_case = PhraseMatcher(nlp.vocab, attr="LOWER")
        # Patterns are tokenized by a separate blank pipeline of the same language: the matcher
        # compares string hashes only, and filling the main vocab with 13k names halves the
        # speed of the main tokenizer (measured with bench/speed.py).
        pattern_tokenizer = spacy.blank(nlp.lang).tokenizer
        entries = load_gazetteer(path)
        by_matcher: dict[tuple[int, str], list[Doc]] = {}
        for label, entry in entries:
            matcher_key = (0 if is_case_sensitive_name(entry) else 1, label)
            by_matcher.setdefault(matcher_key, []).append(pattern_tokenizer(entry))
        for (case_kind, label), patterns in sorted(by_matcher.items()):
            (self.exact if case_kind == 0 else self.any_case).add(label, patterns)
        self.versionable = {entry: label for label, entry in entries
                            if label in ("Model", "Method") and " " not in entry and is_case_sensitive_name(entry)}

    def __call__(self, doc: Doc) -> Doc:
        text = doc_text(doc)
        # a metric known by its shape: "NDCG@10", "pass@k"
        shaped = [doc.char_span(match.start(), match.end(), label="Metric") for match in METRIC_AT_K.finditer(text)] \
            if "@" in text else []
        known = [doc.char_span(start, end, label="Model") for start, end, base in versioned_names(text)
                 if base in self.versionable]
        known += [Span(doc, start, end, label=match_id) for match_id, start, end in self.exact(doc)]
        common = [Span(doc, start, end, label=match_id) for match_id, start, end in self.any_case(doc)]
        shaped, known = [span for span in shaped if span is not None], [span for span in known if span is not None]
        matched = known + common
        doc._.gazetteer_matches = frozenset((span.start_char, span.end_char) for span in matched)
        set_entities(doc, shaped, "shape")
        set_entities(doc, matched if self.add_common_words else known, "gazetteer")
        return doc


@lru_cache(maxsize=1)
def type_prior() -> dict:
    """The shipped type prior, read once: {"names": {name: {label: papers}}, "heads": {head word: {label: names}},
    "marked": {name: [type, papers marking it, papers writing it]}, ...} (see training/build_type_prior.py)."""
    if not TYPE_PRIOR_PATH.exists():
        raise ExtractionError(f"{TYPE_PRIOR_PATH} is missing; rebuild it with 'python training/build_type_prior.py'")
    return json.loads(TYPE_PRIOR_PATH.read_text(encoding="utf-8"))


def marked_names() -> dict[str, list]:
    """The "marked" names of the shipped type prior: {name: [type, papers marking it, papers writing it]}."""
    if "marked" not in type_prior():
        raise ExtractionError(f"{TYPE_PRIOR_PATH} lacks the names annotators mark; rebuild it with "
                              "'python training/build_type_prior.py'")
    return type_prior()["marked"]


class AnnotatedNames(BatchedComponent):
    """Add the names annotators mark where the training papers write them ("sample complexity", "few-shot
    prompting", "throughput"), where no component found them: the "marked" names of `TYPE_PRIOR_PATH`
    (built by training/build_type_prior.py) that at least `min_share` of the training papers writing them
    annotate. Matched as written, word for word.

    >>> nlp = spacy.blank("en")
    >>> names = AnnotatedNames(nlp, "annotated", min_share=0.6, marked={"sample complexity": ["Metric", 3, 4],
    ...                                                                 "ensembling": ["Method", 1, 2]})
    >>> [(ent.text, ent.label_, ent._.source) for ent in names(nlp("We bound the sample complexity of ensembling.")).ents]
    [('sample complexity', 'Metric', 'annotated')]
    """

    def __init__(self, nlp: Language, name: str, *, min_share: float, marked: dict[str, list] | None = None):
        self.name = name
        self.min_share = min_share
        self.tokenizer = nlp.tokenizer
        self.use(marked_names() if marked is None else marked)

    def use(self, marked: dict[str, list]) -> None:
        """Match the names of `marked` ({name: [type, papers marking it, papers writing it]}) instead (the
        training scripts measure with a prior built without the papers they measure on)."""
        self.matcher = PhraseMatcher(self.tokenizer.vocab, attr="ORTH")
        by_label: dict[str, list[Doc]] = {}
        for form, (label, marking, writing) in marked.items():
            if marking >= self.min_share * writing:
                by_label.setdefault(label, []).append(self.tokenizer(form))
        for label, patterns in sorted(by_label.items()):
            self.matcher.add(label, patterns)

    def __call__(self, doc: Doc) -> Doc:
        set_entities(doc, [Span(doc, start, end, label=label) for label, start, end in whole_word_matches(self.matcher, doc)],
                     "annotated")
        return doc


def whole_word_matches(matcher: PhraseMatcher, doc: Doc) -> list[tuple[str, int, int]]:
    """(match id as a string, start, end) of the matcher's matches that `stand_alone` (the names `AnnotatedNames`
    adds, and the ones training/build_type_prior.py counts)."""
    return [(doc.vocab.strings[match_id], start, end) for match_id, start, end in matcher(doc)
            if stands_alone(doc, start, end)]


def stands_alone(doc: Doc, start: int, end: int) -> bool:
    """Whether `doc[start:end]` is not glued by a hyphen to the words around it ("LoRA" in "CoA-LoRA" is not).

    >>> doc = spacy.blank("en")("CoA-LoRA beats LoRA-based tuning and LoRA.")
    >>> [stands_alone(doc, i, i + 1) for i, token in enumerate(doc) if token.text == "LoRA"]
    [False, False, True]
    """
    text = doc_text(doc)
    return not (joins_word(text[doc[start].idx - 1:doc[start].idx]) if start else False) \
        and not joins_word(text[doc[end - 1].idx + len(doc[end - 1]):][:1])


# "(LoRA)", and "(HASRD, pronounced hazard)" / "(LoRA; Hu et al., 2021)": the acronym opens the brackets
PARENTHESISED_WORD = re.compile(r"\(([^()\s,;]{2,10})(?:[,;][^()]{0,60})?\)")


def find_acronym_pairs(doc: Doc) -> list[tuple[Span, Span]]:
    """Schwartz-Hearst: "long form (SF)" where SF's letters appear in order in the long form.

    Returns (long form span, short form span) pairs; the long form is the shortest run of
    words before the parenthesis whose first word starts with SF's first letter.
    """
    pairs = [pair] if (pair := title_acronym_pair(doc)) else []
    for match in PARENTHESISED_WORD.finditer(doc_text(doc)):
        short = doc.char_span(match.start(1), match.end(1))
        if short is None or short.start == 0:
            continue
        token = doc[short.start - 1]
        letters = short.text
        if not (2 <= len(letters) <= 10 and letters[0].isalnum() and sum(ch.isupper() for ch in letters) >= 1):
            continue
        max_words = min(len(letters) + 5, len(letters) * 2)
        for start in range(token.i - 1, max(token.i - 1 - max_words, -1), -1):
            candidate = doc[start: token.i]
            if is_long_form(letters, candidate.text):
                pairs.append((candidate, short))
                break
            if doc[start].is_punct and doc[start].text not in "-/":
                break
    return pairs


def title_acronym_pair(doc: Doc) -> tuple[Span, Span] | None:
    """A title that opens "SF: Long Form ...": (long form span, short form span), or None.

    The long form is the shortest run of words after the colon that passes Schwartz-Hearst's test,
    carried on to the end of its hyphenated word and over the capitalised words that follow, never
    past the title (the abstract's first word is capitalised too).

    >>> doc = spacy.blank("en")("ESPO: Early-Stopping Proximal Policy Optimization for Robust Control")
    >>> [span.text for span in title_acronym_pair(doc)]
    ['Early-Stopping Proximal Policy Optimization', 'ESPO']
    """
    if len(doc) < 3 or doc[1].text != ":":
        return None
    short = doc[0:1]
    letters = short.text
    if not (2 <= len(letters) <= 10 and letters[0].isupper() and sum(ch.isupper() for ch in letters) >= 2):
        return None
    limit = min(title_token_end(doc), 2 + len(letters) * 3)  # tokens, counting each hyphen as one
    for end in range(3, limit + 1):
        if doc[end - 1].is_punct and doc[end - 1].text not in "-/":
            return None
        if is_long_form(letters, doc[2:end].text):
            while end < limit and (doc[end - 1].whitespace_ == "" or doc[end].text[:1].isupper()) \
                    and not (doc[end].is_punct and doc[end].text not in "-/"):
                end += 1
            return doc[2:end], short
    return None


def end_without_heads(doc: Doc, start: int, end: int, short: str = "", *, punct: bool = False) -> int:
    """`end` moved back over trailing head words ("dataset", "benchmark", ...), and punctuation when
    `punct`, keeping at least one word, any head word the acronym `short` spells, a head that is part
    of the name (`is_named_head`) and one written into it with a hyphen ("IPO-Dataset").

    >>> doc = spacy.blank("en")("the Massive Text Embedding Benchmark and the ImageNet dataset and the IPO-Dataset")
    >>> doc[1:end_without_heads(doc, 1, 5, "MTEB")].text, doc[7:end_without_heads(doc, 7, 9)].text
    ('Massive Text Embedding Benchmark', 'ImageNet')
    >>> doc[11:end_without_heads(doc, 11, 14)].text
    'IPO-Dataset'
    """
    while end - start > 1 and (doc[end - 1].lower_ in TRAILING_GENERIC or (punct and doc[end - 1].is_punct)) \
            and not spells_head(short, doc[end - 1].text) and not is_named_head(doc, start, end) \
            and not is_hyphened_head(doc, start, end):
        end -= 1
    return end


def is_hyphened_head(doc: Doc, start: int, end: int) -> bool:
    """Whether `doc[start:end]` ends with a head word written into the name with a hyphen: "IPO-Dataset",
    "GAMS-dataset", "CMT-Benchmark".

    >>> doc = spacy.blank("en")("the IPO-Dataset and the IPO - dataset")
    >>> is_hyphened_head(doc, 1, 4), is_hyphened_head(doc, 6, 9)
    (True, False)
    """
    return end - start > 2 and doc[end - 1].lower_ in TYPE_HEADS and doc[end - 2].text == "-" \
        and not doc[end - 3].whitespace_ and not doc[end - 2].whitespace_


def is_named_head(doc: Doc, start: int, end: int) -> bool:
    """Whether the last word of `doc[start:end]` is a capitalised head that belongs to the name: "Waymo Open
    Dataset", "DeepMind Control Suite", "Open LLM Leaderboard" in running text, after two or more words with
    a capital or digit. In the training abstracts annotators keep such a head 17 times in 19 (both others
    after one word: "PulseBat Dataset"); in a Title Case title every word has a capital, so titles do not count.

    >>> doc = spacy.blank("en")("Scores on the Open LLM Leaderboard and the PulseBat Dataset")
    >>> doc.user_data[TITLE_END_KEY] = 0
    >>> is_named_head(doc, 3, 6), is_named_head(doc, 8, 10)
    (True, False)
    """
    in_abstract = doc[start].idx >= doc.user_data.get(TITLE_END_KEY, 0)
    return (end - start >= 3 and in_abstract and is_capitalised(doc[end - 1].text)
            and all(has_capital_or_digit(token.text) for token in doc[start:end - 1]))


def is_name_with_class_head(doc: Doc, start: int, end: int) -> bool:
    """Whether `doc[start:end]` is one name-shaped word and a noun saying what kind of thing it is: "ConvTasNet
    models", "the MoE framework", "PPO algorithm". Annotators leave such a head out: where the training
    abstracts write one, the word alone is annotated 269 times and the word with its head twice ("VLA
    models", "AR models").

    >>> doc = spacy.blank("en")("ConvTasNet models and language models")
    >>> is_name_with_class_head(doc, 0, 2), is_name_with_class_head(doc, 3, 5)
    (True, False)
    """
    return end - start == 2 and doc[end - 1].lower_ in CLASS_HEADS and is_name_shaped(doc[start].text)


def own_head_type(doc: Doc, start: int, end: int) -> str | None:
    """The type a name's own capitalised head word gives it: "Waymo Open Dataset" -> Dataset, "DeepMind Control
    Suite" -> Benchmark (training names ending so: 21 of 21 typed by the head), as does a head written into the
    name with a hyphen ("GAMS-dataset").

    >>> doc = spacy.blank("en")("the DeepMind Control Suite and the ImageNet dataset")
    >>> own_head_type(doc, 1, 4), own_head_type(doc, 6, 8)
    ('Benchmark', None)
    """
    head = doc[end - 1].text
    own = (end - start >= 2 and is_capitalised(head)) or is_hyphened_head(doc, start, end)
    return TYPE_HEADS.get(head.lower()) if own else None


def is_capitalised(word: str) -> bool:
    """A capital and then small letters only: "Dataset", not "dataset" or "DATASET"."""
    return word[:1].isupper() and word[1:].islower()


def spells_head(short: str, head: str) -> bool:
    """True when an acronym ends with the head word's initial: "MTEB" spells "Benchmark", "TAPS" not "dataset".

    >>> spells_head("MTEB", "Benchmark"), spells_head("TAPS", "dataset"), spells_head("", "dataset")
    (True, False, False)
    """
    return bool(short) and short[-1].lower() == head[:1].lower()


def is_long_form(short: str, long: str) -> bool:
    """Schwartz-Hearst's test: same first letter, and every letter of `short` in `long` in order.

    >>> is_long_form("LoRA", "Low-Rank Adaptation"), is_long_form("TEMPERA", "Reinforcement learning")
    (True, False)
    """
    return long[:1].lower() == short[:1].lower() and letters_in_order(short, long)


# Digits that acronyms write for words: "T2I" (text-to-image), "Seq2Seq", "D4RL" (datasets for deep data-driven RL).
DIGIT_WORDS = {"2": ("2", "to"), "4": ("4", "for")}


def letters_in_order(short: str, long: str) -> bool:
    """True when every letter and digit of `short` occurs in `long` in order (case-folded); a 2 may
    stand for "to" and a 4 for "for".

    >>> letters_in_order("T2I", "Text-to-Image"), letters_in_order("T2I", "Text Image")
    (True, False)
    """
    position = 0
    long = long.lower()
    for ch in (c for c in short.lower() if c.isalnum()):
        found = [at for at in (long.find(spelling, position) for spelling in DIGIT_WORDS.get(ch, (ch,))) if at >= 0]
        if not found:
            return False
        position = min(found) + 1
    return True


def whole_word_occurrences(text: str, word: str) -> Iterator[int]:
    """Where `word` stands in `text` with no letter, digit, "_" or "-" right before or after it.

    >>> list(whole_word_occurrences("LoRA, QLoRA, LoRA-FA and (LoRA)", "LoRA"))
    [0, 26]
    """
    start = text.find(word)
    while start != -1:
        if not joins_word(text[start - 1: start]) and not joins_word(text[start + len(word): start + len(word) + 1]):
            yield start
        start = text.find(word, start + 1)


class AcronymLinker(BatchedComponent):
    """Pair long forms with acronyms and spread the entity type between them.

    "Low-Rank Adaptation (LoRA)": when either form is an entity, the other becomes one with the
    same label, and every later bare "LoRA" in the text is marked too.
    """

    def __init__(self, nlp: Language, name: str):
        self.name = name

    def __call__(self, doc: Doc) -> Doc:
        pairs = find_acronym_pairs(doc)
        doc._.acronyms = {}
        ents = doc.ents
        label_of = {(ent.start, ent.end): ent.label_ for ent in ents}
        overlapping = {i: ent for ent in ents for i in range(ent.start, ent.end)}
        new_spans, replaced = [], set()
        for long_span, short_span in pairs:
            label = label_of.get((short_span.start, short_span.end))
            # without a head word the acronym does not spell ("... dataset (TAPS)")
            long_span = doc[long_span.start:end_without_heads(doc, long_span.start, long_span.end, short_span.text)]
            long_ent = overlapping.get(long_span.end - 1)
            if long_ent is not None and long_ent.end == long_span.end and is_long_form(short_span.text, long_ent.text):
                label = label or long_ent.label_
                long_span = long_ent
            elif long_ent is None or (long_ent.end == long_span.end and long_ent.start >= long_span.start):
                # Entities that are only parts of the defined name give it their place: "Prompt Editing using
                # Reinforcement Learning (TEMPERA)", "Massive Text Embedding Benchmark (MTEB)" (the entity stops
                # before the spelt head), "Functionally Equivalent Sampling for Trust Assessment (FESTA)".
                parts = [ent for ent in ents if long_span.start <= ent.start and ent.end <= long_span.end]
                label = label or (parts[-1].label_ if parts else None)
                replaced.update((ent.start, ent.end) for ent in parts)
            elif long_ent.end == long_span.end:
                label = label or long_ent.label_
            if not label:
                continue
            doc._.acronyms[short_span.text] = long_span.text
            new_spans += [Span(doc, span.start, span.end, label=label) for span in (long_span, short_span)]
        if replaced:
            doc.ents = [ent for ent in doc.ents if (ent.start, ent.end) not in replaced]
        known = {short: label for short, label in ((s.text, s.label_) for s in new_spans) if short in doc._.acronyms}
        for short, label in known.items():
            for start in whole_word_occurrences(doc_text(doc), short):
                span = doc.char_span(start, start + len(short), label=label)
                new_spans += [span] if span is not None else []
        set_entities(doc, new_spans, "acronym")
        return doc


class ContextTyper(BatchedComponent):
    """Decide Dataset vs Benchmark from the text's own head noun, for a name or a list of names.

    "the X benchmark", "X and Y benchmarks", "X, Y and Z math benchmarks", "benchmarks such as X
    and Y" -> Benchmark; likewise dataset/corpus -> Dataset; the head may follow the bracket that closes
    an acronym or list ("... Harmful (HH) dataset"). A Model or Method name changes type
    only when the head noun follows it directly ("the MuJoCo environment"). The name of a "Name: subtitle"
    title is a Benchmark when the subtitle opens "Benchmarking ..." or "Evaluating ...", and no Dataset or
    Benchmark when the subtitle says nothing of data or evaluation (`title_name_type`). A Method the text
    calls a task or problem ("the XMLC task", "the problem of X") is a Task (`called_a_task`), one it calls a
    metric or score ("MAUVE scores") a Metric (`called_a_metric`). A name-shaped
    word no component found is an entity when an appositive types it (`names_with_appositives`).
    """

    def __init__(self, nlp: Language, name: str):
        self.name = name

    def __call__(self, doc: Doc) -> Doc:
        ents = list(doc.ents)
        labels = [ent.label_ for ent in ents]
        typed_by_text = set()
        for group in coordinated_groups(doc, ents):
            after = head_after(doc, ents[group[-1]].end)
            before = None if after else head_before(doc, ents[group[0]].start)
            head = after[0] if after else before or list_apposition_type(doc, ents[group[-1]].end)
            # "the X environment" or "datasets such as X, Y" name the type outright, even for
            # names the earlier components took for a Model or Method.
            explicit = before is not None or (after is not None and after[1] == 0 and len(group) == 1)
            for index in group:
                if head and (labels[index] in DATA_LABELS or (labels[index] in ("Model", "Method") and explicit)):
                    labels[index] = head
                    typed_by_text.add(index)
        for index, ent in enumerate(ents):
            if said := apposition_type(doc, ent):
                labels[index] = said
                typed_by_text.add(index)
            elif labels[index] == "Method" and called_a_task(doc, ent):
                labels[index] = "Task"
                typed_by_text.add(index)
            elif labels[index] == "Method" and called_a_metric(doc, ent):
                labels[index] = "Metric"
        if (titled := title_name_type(doc)) is not None:
            name, label = titled
            for index, ent in enumerate(ents):
                if labels[index] in RETYPED_BY_TITLE[label] and span_text(ent) == name:
                    labels[index] = label
        if any(label != ent.label_ for ent, label in zip(ents, labels)):
            # a retyped entity keeps its offsets, and with them the source recorded for it
            doc.ents = [ent if label == ent.label_ else Span(doc, ent.start, ent.end, label=label)
                        for ent, label in zip(ents, labels)]
        if typed_by_text:
            doc._.typed_by_text = frozenset((ents[index].start_char, ents[index].end_char) for index in typed_by_text)
        named = title_prefix_name(doc)
        set_entities(doc, ([named] if named is not None else []) + names_before_heads(doc) + names_in_lists(doc)
                     + names_with_appositives(doc), "context")
        return doc


@lru_cache(maxsize=8)
def string_ids(words: tuple[str, ...]) -> numpy.ndarray:
    return numpy.array([get_string_id(word) for word in words], dtype="uint64")


def tokens_of(doc: Doc, words: dict[str, str], *, ignore_case: bool = True):
    """(token, value) for each token that is a key of `words`, found by comparing hashes in numpy
    (visiting every token in Python costs more than the rest of the component; for a handful of words,
    comparing every token with every word beats ``numpy.isin``, which sorts)."""
    attribute = LOWER if ignore_case else ORTH
    for i in numpy.flatnonzero((doc.to_array(attribute)[:, None] == string_ids(tuple(words))).any(axis=1)):
        token = doc[int(i)]
        yield token, words[token.lower_]


NOT_NAME_WORDS = {"new", "novel", "large", "open", "unified", "public", "our", "this", "the", "a", "an", "real",
                  "synthetic", "standard", "popular", "challenging", "diverse", "comprehensive", "first", "high",
                  "quality", "scale", "world", "benchmark", "dataset", "corpus", "evaluation", "test", "training"}


def names_before_heads(doc: Doc) -> list[Span]:
    """Names the text itself calls a dataset or benchmark: "the Polyvore dataset", "a Teeth3DS benchmark".

    Up to three name-like words (a capital inside the sentence, or a digit) right before a singular
    head noun, in running text (not a Title Case heading), that no component has found.

    >>> doc = spacy.blank("en")("We report an AUC of 0.95 on the Polyvore dataset and on a New Benchmark Suite.")
    >>> [(span.text, span.label_) for span in names_before_heads(doc)]
    [('Polyvore', 'Dataset')]
    """
    found = []
    for head, label in tokens_of(doc, SINGULAR_HEADS, ignore_case=False):  # "The Polyvore Dataset" is a heading
        start = head.i
        while start > 0 and head.i - start < 3 and is_name_word(doc[start - 1]):
            start -= 1
        if start < head.i and not any(token.ent_type_ for token in doc[start:head.i]):
            found.append(Span(doc, start, head.i, label=label))
    return found


# Words that open a list of names after a head noun, longest first ("datasets such as X", "benchmarks (e.g., X").
LIST_INTRODUCERS = (("such", "as"), ("e.g.", ","), ("i.e.", ","), ("including",), ("like",), ("namely",), ("e.g.",),
                    ("i.e.",), (":",))


def list_start(doc: Doc, i: int) -> int | None:
    """Where a list of names begins when a list introducer starts at token `i`: "such as X", ", namely X",
    "(e.g., X", or a bare "(X" (not a citation).

    >>> doc = spacy.blank("en")("benchmarks (e.g., MATH, AIME) and two datasets, namely SVHN and CUB (Wah et al., 2011)")
    >>> list_start(doc, 1), list_start(doc, 11), list_start(doc, 16)
    (4, 13, None)
    """
    opening = doc[i].text if i < len(doc) else ""
    start = i + 1 if opening in ("(", ",") else i
    for words in LIST_INTRODUCERS:
        if tuple(token.lower_ for token in doc[start:start + len(words)]) == words:
            return start + len(words)
    return start if opening == "(" and skip_citation(doc, i) == i else None


def names_in_lists(doc: Doc) -> list[Span]:
    """Names listed after "benchmarks such as" / "datasets including" (citations skipped), typed by the head.

    >>> doc = spacy.blank("en")("It covers 13 benchmarks such as MT-Bench, Big Bench (Srivastava et al., 2022), and Open LLM Leaderboard.")
    >>> [(span.text, span.label_) for span in names_in_lists(doc)]
    [('MT-Bench', 'Benchmark'), ('Big Bench', 'Benchmark'), ('Open LLM Leaderboard', 'Benchmark')]
    """
    found = []
    for head, label in tokens_of(doc, PLURAL_HEADS):
        i = list_start(doc, head.i + 1)
        while i is not None and i < len(doc):
            i = skip_citation(doc, i)
            start = i
            while i < len(doc) and (is_name_word(doc[i], in_list=True) or (i > start and doc[i - 1].whitespace_ == "" and doc[i].is_alpha)
                                    or (i > start and doc[i].text in "-+" and doc[i - 1].whitespace_ == "")):
                i += 1
            if start == i or i - start > 5:
                break
            if not any(token.ent_type_ for token in doc[start:i]):
                found.append(Span(doc, start, i, label=label))
            i = skip_citation(doc, i)
            while i < len(doc) and doc[i].text in (",", "and", "or"):
                i += 1
    return found


def skip_citation(doc: Doc, i: int) -> int:
    """The token after a "(Author et al., 2024)" citation starting at `i`, or `i`."""
    if i < len(doc) and doc[i].text == "(":
        close = next((t.i for t in doc[i: i + 12] if t.text == ")"), None)
        if close is not None and re.search(r"et al|\b(19|20)\d\d\b", doc[i:close].text):
            return close + 1
    return i


def is_name_word(token: Token, *, in_list: bool = False) -> bool:
    """A word that can be part of a name: a capital or a digit; outside a list, not a heading word."""
    text = token.text
    if token.is_stop or not text[:1].isalnum() or (not in_list and (token.is_sent_start or token.lower_ in NOT_NAME_WORDS)):
        return False
    return has_capital_or_digit(text)


def title_colon(doc: Doc) -> int | None:
    """Index of the colon of a text opening "Name: ..." (a name of at most four tokens), or None."""
    return next((token.i for token in doc[:5] if token.text == ":"), None)


# Subtitle words that say a title's name may be data or an evaluation: the type heads and a few more.
DATA_WORDS = {*TYPE_HEADS, "data", "collection", "arena", "bench", "testbed", "evaluation", "evaluating", "benchmarking",
              "challenge"}


# A subtitle opening with one of these says the title's name is an evaluation suite:
# "DeepPHY: Benchmarking Agentic VLMs ...", "SciVer: Evaluating Foundation Models for ...".
EVALUATING_WORDS = {"benchmarking", "evaluating"}
# The types the title's name may have before `title_name_type` retypes it, by the type it gives.
RETYPED_BY_TITLE = {"Method": DATA_LABELS, "Benchmark": ("Method", "Model", "Dataset")}


def title_name_type(doc: Doc) -> tuple[str, str] | None:
    """(name, type) for the name of a "Name: subtitle" title when its subtitle tells a Benchmark from
    a Method, or None.

    - A subtitle opening "Benchmarking ..." or "Evaluating ..." makes the name a Benchmark: so do the
      training papers with such a title that annotate its name, 10 of 10.
    - A subtitle that says nothing of data or evaluation makes it no Dataset or Benchmark, but a Method:
      of the training papers with such a title that annotate its name, 98% make it something other than
      a Dataset or Benchmark (492 of 502, mostly a Method).

    >>> nlp = spacy.blank("en")
    >>> title_name_type(nlp("CycleFlow: Cycle Consistency in Flow Matching"))
    ('CycleFlow', 'Method')
    >>> title_name_type(nlp("DeepPHY: Benchmarking Agentic VLMs on Physical Reasoning"))
    ('DeepPHY', 'Benchmark')
    >>> title_name_type(nlp("OpenWebMath: An Open Dataset of Mathematical Web Text")) is None
    True
    """
    colon = title_colon(doc)
    if not colon or colon + 1 >= len(doc):
        return None
    if doc[colon + 1].lower_ in EVALUATING_WORDS:
        return tokens_text(doc, 0, colon), "Benchmark"
    if any(token.lower_ in DATA_WORDS for token in doc[colon + 1:title_token_end(doc)]):
        return None
    return tokens_text(doc, 0, colon), "Method"


def title_prefix_name(doc: Doc) -> Span | None:
    """A name that opens the text and is said what it is: "OpenWebMath: An Open Dataset of ..." -> Dataset.

    >>> doc = spacy.blank("en")("OpenWebMath: An Open Dataset of Mathematical Web Text")
    >>> span = title_prefix_name(doc)
    >>> span.text, span.label_
    ('OpenWebMath', 'Dataset')
    """
    colon = title_colon(doc)
    if not colon or not has_capital_or_digit(doc[:colon].text):
        return None
    label = appositive_head(doc, colon)
    return Span(doc, 0, colon, label=label) if label else None


# "X, a large language model ..." / "X, a simple framework that ..." : the paper says what X is.
APPOSITION_HEADS = {
    "model": "Model", "llm": "Model", "vlm": "Model", "mllm": "Model",
    "method": "Method", "framework": "Method", "algorithm": "Method", "approach": "Method", "technique": "Method",
    "architecture": "Method", "system": "Method", "library": "Method", "toolkit": "Method", "loss": "Method",
    "optimizer": "Method", "paradigm": "Method", "pipeline": "Method", "strategy": "Method",
    "dataset": "Dataset", "corpus": "Dataset", "collection": "Dataset",
    "benchmark": "Benchmark", "suite": "Benchmark", "environment": "Benchmark", "leaderboard": "Benchmark",
    "metric": "Metric", "measure": "Metric", "score": "Metric",
}
APPOSITION_SPAN = 6  # words between the article and the head noun at most
APPOSITION_STOPS = {"that", "which", "for", "to", "with", "on", "in", "of", "by", "using", "where", "who", "trained",
                    "designed", "based", "built", "capable", "and", "or"}


def apposition_type(doc: Doc, ent: Span) -> str | None:
    """The type an appositive gives a name: "X, a model merging framework that ..." -> Method.

    The last head noun before the appositive's first clause word decides. Only names with a
    capital or a digit change type ("large language models, a ..." says nothing about one thing).
    """
    if not has_capital_or_digit(span_text(ent)):
        return None
    return appositive_head(doc, ent.end)


def names_with_appositives(doc: Doc) -> list[Span]:
    """Name-shaped words no component has found that an appositive types: "Pocket-K, a single-lead AI-ECG
    system", "PaperTalker, the first benchmark of ...". In the training papers every such word is annotated
    (186 of 186 after "a/an", with the appositive's type 162 times; 11 of 11 after "the first", all of that type).

    >>> doc = spacy.blank("en")("We validated Pocket-K, a single-lead ECG system, on GPUs, a hardware choice.")
    >>> [(span.text, span.label_) for span in names_with_appositives(doc)]
    [('Pocket-K', 'Method')]
    """
    found = []
    for comma, _ in tokens_of(doc, {",": ","}):
        if comma.i == 0 or doc[comma.i - 1].ent_type_:
            continue
        before = doc[comma.i - 1]
        if not has_capital_or_digit(before.text) and not (before.i and doc[before.i - 1].text == "-"):
            continue  # a lowercase word on its own is never name-shaped: the cheapest test first
        start, end = hyphenated_name(doc, comma.i - 1)
        link = start > 0 and doc[start - 1].lower_ in ("http", "https")  # arXiv's stand-in for a link: "this http URL"
        if link or not is_name_shaped(tokens_text(doc, start, end)) or any(t.ent_type_ for t in doc[start:end]):
            continue
        if (label := appositive_head(doc, comma.i)) is not None:  # the name's shape first: it is the cheaper test
            found.append(Span(doc, start, end, label=label))
    return found


def appositive_words(doc: Doc, start: int):
    """The words of an appositive from token `start` up to its first clause word or punctuation, at most
    APPOSITION_SPAN of them; a hyphenated word ("single-lead") counts once.

    >>> doc = spacy.blank("en")("X, a single-lead AI-ECG screening system that runs")
    >>> [token.text for token in appositive_words(doc, 3)]
    ['single', '-', 'lead', 'AI', '-', 'ECG', 'screening', 'system']
    """
    words = 0
    for token in doc[start:]:
        previous = doc[token.i - 1]
        words += not (token.text in "-/" or (token.i > start and previous.text in "-/" and not previous.whitespace_))
        if words > APPOSITION_SPAN or (token.is_punct and token.text not in "-/") or token.lower_ in APPOSITION_STOPS:
            return
        yield token


def appositive_head(doc: Doc, end: int) -> str | None:
    """The type named by ", a/an ... <head>" or ", the first ... <head>" (or after ":") starting at token `end`."""
    if end + 2 >= len(doc) or doc[end].text not in (",", ":"):
        return None
    if doc[end + 1].lower_ in ("a", "an"):
        start = end + 2
    elif doc[end + 1].lower_ == "the" and doc[end + 2].lower_ == "first":
        start = end + 3
    else:
        return None
    head = None
    for token in appositive_words(doc, start):
        word = token.lower_ if token.lower_ in APPOSITION_HEADS else token.lower_.rstrip("s")
        head = APPOSITION_HEADS.get(word, head)
    return head


COUNT_WORDS = {"two", "three", "four", "five", "six", "seven", "eight", "nine", "ten", "both", "several", "multiple"}


def list_apposition_type(doc: Doc, end: int) -> str | None:
    """The type a plural appositive gives a list: "GSM8K and MATH, two popular math reasoning benchmarks".

    >>> nlp = spacy.blank("en")
    >>> doc = nlp("on SVAMP and MATH, two popular math reasoning benchmarks .")
    >>> list_apposition_type(doc, 4)
    'Benchmark'
    """
    if end + 2 >= len(doc) or doc[end].text != "," or doc[end + 1].lower_ not in COUNT_WORDS:
        return None
    return next((TYPE_HEADS[token.lower_] for token in appositive_words(doc, end + 2) if token.lower_ in TYPE_HEADS), None)


LIST_JOINERS = {",", "and", "or", "/", "&"}
NOT_A_MODIFIER = {"on", "in", "of", "for", "with", "to", "from", "by", "at", "as", "across", "over", "and", "or", "the"}


def coordinated_groups(doc: Doc, ents: list[Span]) -> list[list[int]]:
    """Indexes of entities that form one list ("X, Y and Z"): only joiners stand between them."""
    groups: list[list[int]] = []
    for index, ent in enumerate(ents):
        if groups and all(token.lower_ in LIST_JOINERS for token in doc[ents[groups[-1][-1]].end: ent.start]) \
                and ents[groups[-1][-1]].end < ent.start:
            groups[-1].append(index)
        else:
            groups.append([index])
    return groups


# Nouns that make the name before them (or after "... of") a task: "the XMLC task", "the problem of imitation learning".
TASK_HEADS = {"task", "tasks", "problem", "problems"}


def called_a_task(doc: Doc, ent: Span) -> bool:
    """Whether the text calls the name a task or problem: "X task(s)", "X problem(s)", "the task/problem of (the) X",
    where the phrase ends there (not "the LLM task scheduler", "the problem of the SIR model").

    >>> doc = spacy.blank("en")("the XMLC task , the problem of imitation learning . the LLM task scheduler")
    >>> [called_a_task(doc, doc[start:end]) for start, end in ((1, 2), (7, 9), (11, 12))]
    [True, True, False]
    """
    if ent.end < len(doc) and doc[ent.end].lower_ in TASK_HEADS:
        return phrase_ends(doc, ent.end + 1)
    before = ent.start - (2 if ent.start >= 1 and doc[ent.start - 1].lower_ == "the" else 1)
    return before >= 1 and doc[before].lower_ == "of" and doc[before - 1].lower_ in TASK_HEADS and phrase_ends(doc, ent.end)


METRIC_HEADS = {"metric", "metrics", "score", "scores"}


def called_a_metric(doc: Doc, ent: Span) -> bool:
    """Whether the text calls the name a metric or score: "X metric(s)", "X (ACR) score", the phrase ending there.
    Training names so written are Metrics 57 times in 68 (a Task's name is not retyped: "QE metrics", "transferability
    estimation metrics" are measures of a task).

    >>> doc = spacy.blank("en")("the Fill-in-the-Blank (FITB) metric, MAUVE scores, BLEU score function")
    >>> [called_a_metric(doc, doc[start:end]) for start, end in ((1, 8), (13, 14), (16, 17))]
    [True, True, False]
    """
    end = ent.end + 3 if ent.end + 2 < len(doc) and doc[ent.end].text == "(" and doc[ent.end + 2].text == ")" else ent.end
    return end < len(doc) and doc[end].lower_ in METRIC_HEADS and phrase_ends(doc, end + 1)


def phrase_ends(doc: Doc, i: int) -> bool:
    """No noun phrase goes on at token `i`: the text ends, or punctuation or a function word comes next."""
    return i >= len(doc) or (doc[i].is_punct and doc[i].text != "-") or doc[i].is_stop


def head_after(doc: Doc, end: int) -> tuple[str, int] | None:
    """(type, words skipped) when a type head noun follows within two modifier words, or after the bracket that
    closes the name's acronym or list ("... Harmful (HH) dataset", "(AGIEval, ARC) datasets"; the bracket counts
    as a word skipped, so it only tells a dataset from a benchmark).

    >>> doc = spacy.blank("en")("the NOCS dataset , the Harmful ( HH ) dataset")
    >>> head_after(doc, 2), head_after(doc, 8)
    (('Dataset', 0), ('Dataset', 1))
    """
    bracket = int(end < len(doc) and doc[end].text == ")")
    for skipped in range(3):
        if end + bracket + skipped >= len(doc):
            return None
        token = doc[end + bracket + skipped]
        if token.lower_ in TYPE_HEADS:
            return TYPE_HEADS[token.lower_], bracket + skipped
        if not token.is_alpha or token.lower_ in NOT_A_MODIFIER or token.ent_type_:
            return None
    return None


def head_before(doc: Doc, start: int) -> str | None:
    """The type of "benchmarks such as ..." / "datasets (e.g., ..." just before a list."""
    for head in range(start - 2, max(start - 5, -1), -1):
        if doc[head].lower_ in TYPE_HEADS and list_start(doc, head + 1) == start:
            return TYPE_HEADS[doc[head].lower_]
    return None


# The last part of a hyphenated modifier ("rehearsal-free", "AI-based", "task-specific"): standing alone such a
# word describes a name and is none. Of the training abstracts' words so shaped, annotators made a name of 8 in 2,273
# (each word counted once a paper).
MODIFIER_ENDS = ("free", "based", "aware", "agnostic", "specific", "like", "style", "wise", "level", "driven", "guided",
                 "conditioned", "oriented", "centric", "only", "efficient", "friendly", "grained", "scale", "fits-all")
MODIFIER = re.compile(r"[^\s]+-(?:%s)" % "|".join(MODIFIER_ENDS))


def is_modifier(text: str) -> bool:
    """A single hyphenated word that modifies a noun ("rehearsal-free", "AI-based"), not a name.

    >>> is_modifier("rehearsal-free"), is_modifier("AI-based"), is_modifier("Model-based RL"), is_modifier("free")
    (True, True, False, False)
    """
    return bool(MODIFIER.fullmatch(text))


def is_math_fragment(text: str) -> bool:
    """A piece of LaTeX cut mid-formula ("R^{n_1 times", "M^"), not a name; "M^{3}ViT" stays.

    >>> is_math_fragment("R^{n_1 times"), is_math_fragment("M^"), is_math_fragment("M^{3}ViT")
    (True, True, False)
    """
    return text.count("{") != text.count("}") or text.endswith(("^", "_", "\\")) or "\\" in text


EDITION = re.compile(r"^(\d{2}|(19|20)\d{2})$")
# "v2", "3.1", "7B", "8x7B": a version or size that belongs to a name ("P-tuning v2", "Llama 3.1", "Vicuna 13B").
VERSION = re.compile(r"^(?:[vV]\d+(?:\.\d+)*|\d+\.\d+(?:\.\d+)?|(?:\d+x)?\d+(?:\.\d+)?[BMK])$")
AFTER_EDITION = {"and", "or", "with", "on", "in", "to", "by", "for", "as", "while", "where", "using", "than", "from"}


def with_edition(doc: Doc, end: int, label: str) -> int:
    """Keep the version or size of a name ("P-tuning v2", "Llama 3.1 8B") and, for a dataset or
    benchmark, its year or edition ("AIME 2024", "HMMT 25", "Atari 2600"). Not when a noun, a
    range or a unit follows ("50 problems", "25-30", "25%", "2.5 points").

    >>> doc = spacy.blank("en")("We tune P-tuning v2 and Llama 3.1 8B on AIME 2024 , not 2.5 points .")
    >>> names = ((2, 5, "Method"), (7, 8, "Model"), (11, 12, "Benchmark"))  # P-tuning, Llama, AIME
    >>> [doc[start:with_edition(doc, end, label)].text for start, end, label in names]
    ['P-tuning v2', 'Llama 3.1 8B', 'AIME 2024']
    """
    while end < len(doc) and doc[end - 1].whitespace_ != "":
        is_edition = label in DATA_LABELS and EDITION.match(doc[end].text)
        if not (is_edition or VERSION.match(doc[end].text)):
            break
        after = doc[end + 1] if end + 1 < len(doc) else None
        if not (after is None or (after.is_punct and after.text not in "-%") or after.lower_ in AFTER_EDITION
                or VERSION.match(after.text) or after.lower_ in TRAILING_GENERIC or after.lower_ in ("model", "models")):
            break
        end += 1
    return end


class SpanHygiene(BatchedComponent):
    """Apply the span rules of GUIDELINES.md: no determiners, no generic heads, no bare generic words,
    no organisations or venues.

    A head word stays where an acronym spells it, "Massive Text Embedding Benchmark (MTEB)", or where it
    belongs to the name, "Waymo Open Dataset" (`is_named_head`); a name so ending takes the head's type.
    """

    def __init__(self, nlp: Language, name: str):
        self.name = name

    def __call__(self, doc: Doc) -> Doc:
        ents, current = [], doc.ents
        acronym_of = {long: short for short, long in (doc._.acronyms or {}).items()}
        for ent in current:
            start, end = ent.start, ent.end
            while start < end and (doc[start].lower_ in LEADING_NOISE or doc[start].is_space):
                start += 1
            while end > start and doc[end - 1].is_space:  # the blanks left by LaTeX markup (`blank_markup`)
                end -= 1
            end = end_without_heads(doc, start, end, acronym_of.get(span_text(ent), ""), punct=True)
            while end > start and doc[end - 1].lower_ in TRAILING_FUNCTION_WORDS:  # "Test-Time Compute via"
                end -= 1
            if is_name_with_class_head(doc, start, end):  # "ConvTasNet models" -> "ConvTasNet"
                end -= 1
            while start < end and doc[start].is_punct and doc[start].text not in "(":
                start += 1
            if start >= end:
                continue
            if ent.label_ != "Metric" and any(ch.isupper() for ch in tokens_text(doc, start, end)):
                end = with_edition(doc, end, ent.label_)
            text = tokens_text(doc, start, end)
            if has_stray_bracket(text) and end < len(doc) and doc[end].text in (")", "]"):  # "FLUX Fill [Pro" + "]"
                end += 1
                text = tokens_text(doc, start, end)
            if text.lower() in GENERIC_WORDS or text in NOT_ENTITIES or not re.search(r"[A-Za-z]", text) or len(text) < 2 or NOT_A_NAME.search(text) \
                    or is_math_fragment(text) or has_stray_bracket(text) or is_modifier(text):
                continue
            label = own_head_type(doc, start, end) or ent.label_
            ents.append(ent if (start, end, label) == (ent.start, ent.end, ent.label_)
                        else sourced_span(doc, start, end, label, ent._.source))
        kept = filter_spans(ents)
        if kept != list(current):
            doc.ents = kept
        return doc


def has_stray_bracket(text: str) -> bool:
    """A bracket without its pair: the tokenizer kept "LLM)-based" or "Optimization(DPO" as one word, and the
    name is cut through it.

    >>> has_stray_bracket("LLM)-based"), has_stray_bracket("Direct Preference Optimization(DPO"), has_stray_bracket("SIM(3)")
    (True, True, False)
    """
    return text.count("(") != text.count(")") or text.count("[") != text.count("]")


# The characters coined names are written with ("GPT-4o", "Qwen2.5", "C++"); is_name_shaped adds the capitals.
NAME_CHARACTERS = re.compile(r"[A-Za-z0-9][\w.+-]*", re.ASCII)


def is_name_shaped(word: str) -> bool:
    """Two capitals ("LoRA", "3DGS"), or one capital and a digit after it ("Llama-2"; not "3D").

    >>> [is_name_shaped(word) for word in ("LoRA", "GPT-4o", "Llama-2", "SGD", "3D", "Transformer", "x86", "Ab-ü")]
    [True, True, True, True, False, False, False, False]
    """
    capitals = sum(ch.isupper() for ch in word)
    return bool(NAME_CHARACTERS.fullmatch(word)) and (capitals >= 2 or (
        capitals == 1 and any(ch.isdigit() for ch in word) and not word[0].isdigit()))


class NameShapeFinder(BatchedComponent):
    """Mark name-shaped words no component has found (fast mode, which has no NER): a Model when the
    word carries a number ("GPT-4", "ResNet50"), else a Method; the type prior later fixes known names.

    Whether a word is name-shaped is a flag spaCy works out once per word of the vocabulary, so finding
    them costs one array read per Doc.

    >>> nlp = spacy.blank("en")
    >>> doc = NameShapeFinder(nlp, "names")(nlp("We tune LoRA on Llama-2 with SGD in 3D ."))
    >>> [(ent.text, ent.label_) for ent in doc.ents]
    [('LoRA', 'Method'), ('Llama-2', 'Model'), ('SGD', 'Method')]
    """

    def __init__(self, nlp: Language, name: str):
        self.name = name
        self.flag = nlp.vocab.add_flag(is_name_shaped)

    def __call__(self, doc: Doc) -> Doc:
        spans = []
        for i in numpy.flatnonzero(doc.to_array(self.flag)):
            start, end = hyphenated_name(doc, int(i))
            label = "Model" if any(ch.isdigit() for ch in tokens_text(doc, start, end)) else "Method"
            spans.append(Span(doc, start, end, label=label))
        set_entities(doc, spans, "name-shape")
        return doc


class TitleRecheck:
    """Read a Title-Case title again, in sentence case, with the NER (default mode, right after the NER).

    In "Helps Language Model Alignment" every word looks like part of a name: the NER, trained mostly
    on abstracts, cannot tell the verb. Written in sentence case (`sentence_case`: a capitalised word
    keeps its capital only where the abstract capitalises it too, mid-sentence), the title reads like a
    sentence of the abstract. A name the NER finds in both readings takes the type it has in the
    sentence-case one. The names it finds there are recorded in ``doc._.title_recheck``;
    `pipeline.Extractor` leaves out an entity named only in the title whose words changed case there
    and that none of them overlaps.
    """

    def __init__(self, nlp: Language, name: str):
        self.name = name
        self.nlp = nlp

    def __call__(self, doc: Doc) -> Doc:
        return next(self.pipe([doc]))

    def pipe(self, docs: Iterable[Doc], *, batch_size: int = 64) -> Iterator[Doc]:
        # the trained components (tok2vec, if the NER does not embed its own, then the NER), in pipeline order
        readers = [component for name, component in self.nlp.pipeline if name in ("tok2vec", "ner")]
        for batch in minibatch(docs, size=batch_size):
            rechecked = []  # (doc, its title in sentence case)
            for doc in batch:
                text, title_end = doc_text(doc), doc.user_data.get(TITLE_END_KEY, 0)
                if is_title_case(text[:title_end]):
                    rechecked.append((doc, sentence_case(text[:title_end], text[title_end:].lstrip())))
            title_docs: Iterable[Doc] = (self.nlp.make_doc(title) for _, title in rechecked)
            for reader in readers:
                title_docs = reader.pipe(title_docs)
            for (doc, title), title_doc in zip(rechecked, title_docs):
                labels = {(ent.start_char, ent.end_char): ent.label_ for ent in title_doc.ents}
                doc._.title_recheck = TitleReading(title, frozenset(labels))
                doc.ents = [Span(doc, ent.start, ent.end, label=labels.get((ent.start_char, ent.end_char), ent.label_))
                            for ent in doc.ents]
            yield from batch


class TitleReading(NamedTuple):
    """A title in sentence case (same offsets as the title) and the (start_char, end_char) of the names the NER finds in it."""
    text: str
    names: frozenset[tuple[int, int]]

    def rejects(self, title: str, start: int, end: int) -> bool:
        """Whether the title's name at [start, end) changed case and the NER does not find it (nor one overlapping it)."""
        return self.text[start:end] != title[start:end] and not any(a < end and start < b for a, b in self.names)


def is_title_case(title: str) -> bool:
    """A title whose words of four letters or more mostly (60%) open with a capital, and has three or more of them.

    >>> is_title_case("Helps Language Model Alignment"), is_title_case("Data selection via compression")
    (True, False)
    """
    words = [word for word in re.findall(r"[A-Za-z][A-Za-z'-]*", title) if len(word) > 3]
    return len(words) >= 3 and sum(word[0].isupper() for word in words) >= 0.6 * len(words)


def sentence_case(title: str, abstract: str) -> str:
    """`title` with each capitalised word but the first lower-cased, unless `abstract` writes it capitalised
    mid-sentence too (a name's word); words with more capitals or digits ("GCGNet", "RGB-D") stay.
    Only the case changes, so offsets into the title hold for the result.

    >>> sentence_case("Graph Refiners Help Robust Forecasting", "We propose Graph Refiners for forecasting.")
    'Graph Refiners help robust forecasting'
    """
    named = {match.group() for match in CAPITALISED_WORD.finditer(abstract)
             if match.start() > 0 and not SENTENCE_END.fullmatch(abstract, match.start() - 2, match.start())}
    return CAPITALISED_WORD.sub(lambda match: match.group() if match.start() == 0 or match.group() in named
                                else match.group().lower(), title)


CAPITALISED_WORD = re.compile(r"\b[A-Z][a-z]+\b")
SENTENCE_END = re.compile(r"[.!?]\s")


def hyphenated_name(doc: Doc, i: int) -> tuple[int, int]:
    """The token range of the hyphenated name around token `i`, over parts with a capital or a digit
    ("OpenMath-CodeLlama-70B", "ZIP-FIT"; not "-based").

    >>> doc = spacy.blank("en")("an LLM-based Qwen2-7B and ZIP-FIT")
    >>> [doc[slice(*hyphenated_name(doc, i))].text for i in (1, 4, 8)]
    ['LLM', 'Qwen2-7B', 'ZIP-FIT']
    """
    def joins(hyphen: int, part: int) -> bool:
        return (0 <= part < len(doc) and doc[hyphen].text == "-" and not doc[hyphen].whitespace_
                and not doc[hyphen - 1].whitespace_ and has_capital_or_digit(doc[part].text))

    start, end = i, i + 1
    while end + 1 < len(doc) and joins(end, end + 1):
        end += 2
    while start >= 2 and joins(start - 1, start - 2):
        start -= 2
    return start, end


@Language.factory("kg_gazetteer", assigns=["doc.ents", "doc._.gazetteer_matches"],
                  default_config={"add_common_words": True})
def make_gazetteer(nlp: Language, name: str, add_common_words: bool) -> GazetteerMatcher:
    return GazetteerMatcher(nlp, name, add_common_words=add_common_words)


@Language.factory("kg_sentences", assigns=["token.is_sent_start"])
def make_sentence_splitter(nlp: Language, name: str) -> SentenceSplitter:
    return SentenceSplitter(nlp, name)


@Language.factory("kg_annotated", assigns=["doc.ents"], default_config={"min_share": 0.6})
def make_annotated_names(nlp: Language, name: str, min_share: float) -> AnnotatedNames:
    return AnnotatedNames(nlp, name, min_share=min_share)


@Language.factory("kg_title_recheck", assigns=["doc._.title_recheck"], requires=["doc.ents"])
def make_title_recheck(nlp: Language, name: str) -> TitleRecheck:
    return TitleRecheck(nlp, name)


@Language.factory("kg_acronyms", assigns=["doc.ents", "doc._.acronyms"])
def make_acronym_linker(nlp: Language, name: str) -> AcronymLinker:
    return AcronymLinker(nlp, name)


@Language.factory("kg_context", assigns=["doc.ents", "doc._.typed_by_text"])
def make_context_typer(nlp: Language, name: str) -> ContextTyper:
    return ContextTyper(nlp, name)


@Language.factory("kg_hygiene", assigns=["doc.ents"])
def make_span_hygiene(nlp: Language, name: str) -> SpanHygiene:
    return SpanHygiene(nlp, name)


@Language.factory("kg_names", assigns=["doc.ents"])
def make_name_shape_finder(nlp: Language, name: str) -> NameShapeFinder:
    return NameShapeFinder(nlp, name)
