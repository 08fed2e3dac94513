"""The words people read for the codes of the field: one place for every layer.

Codes (:mod:`bot.domain.vocabulary`) are stored, put in callback data and kept in the raw
columns of exports; people read these labels instead — on the cards, in the report and in the
label columns of exports. Labels are Brazilian Portuguese, marked with ``N_`` so the English
catalog translates them; :func:`label` looks one up and translates it with the ``gettext`` of
the reader's language (the pure domain cannot import :mod:`bot.i18n`).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import date

from bot.domain.cadence import CadenceStatus
from bot.domain.problems import N_
from bot.domain.registry import FederalStatus, Porte
from bot.domain.vocabulary import (
    Channel,
    ContactRole,
    MeetingStatus,
    Outcome,
    PurchaseIntent,
    Registration,
    Stage,
    StepKind,
)

Gettext = Callable[[str], str]

STAGE_LABELS: Mapping[str, str] = {
    Stage.NEW: N_("Novo"),
    Stage.PROSPECTING: N_("Em cadência"),
    Stage.CONNECTED: N_("Conectado"),
    Stage.MEETING_BOOKED: N_("Reunião agendada"),
    Stage.MEETING_HELD: N_("Reunião realizada"),
    Stage.PROPOSAL_SENT: N_("Proposta enviada"),
    Stage.WON: N_("Ganho"),
    Stage.LOST: N_("Perdido"),
}
CHANNEL_LABELS: Mapping[str, str] = {
    Channel.PHONE: N_("Ligação"),
    Channel.EMAIL: N_("E-mail"),
    Channel.WHATSAPP: N_("WhatsApp"),
    Channel.LINKEDIN: N_("LinkedIn"),
    Channel.VISIT: N_("Visita"),
}
OUTCOME_LABELS: Mapping[str, str] = {
    Outcome.NO_ANSWER: N_("Sem resposta"),
    Outcome.CONNECTED: N_("Atendeu"),
    Outcome.REPLIED: N_("Respondeu"),
    Outcome.MEETING_BOOKED: N_("Reunião agendada"),
    Outcome.OBJECTION: N_("Objeção"),
    Outcome.NOT_INTERESTED: N_("Sem interesse"),
    Outcome.WRONG_CONTACT: N_("Contato errado"),
    Outcome.SKIPPED: N_("Passo pulado"),
}
STEP_KIND_LABELS: Mapping[str, str] = {
    StepKind.APPROACH: N_("Abordagem"),
    StepKind.BREAKUP: N_("Mensagem de despedida"),
}
CONTACT_ROLE_LABELS: Mapping[str, str] = {
    ContactRole.DECISION_MAKER: N_("Decisor"),
    ContactRole.INFLUENCER: N_("Influenciador"),
    ContactRole.OTHER: N_("Outro"),
}
INTENT_LABELS: Mapping[str, str] = {
    PurchaseIntent.WITHIN_45_DAYS: N_("Em até 45 dias"),
    PurchaseIntent.WITHIN_90_DAYS: N_("Em até 90 dias"),
    PurchaseIntent.LATER: N_("Mais tarde"),
    PurchaseIntent.NONE: N_("Sem intenção"),
}
PAIN_LABELS: Mapping[str, str] = {"clear": N_("Dor clara"), "vague": N_("Dor vaga"), "none": N_("Sem dor")}
BUDGET_LABELS: Mapping[str, str] = {
    "yes": N_("Tem orçamento"),
    "approval": N_("Precisa aprovar"),
    "no": N_("Sem orçamento"),
}
MEETING_STATUS_LABELS: Mapping[str, str] = {
    MeetingStatus.SCHEDULED: N_("Agendada"),
    MeetingStatus.HELD: N_("Realizada"),
    MeetingStatus.NO_SHOW: N_("No-show"),
    MeetingStatus.RESCHEDULED: N_("Remarcada"),
    MeetingStatus.CANCELLED: N_("Cancelada"),
}
REGISTRATION_LABELS: Mapping[str, str] = {
    Registration.ACTIVE: N_("Ativa"),
    Registration.INACTIVE: N_("Inativa"),
    Registration.EXEMPT: N_("Isenta"),
}
CADENCE_STATUS_LABELS: Mapping[str, str] = {
    CadenceStatus.NOT_STARTED: N_("Não iniciada"),
    CadenceStatus.ACTIVE: N_("Ativa"),
    CadenceStatus.PAUSED: N_("Pausada"),
    CadenceStatus.STOPPED: N_("Parada (respondeu)"),
    CadenceStatus.FINISHED: N_("Encerrada"),
}
#: The open CNPJ registry's ``situacao_cadastral`` and ``porte``.
FEDERAL_STATUS_LABELS: Mapping[str, str] = {
    FederalStatus.NULL: N_("nula"),
    FederalStatus.ACTIVE: N_("ativa"),
    FederalStatus.SUSPENDED: N_("suspensa"),
    FederalStatus.UNFIT: N_("inapta"),
    FederalStatus.CLOSED: N_("baixada"),
}
PORTE_LABELS: Mapping[str, str] = {
    Porte.UNKNOWN: N_("não informado"),
    Porte.MICRO: N_("microempresa"),
    Porte.SMALL: N_("empresa de pequeno porte"),
    Porte.OTHER: N_("demais"),
}
YES = N_("sim")
NO = N_("não")

#: Every table of codes, by the kind of code it names (what exports and reports look up).
LABELS: Mapping[str, Mapping[str, str]] = {
    "stage": STAGE_LABELS,
    "channel": CHANNEL_LABELS,
    "outcome": OUTCOME_LABELS,
    "step_kind": STEP_KIND_LABELS,
    "contact_role": CONTACT_ROLE_LABELS,
    "intent": INTENT_LABELS,
    "pain": PAIN_LABELS,
    "budget": BUDGET_LABELS,
    "meeting_status": MEETING_STATUS_LABELS,
    "registration": REGISTRATION_LABELS,
    "cadence_status": CADENCE_STATUS_LABELS,
    "federal_status": FEDERAL_STATUS_LABELS,
    "porte": PORTE_LABELS,
}


def _same(message: str) -> str:
    return message


def label(kind: str, code: str | None, _: Gettext = _same) -> str:
    """The word for ``code`` of ``kind`` ("stage", "channel"…) in the reader's language.

    An unknown code (a value typed by hand, an old code) is shown as it is; ``None`` is "".
    """
    if code is None:
        return ""
    text = LABELS[kind].get(code)
    return _(text) if text is not None else code


def yes_no(value: bool | None, _: Gettext = _same) -> str:
    if value is None:
        return ""
    return _(YES) if value else _(NO)


WEEK_OF = N_("semana de %(day)s")
MONTHS_EN = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


def week_of(monday: date, language: str, _: Gettext = _same) -> str:
    """A week as people say it: "semana de 30/11" / "week of Nov 30"."""
    day = f"{MONTHS_EN[monday.month - 1]} {monday.day}" if language == "en" else monday.strftime("%d/%m")
    return _(WEEK_OF) % {"day": day}
