"""The playbook as data: what a sales manager edits in ``playbook/``.

The model is strict (unknown keys are errors) so that a typo in a key is caught at load time.
Cross-file checks (a step naming a missing script, overlapping bands…) live in
:mod:`bot.domain.playbook.checks`; this module only describes the shape of each file.

Long because it is one schema: every file of ``playbook/`` (ICP with its registry conditions,
cadence, scripts, reasons, qualification, objections, economics) as the loader validates it,
with nothing but declarations.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Annotated, Any, Literal

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, StringConstraints

from bot.domain.money import parse_monthly, parse_once
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


LeadFact = Literal["tier", "sales_model", "source", "campaign"]
"""Facts of the lead itself (not of the company) a cadence rule may test, besides the ICP facts."""


class CadenceCondition(Strict):
    """One test of a cadence rule: an ICP fact (as in ``icp.yaml``), or the lead's tier, sales
    model, source (``manual``, ``import``…) or campaign, e.g. ``{fact: tier, op: in, value: [A, B]}``."""

    fact: Fact | LeadFact
    op: Operator
    value: int | str | list[str] | list[int]


class CadenceDef(Strict):
    """One cadence of ``cadence.yaml``: its steps, and the rule that gives it to a lead."""

    id: Identifier
    title: Label
    when: list[CadenceCondition] = Field(default_factory=list)
    """All must hold; the first cadence whose rule holds is the lead's (the last has none)."""
    recycle: bool = False
    """Only for leads that come back after a loss (``reasons.yaml`` → ``recycle``); never chosen by rules."""
    steps: list[Step] = Field(min_length=1, max_length=20)


#: The id an old single-cadence ``cadence.yaml`` (``steps:`` at the top) gets.
LEGACY_CADENCE_ID = "padrao"


class Cadence(Strict):
    """``cadence.yaml``: the cadences, in the order their rules are tried."""

    cadences: list[CadenceDef] = Field(min_length=1, max_length=20)
    no_response_reason: Identifier
    """Loss reason recorded when the breakup step passes without an answer."""

    def get(self, cadence_id: str | None) -> CadenceDef | None:
        return next((c for c in self.cadences if c.id == cadence_id), None)

    @property
    def chosen_by_rules(self) -> list[CadenceDef]:
        """The cadences a new lead may get, in rule order (the recycle ones left out)."""
        return [c for c in self.cadences if not c.recycle]

    @property
    def fallback(self) -> CadenceDef:
        """The last cadence chosen by rules: the one with no rule, for every other lead."""
        return (self.chosen_by_rules or self.cadences)[-1]

    @property
    def steps(self) -> list[Step]:
        """The fallback cadence's steps (all an old single-cadence file had)."""
        return self.fallback.steps

    @property
    def all_steps(self) -> list[Step]:
        """Every step of every cadence (a step id may repeat across cadences)."""
        return [step for cadence in self.cadences for step in cadence.steps]


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


class RecycleRule(Strict):
    """A lead lost with ``reason`` comes back to its rep ``after_days`` later on ``cadence``."""

    reason: Identifier
    after_days: int = Field(ge=1, le=730)
    cadence: Identifier
    times: int = Field(default=1, ge=1, le=5)
    """How many times a lead may come back for this reason (then it stays lost)."""


class Reasons(Strict):
    loss: dict[LossStage, list[Reason]]
    no_show: list[Reason] = Field(min_length=1, max_length=30)
    recycle: list[RecycleRule] = Field(default_factory=list)

    def recycle_rule(self, reason_id: str | None) -> RecycleRule | None:
        return next((r for r in self.recycle if r.reason == reason_id), None)


# ---------------------------------------------------------------------------- qualification.yaml

QuestionKey = Literal["contact_role", "pain", "budget", "intent"]


class Question(Strict):
    key: QuestionKey
    text: Template


class Qualification(Strict):
    script: Identifier
    questions: list[Question] = Field(min_length=4, max_length=4)


# ---------------------------------------------------------------------------- economics.yaml (optional)


def _cents(parse: Any) -> Any:
    """A money value as the manager writes it (``6000``, ``"R$ 6.000"``, ``"1,5 mil"``) read into cents."""

    def read(value: Any) -> Any:
        if isinstance(value, bool) or not isinstance(value, int | float | str):
            return value  # pydantic says it is not a number
        return parse(str(value).replace(".", ",") if isinstance(value, float) else str(value))

    return read


MonthlyCents = Annotated[int, BeforeValidator(_cents(parse_monthly)), Field(ge=0)]
"""Cents per month; ``"/ano"`` after the value makes it annual (divided by 12)."""
OnceCents = Annotated[int, BeforeValidator(_cents(parse_once)), Field(ge=0)]
"""Cents paid once (a list purchase)."""
Percent = Annotated[Decimal, Field(ge=0, le=100)]

