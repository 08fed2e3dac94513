"""Cards shared by several flows: the ICP card and the lead card, with their buttons."""

from __future__ import annotations

from zoneinfo import ZoneInfo

from telegram import InlineKeyboardMarkup

from bot.domain import cnae as cnae_table
from bot.domain import funnel
from bot.domain.cadence import CadenceStatus
from bot.domain.funnel import Way
from bot.domain.labels import label
from bot.domain.scoring import IcpResult, criterion_name
from bot.domain.vocabulary import CLOSED_STAGES, Role, Stage
from bot.i18n import N_, day, when
from bot.services import cadence, contacts, deals, privacy, tasks
from bot.services.icp import SALES_MODEL_NAMES
from bot.services.leads import score_facts
from bot.services.views import LeadCard
from bot.tg.callbacks import (
    Action,
    BookMeeting,
    ChooseCadence,
    Disqualify,
    EditDeal,
    EditLead,
    LoseLead,
    MeetingHeld,
    MeetingMoved,
    MeetingNoShow,
    MoveStage,
    NewTask,
    OfferReassign,
    OpenLead,
    ReopenLead,
    ResumeCadence,
    ShowContacts,
    ShowIcp,
    ShowStep,
    ShowTimeline,
    StartCadence,
    TaskDone,
    Verb,
)
from bot.tg.context import Context
from bot.tg.deal_words import deal_text
from bot.tg.keyboards import button, markup, rows

#: The lead card's buttons for the moves the funnel allows by hand: icon, label.
HAND_BUTTONS = {
    Stage.PROPOSAL_SENT: ("📄", N_("Proposta enviada")),
    Stage.WON: ("🏆", N_("Ganho")),
    Stage.LOST: ("❌", N_("Perdido")),
}


def _hand_move(lead_id: int, target: Stage) -> Action:
    """❌ Lost asks a loss reason first; the other moves are made at once."""
    return LoseLead(lead_id) if target is Stage.LOST else MoveStage(lead_id, target)


#: The domain's criterion names (Portuguese), listed here so the catalog translates them.
CRITERION_NAMES = (
    N_("CNAE"),
    N_("Região"),
    N_("Funcionários"),
    N_("Faturamento anual"),
    N_("Filiais"),
    N_("Inscrição estadual"),
    N_("Score financeiro"),
)


def stage_name(context: Context, stage: str) -> str:
    return label("stage", stage, context._)


def icp_card(
    context: Context, lead: LeadCard, result: IcpResult | None = None
) -> tuple[str, InlineKeyboardMarkup | None]:
    result = result or score_facts(context.runtime, lead.facts)
    criteria = [
        {
            "name": context._(criterion_name(c.criterion)),
            "value": c.value if c.known else "?",
            "reason": c.reason if c.known else context._("desconhecido, não pontuado"),
            "points": c.points,
            "max_points": c.max_points,
            "known": c.known,
        }
        for c in result.criteria
    ]
    text = context.render(
        "icp_card.html",
        lead=lead,
        result=result,
        criteria=criteria,
        sales_model=SALES_MODEL_NAMES[result.sales_model],
    )
    buttons = []
    stage, lead_id = Stage(lead.stage), lead.id or 0
    if stage not in CLOSED_STAGES:
        if lead.cadence_status == CadenceStatus.ACTIVE:
            buttons.append(button("▶️ " + context._("Passo atual"), ShowStep(lead_id)))
        elif funnel.allows(stage, Way.START):
            buttons.append(button("▶️ " + context._("Iniciar cadência"), StartCadence(lead_id)))
        buttons.append(button("✏️ " + context._("Editar dados"), EditLead(lead_id)))
    if Stage.LOST in funnel.targets(stage, Way.HAND):
        buttons.append(button("🚫 " + context._("Desqualificar"), Disqualify(lead_id)))
    buttons.append(button("📇 " + context._("Ficha do lead"), OpenLead(lead_id)))
    return text, markup(rows(buttons))


