"""The domain objects: CriteriaSet, Node, Rule, Band, Unit.

Plain frozen dataclasses: a criteria set is validated once by ``par.engine.criteria``
and then only read, by the scoring engine and by the dashboard.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property

RULE_TYPES = ("points", "yes_no", "ratio", "count", "survey", "deduction", "choice")
AGGREGATES = ("sum", "last", "mean", "max", "min")
# CONTRACT §1 "How quarters combine": the default first, then the others allowed.
ALLOWED_AGGREGATES = {
    "points": ("last", "sum", "mean", "max", "min"),
    "yes_no": ("last",),
    "ratio": ("sum", "last"),
    "count": ("sum", "last", "mean", "max", "min"),
    "survey": ("last", "sum", "mean", "max", "min"),
    "deduction": ("sum", "last", "mean", "max", "min"),
    "choice": ("last",),
}
KINDS = ("regular", "bonus", "penalty")
INDEX_DECIMALS = 2  # CONTRACT §4: ranks, grades and every display use the index to 2 decimals

# The one rounding (CONTRACT §4, second revision: half up on the decimal value) lives with the
# number formatting in par.i18n.formatting; the domain hands it on to the engine, which may
# import only the domain. Loaded on first use, so importing the models stays cheap.
_ROUNDING = ("half_up_units", "round_half_up")


def __getattr__(name: str):
    if name in _ROUNDING:
        from par.i18n import formatting

        return getattr(formatting, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


@dataclass(frozen=True)
class Band:
    """``min``: the figure is at least ``bound``; ``above``: it exceeds ``bound``."""

    bound: float
    strict: bool  # True for `above`
    points: float | None = None  # rule bands
    label: str | None = None  # grade bands of the whole index
    label_en: str | None = None

    def satisfied_by(self, figure: float) -> bool:
        return figure > self.bound if self.strict else figure >= self.bound


def sort_bands(bands: list[Band]) -> tuple[Band, ...]:
    """Descending bound; at an equal bound `above` comes before `min` (CONTRACT §1)."""
    return tuple(sorted(bands, key=lambda b: (-b.bound, not b.strict)))


@dataclass(frozen=True)
class Rule:
    type: str
    aggregate: str
    bands: tuple[Band, ...] | None = None
    linear: bool = False
    per_item: float | None = None
    options: dict[str, float] | None = None
    direction: str = "higher_is_better"
    when_empty: str = "na"
    source: "SurveySource | None" = None  # a survey leaf fed by a form's answers (SURVEY §1)


@dataclass(frozen=True)
class SurveySource:
    """Where a survey leaf's value comes from: the mean of these questions' percentages."""

    form: str
    questions: tuple[str, ...]


@dataclass(frozen=True)
class SurveyQuestion:
    code: str
    text: str
    options: dict[str, float | None] | None = None  # overrides the form's options


@dataclass(frozen=True)
class SurveyForm:
    """A questionnaire (SURVEY §1): answer label → percent (None: "không biết", excluded)."""

    id: str
    name: str
    options: dict[str, float | None]
    questions: tuple[SurveyQuestion, ...]
    min_responses: int = 30

    def options_of(self, code: str) -> dict[str, float | None]:
        for q in self.questions:
            if q.code == code:
                return q.options if q.options is not None else self.options
        raise KeyError(code)


@dataclass(frozen=True)
class Node:
    code: str
    name: str
    max: float
    kind: str = "regular"
    name_en: str | None = None
    description: str | None = None
    rule: Rule | None = None
    children: tuple["Node", ...] = ()
    line: int | None = None
    evidence_required: bool | None = None  # None: as the set (or the parent) says

    @property
    def is_leaf(self) -> bool:
        return self.rule is not None

    def walk(self):
        """This node and every descendant, parents before children."""
        yield self
        for child in self.children:
            yield from child.walk()

    def display_name(self, lang: str = "vi") -> str:
        return (self.name_en or self.name) if lang == "en" else self.name


@dataclass(frozen=True)
class CriteriaSet:
    id: str
    title: str
    year: int
    level: str
    domains: tuple[Node, ...]
    scale: float = 100.0
    max_total: float | None = None
    bands: tuple[Band, ...] = ()
    ties: str = "min"
    decision: str | None = None
    title_en: str | None = None
    source: str | None = None
    evidence_required: bool = False  # WORKFLOW §2: self rows need evidence to score
    sha256: str | None = None
    surveys: tuple[SurveyForm, ...] = ()  # SURVEY §1: the forms whose answers feed leaves
    extra: dict = field(default_factory=dict, compare=False)
    # the YAML text the set was read from (sha256 is its hash), kept so it can be stored
    yaml_text: str | None = field(default=None, compare=False, repr=False)

    @cached_property
    def nodes(self) -> dict[str, Node]:
        return {n.code: n for d in self.domains for n in d.walk()}

    def survey(self, form_id: str) -> SurveyForm | None:
        return next((f for f in self.surveys if f.id == form_id), None)

    @cached_property
    def leaves(self) -> tuple[Node, ...]:
        return tuple(n for n in self.nodes.values() if n.is_leaf)

    @cached_property
    def parent_of(self) -> dict[str, str | None]:
        out: dict[str, str | None] = {d.code: None for d in self.domains}
        for node in self.nodes.values():
            for child in node.children:
                out[child.code] = node.code
        return out

    @cached_property
    def needs_evidence(self) -> frozenset[str]:
        """Leaves whose self row scores only with evidence (WORKFLOW §2): a node's own
        ``evidence_required`` wins over its parent's, the set's is the default. Penalty leaves
        never need it: a deduction a unit reports itself must not vanish for want of a file."""
        out: set[str] = set()

        def walk(node: Node, inherited: bool, kind: str) -> None:
            own = inherited if node.evidence_required is None else node.evidence_required
            if node.is_leaf:
                if own and kind != "penalty":
                    out.add(node.code)
            for child in node.children:
                walk(child, own, kind)

        for domain in self.domains:
            walk(domain, self.evidence_required, domain.kind)
        return frozenset(out)

    @cached_property
    def domain_of(self) -> dict[str, str]:
        """Node code → code of its top-level node."""
        return {n.code: d.code for d in self.domains for n in d.walk()}

    @property
    def regular_max(self) -> float:
        return sum(d.max for d in self.domains if d.kind == "regular")

    def grade(self, index: float | None) -> str | None:
        """The band of the index as published: rounded half up to 2 decimals first, so
        89.995 (shown 90,00) is graded in a band from 90. None for no index."""
        return None if index is None else self.grades([index])[0]

    def grades(self, indices) -> list[str | None]:
        """``grade`` of many indices at once (NaN: None): the first band, in evaluation
        order, that the index rounded half up to 2 decimals satisfies."""
        import numpy as np

        from par.i18n.formatting import round_half_up

        figures = round_half_up(np.asarray(indices, dtype=float).reshape(-1), INDEX_DECIMALS)
        labels = np.full(len(figures), None, dtype=object)
        done = np.isnan(figures)
        for band in self.bands:
            hit = ~done & ((figures > band.bound) if band.strict else (figures >= band.bound))
            labels[hit] = band.label
            done |= hit
        return labels.tolist()

    def grade_label(self, label, lang: str = "vi"):
        """A grade as a person reads it: the band's English label in English, when given."""
        if lang == "en" and isinstance(label, str):
            for band in self.bands:
                if band.label == label and band.label_en:
                    return band.label_en
        return label

    def display_title(self, lang: str = "vi") -> str:
        return (self.title_en or self.title) if lang == "en" else self.title

    def short_title(self, lang: str = "vi") -> str:
        """For narrow pickers: the year first, then the title without its common opening."""
        title = self.display_title(lang)
        for opening in ("Bộ chỉ số CCHC ", "Bộ chỉ số cải cách hành chính ", "PAR index criteria for "):
            title = title.removeprefix(opening)
        return f"{self.year} · {title}"


@dataclass(frozen=True)
class Unit:
    id: str
    name: str
    level: str
    group: str | None = None