Role = Literal["rep", "sdr", "bdr", "ldr", "closer", "manager"]


class RepCost(Strict):
    """One rep's own monthly cost, overriding the role's."""

    telegram_id: int = Field(ge=1)
    monthly: MonthlyCents


class Team(Strict):
    roles: dict[Role, MonthlyCents] = Field(default_factory=dict)
    reps: list[RepCost] = Field(default_factory=list)


class Tool(Strict):
    name: Label
    monthly: MonthlyCents


class ListPurchase(Strict):
    campaign: Label
    cost: OnceCents
    label: str = ""


class Segment(Strict):
    """A customer segment: the first whose ``when`` holds (all its conditions) is the lead's."""

    id: Identifier
    label: Label
    churn_monthly_percent: Percent | None = None
    when: list[Condition] = Field(default_factory=list)


class Economics(Strict):
    """Costs and assumptions for the unit economics (``economics.yaml``, optional)."""

    team: Team = Team()
    tools: list[Tool] = Field(default_factory=list)
    lists: list[ListPurchase] = Field(default_factory=list)
    gross_margin_percent: Percent | None = None
    segments: list[Segment] = Field(default_factory=list)
    stage_probabilities: dict[Stage, Percent] = Field(default_factory=dict)

    def gross_margin(self) -> Decimal | None:
        """The gross margin as a fraction (``0.8``), ``None`` when not given."""
        return None if self.gross_margin_percent is None else self.gross_margin_percent / 100

    def churn(self, segment_id: str) -> Decimal | None:
        """A segment's monthly churn as a fraction, ``None`` when the segment or its churn is not given."""
        found = next((s for s in self.segments if s.id == segment_id), None)
        return None if found is None or found.churn_monthly_percent is None else found.churn_monthly_percent / 100

    def probabilities(self) -> dict[str, Decimal] | None:
        """Stage → probability as a fraction, ``None`` when the file gives none."""
        return {str(stage): p / 100 for stage, p in self.stage_probabilities.items()} or None

    def tools_monthly_cents(self) -> int:
        return sum(tool.monthly for tool in self.tools)

    def lists_cents(self, campaign: str | None = None) -> int:
        """What the lists bought cost, for one campaign or all."""
        return sum(item.cost for item in self.lists if campaign is None or item.campaign == campaign)


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
    economics: Economics | None = None
    """From ``economics.yaml`` when the playbook has one (the figures that need it say why they are "—")."""
    fingerprint: str = ""
    sources: dict[str, str] = Field(default_factory=dict)
    """File name → raw text, kept so an old version stays readable after the files change."""

    @property
    def version(self) -> str:
        return self.manifest.version

    def cadence_of(self, cadence_id: str | None, step_id: str | None = None) -> CadenceDef:
        """A lead's cadence: the one it was given (``cadence_id``) while the playbook has it; for a
        lead from before cadences had ids (or whose cadence left the playbook), the first that
        holds its step; else the fallback."""
        found = self.cadence.get(cadence_id)
        if found is not None:
            return found
        fallback = self.cadence.fallback
        if step_id and not any(s.id == step_id for s in fallback.steps):
            found = next((c for c in self.cadence.cadences if any(s.id == step_id for s in c.steps)), None)
        return found or fallback

    def step(self, step_id: str, cadence_id: str | None = None) -> Step | None:
        """The step ``step_id`` of the lead's cadence (see :meth:`cadence_of`)."""
        cadence = self.cadence_of(cadence_id, step_id)
        return next((s for s in cadence.steps if s.id == step_id), None)

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
        content = self.model_dump(mode="json", exclude={"fingerprint", "sources", "economics"}, by_alias=True)
        # A playbook in the older shapes (one cadence, no recycling) keeps the fingerprint it had,
        # so upgrading the bot never looks like a changed playbook under the same version.
        cadence = content["cadence"]
        [first, *others] = cadence["cadences"]
        if not others and first["id"] == LEGACY_CADENCE_ID and not first["when"] and not first["recycle"]:
            content["cadence"] = {"steps": first["steps"], "no_response_reason": cadence["no_response_reason"]}
        if not content["reasons"]["recycle"]:
            del content["reasons"]["recycle"]
        if self.economics is not None:  # a playbook without the file keeps the fingerprint it had
            content["economics"] = self.economics.model_dump(mode="json", by_alias=True)
        return content


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
#: Files a playbook may leave out, and the model each must match when present.
OPTIONAL_FILES: dict[str, type[BaseModel]] = {"economics.yaml": Economics}
