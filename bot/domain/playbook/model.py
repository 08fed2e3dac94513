"""The playbook as data: what a sales manager edits in ``playbook/``.

The model is strict (unknown keys are errors) so that a typo in a key is caught at load time.
Cross-file checks (a step naming a missing script, overlapping bands…) live in
:mod:`bot.domain.playbook.checks`; this module only describes the shape of each file.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from bot.domain.vocabulary import Channel, SalesModel, Stage, StepKind, Tier

SCHEMA_VERSION = 1

Identifier = Annotated[
    str,
    StringConstraints(pattern=r"^[a-z][a-z0-9_]{0,31}$"),
]
"""Ids are short snake_case: they go into callback data (64 bytes) and the touch log."""

Label = Annotated[str, StringConstraints(min_length=1, max_length=60, strip_whitespace=True)]
Template = Annotated[str, StringConstraints(min_length=1, max_length=3500)]


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, str_strip_whitespace=False)


# ---------------------------------------------------------------------------- playbook.yaml


class Seller(Strict):
    """Who is selling: available to scripts as ``seller``."""

    company: Label
    product: Label
    website: str = ""
    value_proposition: Annotated[str, StringConstraints(max_length=300)] = ""


class Meetings(Strict):
    reminder_before_minutes: int = Field(default=60, ge=5, le=24 * 60)
    default_duration_minutes: int = Field(default=45, ge=10, le=8 * 60)


class Manifest(Strict):
    schema_: int = Field(alias="schema")
    version: Annotated[str, StringConstraints(pattern=r"^[0-9A-Za-z][0-9A-Za-z._-]{0,31}$")]
    name: Label
    locale: Literal["pt_BR", "en"] = "pt_BR"
    seller: Seller
    meetings: Meetings = Meetings()


# ---------------------------------------------------------------------------- icp.yaml

Fact = Literal[
    "cnae",
    "uf",
    "region",
    "headcount",
    "revenue",
    "branches",
    "registration",
    "financial_score",
    # From the CNPJ registry (a company directory fills them; a rep or an import may type them):
    "federal_status",
    "porte",
    "simples",
    "mei",
    "company_age",
]
Operator = Literal["eq", "ne", "lt", "le", "gt", "ge", "in", "not_in", "prefix"]


class Condition(Strict):
    """One test on one fact, e.g. ``{fact: financial_score, op: lt, value: 300}``."""

    fact: Fact
    op: Operator
    value: int | str | list[str] | list[int]


class Band(Strict):
    """An inclusive range of whole numbers; ``max`` omitted means "and above"."""

    min: int = Field(ge=0)
    max: int | None = None
    points: int = Field(ge=0)
    label: str = ""


class CnaeRule(Strict):
    prefix: str
    points: int = Field(ge=0)
    label: str = ""


class RegionRule(Strict):
    uf: list[str] | None = None
    region: str | None = None
    points: int = Field(ge=0)
    label: str = ""


class CnaeCriterion(Strict):
    weight: int = Field(ge=0, le=100)
    rules: list[CnaeRule]
    default: int = Field(default=0, ge=0)


class RegionCriterion(Strict):
    weight: int = Field(ge=0, le=100)
    rules: list[RegionRule]
    default: int = Field(default=0, ge=0)


class BandCriterion(Strict):
    weight: int = Field(ge=0, le=100)
    bands: list[Band]


class RegistrationCriterion(Strict):
    weight: int = Field(ge=0, le=100)
    active: int = Field(ge=0)
    exempt: int = Field(ge=0)
    inactive: int = Field(default=0, ge=0)


class Criteria(Strict):
    cnae: CnaeCriterion
    region: RegionCriterion
    headcount: BandCriterion
    revenue: BandCriterion
    branches: BandCriterion
    registration: RegistrationCriterion
    financial_score: BandCriterion


class Knockout(Strict):
    id: Identifier
    reason: Label
    when: list[Condition] = Field(min_length=1)


class SalesModelRule(Strict):
    model: SalesModel
    when: list[Condition] = Field(default_factory=list)
    why: Label


class Tiers(Strict):
    A: int = Field(ge=0, le=100)
    B: int = Field(ge=0, le=100)
    C: int = Field(ge=0, le=100)

    def tier_for(self, score: int) -> Tier:
        if score >= self.A:
            return Tier.A
        if score >= self.B:
            return Tier.B
        if score >= self.C:
            return Tier.C
        return Tier.D


class Icp(Strict):
    criteria: Criteria
    knockouts: list[Knockout] = Field(default_factory=list)
    tiers: Tiers
    sales_models: list[SalesModelRule] = Field(min_length=1)


# ---------------------------------------------------------------------------- cadence.yaml


class Step(Strict):
    id: Identifier
    kind: StepKind = StepKind.APPROACH
    title: Label
    channel: Channel
    delay_business_days: int = Field(ge=0, le=60)
    script: Identifier


class Cadence(Strict):
    steps: list[Step] = Field(min_length=1, max_length=20)
    no_response_reason: Identifier
    """Loss reason recorded when the breakup step passes without an answer."""


# ---------------------------------------------------------------------------- scripts.yaml


class Variant(Strict):
    subject: Annotated[str, StringConstraints(min_length=1, max_length=200)] | None = None
    body: Template


class Script(Strict):
    title: Label
    variants: dict[Annotated[str, StringConstraints(pattern=r"^[A-Z]$")], Variant] = Field(min_length=1, max_length=4)


class Scripts(Strict):
    scripts: dict[Identifier, Script] = Field(min_length=1)


# ---------------------------------------------------------------------------- objections.yaml


class Objection(Strict):
    id: Identifier
    label: Label
    recognise: list[Annotated[str, StringConstraints(min_length=2)]] = Field(min_length=1)
    answer: Template
    follow_up: Template


class Objections(Strict):
    objections: list[Objection] = Field(min_length=1, max_length=40)


# ---------------------------------------------------------------------------- reasons.yaml


class Reason(Strict):
    id: Identifier
    label: Label


LossStage = Literal["new", "prospecting", "connected", "meeting_booked", "meeting_held", "proposal_sent"]


class Reasons(Strict):
    loss: dict[LossStage, list[Reason]]
    no_show: list[Reason] = Field(min_length=1, max_length=30)


# ---------------------------------------------------------------------------- qualification.yaml

QuestionKey = Literal["contact_role", "pain", "budget", "intent"]


class Question(Strict):
    key: QuestionKey
    text: Template


class Qualification(Strict):
    script: Identifier
    questions: list[Question] = Field(min_length=4, max_length=4)


# ---------------------------------------------------------------------------- the whole


class Playbook(Strict):
    """Everything loaded from one playbook directory, validated and cross-checked."""

    manifest: Manifest
    icp: Icp
    cadence: Cadence
    scripts: dict[str, Script]
    objections: list[Objection]
    reasons: Reasons
    qualification: Qualification
    fingerprint: str = ""
    sources: dict[str, str] = Field(default_factory=dict)
    """File name → raw text, kept so an old version stays readable after the files change."""

    @property
    def version(self) -> str:
        return self.manifest.version

    def step(self, step_id: str) -> Step | None:
        return next((s for s in self.cadence.steps if s.id == step_id), None)

    def step_index(self, step_id: str) -> int:
        return next(i for i, s in enumerate(self.cadence.steps) if s.id == step_id)

    def objection(self, objection_id: str) -> Objection | None:
        return next((o for o in self.objections if o.id == objection_id), None)

    def loss_reasons(self, stage: Stage | str) -> list[Reason]:
        return list(self.reasons.loss.get(str(stage), []))  # type: ignore[call-overload]

    def loss_reason(self, reason_id: str) -> Reason | None:
        for reasons in self.reasons.loss.values():
            for reason in reasons:
                if reason.id == reason_id:
                    return reason
        return None

    def no_show_reason(self, reason_id: str) -> Reason | None:
        return next((r for r in self.reasons.no_show if r.id == reason_id), None)

    def content(self) -> dict[str, Any]:
        """The canonical content the fingerprint is computed from."""
        return self.model_dump(mode="json", exclude={"fingerprint", "sources"}, by_alias=True)


#: Files of a playbook directory and the model each must match.
FILES: dict[str, type[BaseModel]] = {
    "playbook.yaml": Manifest,
    "icp.yaml": Icp,
    "cadence.yaml": Cadence,
    "scripts.yaml": Scripts,
    "objections.yaml": Objections,
    "reasons.yaml": Reasons,
    "qualification.yaml": Qualification,
}