def lead_card(context: Context, lead: LeadCard) -> tuple[str, InlineKeyboardMarkup | None]:
    runtime = context.runtime
    member = context.me
    step = runtime.playbook.step(lead.current_step, lead.cadence_id) if lead.current_step else None
    meeting = cadence.pending_meeting(runtime, member, lead)
    loss = runtime.playbook.loss_reason(lead.loss_reason) if lead.loss_reason else None
    follow_up = tasks.next_open(runtime, member, lead.id or 0)
    text = context.render(
        "lead_card.html",
        lead=lead,
        stage=stage_name(context, lead.stage),
        next_step=step.title if step and lead.cadence_status == CadenceStatus.ACTIVE else None,
        due=when(lead.step_due_at, context.lang, member.timezone) if lead.step_due_at else None,
        meeting=when(meeting.starts_at, context.lang, member.timezone) if meeting else None,
        loss_reason=loss.label if loss else (lead.loss_reason or ""),
        cnae=cnae_table.all_subclasses().get(lead.cnae or ""),
        erased_on=erased_on(context, lead),
        follow_up=when(follow_up.due_at, context.lang, member.timezone) if follow_up else None,
        follow_up_note=follow_up.note if follow_up else "",
        deal=_deal_line(context, lead),
        others=contacts.others(runtime, lead.id or 0),
    )
    buttons = []
    stage, lead_id = Stage(lead.stage), lead.id or 0
    if lead.cadence_status == CadenceStatus.ACTIVE:
        buttons.append(button("▶️ " + context._("Passo atual"), ShowStep(lead_id)))
    elif lead.cadence_status == CadenceStatus.PAUSED and stage not in CLOSED_STAGES:
        buttons.append(button("▶️ " + context._("Retomar cadência"), ResumeCadence(lead_id)))
    elif lead.cadence_status == CadenceStatus.NOT_STARTED and funnel.allows(stage, Way.START):
        buttons.append(button("▶️ " + context._("Iniciar cadência"), StartCadence(lead_id)))
    can_book = funnel.allows(stage, Way.BOOKING)
    if meeting is not None:
        if Stage.MEETING_HELD in funnel.targets(stage, Way.MEETING):
            buttons.append(button("✅ " + context._("Reunião aconteceu"), MeetingHeld(meeting.id)))
        buttons.append(button("👻 " + context._("No-show"), MeetingNoShow(meeting.id)))
        if can_book:
            buttons.append(button("🔁 " + context._("Remarcar"), MeetingMoved(meeting.id)))
    elif can_book and stage is Stage.MEETING_BOOKED:
        buttons.append(button("📅 " + context._("Marcar data da reunião"), BookMeeting(lead_id)))
    elif can_book and lead.cadence_status != CadenceStatus.ACTIVE:
        buttons.append(button("📅 " + context._("Agendar reunião"), BookMeeting(lead_id)))
    for target in funnel.targets(stage, Way.HAND):  # what the funnel allows by hand, in its order
        icon, label = HAND_BUTTONS[target]
        buttons.append(button(icon + " " + context._(label), _hand_move(lead_id, target)))
    if follow_up is not None:
        buttons.append(button("✅ " + context._("Retorno feito"), TaskDone(follow_up.id)))
    buttons.append(button("⏰ " + context._("Retorno"), NewTask(lead_id)))
    buttons.append(button("🕓 " + context._("Histórico"), ShowTimeline(lead_id)))
    if stage in deals.VALUE_STAGES:
        buttons.append(button("💰 " + context._("Valor do negócio"), EditDeal(lead_id)))
    if funnel.allows(stage, Way.TOUCH) or (stage is Stage.NEW and len(runtime.playbook.cadence.cadences) > 1):
        buttons.append(button("🔀 " + context._("Cadência"), ChooseCadence(lead_id)))
    if funnel.allows(stage, Way.REOPEN):
        buttons.append(button("↩️ " + context._("Reabrir"), ReopenLead(lead_id)))
    buttons.append(button("📊 ICP", ShowIcp(lead_id)))
    buttons.append(button("👥 " + context._("Contatos"), ShowContacts(lead_id)))
    if member.role == Role.MANAGER and stage not in CLOSED_STAGES:
        buttons.append(button("🔁 " + context._("Passar"), OfferReassign(lead_id)))
    if privacy.may_erase(member) and (lead.personal_data_erased_at is None or lead.personal_data_left):
        buttons.append(button("🗑 " + context._("Apagar dados pessoais"), Verb.ERASE, lead.id, "ask"))
    return text, markup(rows(buttons))


def _deal_line(context: Context, lead: LeadCard) -> str | None:
    """The deal's value, once a meeting was held (one read by primary key)."""
    if lead.stage not in (*deals.VALUE_STAGES, Stage.LOST):
        return None
    deal = deals.deal_of(context.runtime, context.me, lead.id or 0)
    return deal_text(context, deal) if deal is not None else None


def erased_on(context: Context, lead: LeadCard) -> str | None:
    """The day the lead's personal data was erased, in the member's language and zone."""
    moment = lead.personal_data_erased_at
    if moment is None:
        return None
    return day(moment.astimezone(ZoneInfo(context.me.timezone)).date(), context.lang)
