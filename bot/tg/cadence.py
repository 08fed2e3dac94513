"""Working a lead through the cadence: step card, outcomes, objections, qualification,
loss reasons, meetings and later stages.

Everything here is a button press except the meeting date, which is typed:

```mermaid
stateDiagram-v2
    [*] --> ASKING_WHEN: 📅 meeting booked (oc:…:meeting_booked)\nor "book a meeting" / "reschedule"
    ASKING_WHEN --> ASKING_WHEN: a date we cannot read, or past → the same question
    ASKING_WHEN --> [*]: a future working day → meeting saved, reminders planned
    ASKING_WHEN --> CONFIRMING_WHEN: a passed day without a year, a holiday, a weekend\n→ "Marcar mesmo assim?"
    CONFIRMING_WHEN --> [*]: ✅ Sim → meeting saved
    CONFIRMING_WHEN --> CONFIRMING_WHEN: ✅ Sim to "25/11/2027?" when that day is a holiday/weekend
    CONFIRMING_WHEN --> ASKING_WHEN: ❌ Não → the date question again
    CONFIRMING_WHEN --> CONFIRMING_WHEN: another date typed → judged like the first
    ASKING_WHEN --> [*]: /cancelar (the booked touch stays logged)
    CONFIRMING_WHEN --> [*]: /cancelar
```

The pending confirmation lives in ``user_data`` (persisted), so a restart in the middle of it
resumes it: the Sim/Não buttons still work.

A meeting's result (✅ held, 👻 no-show) is refused before the meeting starts, with one line;
nothing is saved.

Lists built from the playbook (objections, loss reasons, no-show reasons) are paged with ◀ ▶
(:func:`bot.tg.keyboards.paged`), never cut.

Outcome flow (stateless buttons, each re-authorised against the database):

Starting the cadence (fit before effort; ``bot.domain.funnel.needs_fit_confirmation``):

```mermaid
flowchart LR
    start[Iniciar cadência cs:…] -->|inside the ICP| step1[step 1]
    start -->|tier D or knocked out| ask[fora do ICP: iniciar mesmo assim?]
    ask -->|Sim cy:…:y| step1
    ask -->|Não cy:…:n| nothing[nothing started]
```

Every stage move below is asked of the funnel (``bot.domain.funnel``); a refused one is
answered with one line and changes nothing.

```mermaid
flowchart LR
    step[step card] -->|no answer / wrong contact| next[next step scheduled]
    step -->|connected| q1[role reached] --> q2[pain] --> q3[budget] --> q4[intent 45/90] --> what[what next?]
    step -->|replied| stop[cadence stopped]
    step -->|objection| list[objections] --> ans[answer + follow-up] --> what
    step -->|not interested| reasons[loss reason] --> lost
    step -->|meeting booked| when[ask date]
    what -->|book| when
    what -->|continue| next
    what -->|lost| reasons
```
"""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum
from typing import Any

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.ext import ConversationHandler

from bot.domain.cadence import choose_variant
from bot.domain.funnel import Way
from bot.domain.labels import CHANNEL_LABELS, LABELS
from bot.domain.moments import Doubt, InvalidMoment, Questionable
from bot.domain.playbook.model import Question
from bot.domain.script_context import context as script_context
from bot.domain.vocabulary import Channel, MeetingStatus, Outcome, Stage
from bot.i18n import day, when
from bot.render.messages import escape
from bot.render.scripts import render_script
from bot.services import cadence, leads
from bot.tg import flow_run
from bot.tg.callbacks import BadCallback, Verb, as_id, as_page, unpack
from bot.tg.cards import lead_card
from bot.tg.context import Context, ack, say, typed_text
from bot.tg.keyboards import NEXT, button, markup, paged, rows, url_button

CHANNEL_NAMES = CHANNEL_LABELS

#: Outcome buttons, with labels that fit the channel.
OUTCOME_CODES = {
    Outcome.NO_ANSWER: "na",
    Outcome.CONNECTED: "co",
    Outcome.REPLIED: "re",
    Outcome.MEETING_BOOKED: "mb",
    Outcome.OBJECTION: "ob",
    Outcome.NOT_INTERESTED: "ni",
    Outcome.WRONG_CONTACT: "wc",
    Outcome.SKIPPED: "sk",
}
OUTCOME_BY_CODE = {code: outcome for outcome, code in OUTCOME_CODES.items()}

QUESTION_ORDER = ("contact_role", "pain", "budget", "intent")
#: The answers of each qualification question: (label, code), words from the domain's labels.
QUESTION_CHOICES: dict[str, tuple[tuple[str, str], ...]] = {
    key: tuple((text, code) for code, text in LABELS[key].items()) for key in QUESTION_ORDER
}
MEETING_LEAD = "meeting_lead"


class MeetingFlow(StrEnum):
    ASKING_WHEN = "asking_when"
    CONFIRMING_WHEN = "confirming_when"
    ASKING_NOTE = "asking_note"


NOTE_TOUCH = "note_touch"
MAX_NOTE = 1000


MEETING_MOVED = "meeting_moved"
MEETING_TOUCH = "meeting_touch"
MEETING_PENDING = "meeting_pending"
"""The date waiting for the rep's yes: ``{"doubt", "day", "at", "holiday"}`` (JSON, persisted)."""


def _args(update: Update, verb: Verb, arity: int) -> list[str]:
    return unpack(update.callback_query.data if update.callback_query else None, verb, arity)


def _outcome_buttons(
    context: Context, lead_id: int, step_id: str, channel: Channel
) -> list[list[InlineKeyboardButton]]:
    _ = context._
    if channel is Channel.PHONE:
        labels = [(Outcome.NO_ANSWER, "📵 " + _("Não atendeu")), (Outcome.CONNECTED, "🗣 " + _("Atendeu"))]
    else:
        labels = [(Outcome.NO_ANSWER, "📤 " + _("Enviado, sem resposta")), (Outcome.REPLIED, "💬 " + _("Respondeu"))]
    labels += [
        (Outcome.MEETING_BOOKED, "📅 " + _("Reunião agendada")),
        (Outcome.OBJECTION, "🛡 " + _("Objeção")),
        (Outcome.NOT_INTERESTED, "🙅 " + _("Sem interesse")),
        (Outcome.WRONG_CONTACT, "❓ " + _("Contato errado")),
        (Outcome.SKIPPED, "⏭ " + _("Pular passo")),
    ]
    return rows(button(label, Verb.OUTCOME, lead_id, step_id, OUTCOME_CODES[o]) for o, label in labels)


async def show_step(update: Update, context: Context, lead_id: int, *, edit: bool = False) -> None:
    card = cadence.step_card(context.runtime, context.me, lead_id)
    variants = len(context.runtime.playbook.scripts[card.script_id].variants)
    text = context.render(
        "step_card.html", card=card, channel=context._(CHANNEL_NAMES[card.step.channel]), variants=variants
    )
    actions = []
    if card.whatsapp_url:
        actions.append(url_button("💬 " + context._("Abrir no WhatsApp"), card.whatsapp_url))
    if card.step.channel is Channel.LINKEDIN and card.lead.contact_linkedin.startswith("https://"):
        actions.append(url_button("🔗 " + context._("Abrir LinkedIn"), card.lead.contact_linkedin))
    await say(
        update, text, markup([actions], _outcome_buttons(context, lead_id, card.step.id, card.step.channel)), edit=edit
    )


async def start_pressed(update: Update, context: Context) -> None:
    (lead_text,) = _args(update, Verb.START, 1)
    lead_id = as_id(lead_text)
    try:
        lead = cadence.start_cadence(context.runtime, context.me, lead_id)
    except cadence.FitUnconfirmed as unconfirmed:
        await ack(update)
        await _ask_fit(update, context, unconfirmed.warning)
        return
    await ack(update, context._("Cadência iniciada"))
    await show_step(update, context, lead.id or 0)


async def _ask_fit(update: Update, context: Context, warning: cadence.FitWarning) -> None:
    """Fit before effort: a lead outside the ICP starts its cadence only if the rep confirms."""
    _ = context._
    why = [_("tier") + " " + warning.tier] if warning.tier == "D" else []
    why += [_("eliminado por %(reason)s") % {"reason": reason} for reason in warning.knockouts]
    text = _("Este lead está fora do ICP (%(why)s). Iniciar mesmo assim?") % {"why": escape(" / ".join(why))}
    yes_no = [
        button("✅ " + _("Sim"), Verb.CONFIRM_START, warning.lead_id, "y"),
        button("❌ " + _("Não"), Verb.CONFIRM_START, warning.lead_id, "n"),
    ]
    await say(update, f"⚠️ <b>{escape(warning.company)}</b>\n{text}", markup([yes_no]))


async def confirm_start_pressed(update: Update, context: Context) -> None:
    lead_text, answer = _args(update, Verb.CONFIRM_START, 2)
    lead_id = as_id(lead_text)
    if answer not in ("y", "n"):
        raise BadCallback(answer)
    if answer == "n":
        leads.get_lead(context.runtime, context.me, lead_id)  # authorises the press
        await ack(update)
        text = context._("Combinado: a cadência não foi iniciada.")
        await say(update, text, markup([[button("📇 " + context._("Ficha do lead"), Verb.LEAD, lead_id)]]), edit=True)
        return
    lead = cadence.start_cadence(context.runtime, context.me, lead_id, confirmed=True)
    await ack(update, context._("Cadência iniciada"))
    await show_step(update, context, lead.id or 0, edit=True)


async def step_pressed(update: Update, context: Context) -> None:
    (lead_id,) = _args(update, Verb.STEP, 1)
    await ack(update)
    await show_step(update, context, as_id(lead_id))


def _after_log_text(context: Context, logged: cadence.Logged) -> str:
    lead = logged.lead
    _ = context._
    if lead.stage == Stage.LOST:
        reason = context.runtime.playbook.loss_reason(lead.loss_reason or "")
        return _("Registrado. Lead encerrado como perdido (%(reason)s).") % {
            "reason": escape(reason.label if reason else lead.loss_reason or "")
        }
    if logged.transition.next_step is not None and lead.step_due_at:
        return _("Registrado. Próximo passo: <b>%(step)s</b> em %(when)s.") % {
            "step": escape(logged.transition.next_step.title),
            "when": when(lead.step_due_at, context.lang, context.me.timezone),
        }
    return _("Registrado. A cadência deste lead parou; siga pela ficha do lead.")


def _after_log_keyboard(context: Context, logged: cadence.Logged) -> InlineKeyboardMarkup | None:
    _ = context._
    return markup(
        [
            [
                button("📝 " + _("Anotar"), Verb.NOTE, logged.touch.id),
                button("📇 " + _("Ficha do lead"), Verb.LEAD, logged.lead.id),
            ]
        ]
    )


async def note_pressed(update: Update, context: Context) -> MeetingFlow:
    (touch_text,) = _args(update, Verb.NOTE, 1)
    touch_id = as_id(touch_text)
    cadence.lead_of_touch(context.runtime, context.me, touch_id)  # authorises the press
    assert context.user_data is not None
    context.user_data[NOTE_TOUCH] = touch_id
    await ack(update)
    await say(update, context._("Escreva a nota sobre este toque (até %(n)s caracteres).") % {"n": MAX_NOTE})
    return MeetingFlow.ASKING_NOTE


async def note_typed(update: Update, context: Context) -> MeetingFlow | int:
    assert context.user_data is not None
    text = typed_text(update)
    touch_id = context.user_data.get(NOTE_TOUCH)
    if not isinstance(touch_id, int):
        return ConversationHandler.END
    if not text.strip() or len(text) > MAX_NOTE:
        await say(
            update,
            "⚠️ "
            + context._("A nota deve ter de 1 a %(n)s caracteres; a sua tem %(len)s.")
            % {"n": MAX_NOTE, "len": len(text)},
        )
        return MeetingFlow.ASKING_NOTE
    touch = cadence.add_note(context.runtime, context.me, touch_id, text.strip(), flow=flow_run.current(context))
    context.user_data.pop(NOTE_TOUCH, None)
    await say(
        update,
        context._("📝 Nota salva."),
        markup([[button("📇 " + context._("Ficha do lead"), Verb.LEAD, touch.lead_id)]]),
    )
    return ConversationHandler.END


async def outcome_pressed(update: Update, context: Context) -> MeetingFlow | None:
    lead_text, step_id, code = _args(update, Verb.OUTCOME, 3)
    lead_id = as_id(lead_text)
    outcome = OUTCOME_BY_CODE.get(code)
    if outcome is None:
        raise BadCallback(code)
    _ = context._
    if outcome is Outcome.OBJECTION:
        await ack(update)
        await say(update, _("Qual objeção?"), _objections(context, lead_id, step_id, 0))
        return None
    if outcome is Outcome.NOT_INTERESTED:
        await _ask_loss_reason(update, context, lead_id, step_id)
        await ack(update)
        return None
    logged = cadence.log_outcome(context.runtime, context.me, lead_id, step_id, outcome)
    await ack(update, _("Registrado"))
    if outcome is Outcome.CONNECTED:
        await _ask_question(update, context, logged.touch.id or 0, 0)
        return None
    if outcome is Outcome.MEETING_BOOKED:
        return await _ask_when(update, context, lead_id, touch=logged.touch.id)
    await say(update, _after_log_text(context, logged), _after_log_keyboard(context, logged))
    return None


# ---------------------------------------------------------------------------- lists from the playbook


def _objections(context: Context, lead_id: int, step_id: str, page: int) -> InlineKeyboardMarkup | None:
    objections = context.runtime.playbook.objections
    buttons = [button(o.label, Verb.OBJECTION, lead_id, step_id, o.id) for o in objections]
    return markup(paged(buttons, page, lambda p: button(NEXT, Verb.CHOICES, "oj", p, lead_id, step_id)))


def _loss_reasons(context: Context, lead_id: int, step_id: str, page: int) -> InlineKeyboardMarkup | None:
    """The loss reasons of the stage the lead is leaving (the funnel accepts no other)."""
    way = Way.HAND if step_id == "-" else Way.TOUCH
    lead = cadence.check_move(context.runtime, context.me, lead_id, Stage.LOST, way)
    reasons = context.runtime.playbook.loss_reasons(lead.stage)
    buttons = [button(r.label, Verb.LOSS, lead_id, step_id, r.id) for r in reasons]
    return markup(paged(buttons, page, lambda p: button(NEXT, Verb.CHOICES, "lr", p, lead_id, step_id)))


def _disqualify_reasons(context: Context, lead_id: int, page: int) -> InlineKeyboardMarkup | None:
    """The loss reasons of the lead's stage (disqualifying is losing it by hand)."""
    lead = cadence.check_move(context.runtime, context.me, lead_id, Stage.LOST, Way.HAND)
    reasons = context.runtime.playbook.loss_reasons(lead.stage)
    buttons = [button(r.label, Verb.LOSS, lead_id, "-", r.id) for r in reasons]
    return markup(paged(buttons, page, lambda p: button(NEXT, Verb.CHOICES, "dq", p, lead_id, "-")))


def _no_show_reasons(context: Context, meeting_id: int, page: int) -> InlineKeyboardMarkup | None:
    reasons = context.runtime.playbook.reasons.no_show
    buttons = [button(r.label, Verb.NO_SHOW, meeting_id, r.id) for r in reasons]
    return markup(paged(buttons, page, lambda p: button(NEXT, Verb.CHOICES, "ns", p, meeting_id, "-")))


async def choices_page_pressed(update: Update, context: Context) -> None:
    """◀ ▶ under a list: the same message, another page of its buttons."""
    kind, page_text, first, second = _args(update, Verb.CHOICES, 4)
    page, owner = as_page(page_text), as_id(first)
    if kind == "oj":
        leads.get_lead(context.runtime, context.me, owner)  # authorises the press
        keyboard = _objections(context, owner, second, page)
    elif kind == "lr":
        keyboard = _loss_reasons(context, owner, second, page)
    elif kind == "dq":
        keyboard = _disqualify_reasons(context, owner, page)
    elif kind == "ns":
        cadence.meeting_for(context.runtime, context.me, owner)  # authorises the press
        keyboard = _no_show_reasons(context, owner, page)
    else:
        raise BadCallback(kind)
    await ack(update)
    query = update.callback_query
    if query is not None and query.message is not None and query.message.is_accessible:
        await query.edit_message_reply_markup(keyboard)


async def _ask_loss_reason(update: Update, context: Context, lead_id: int, step_id: str) -> None:
    await say(update, context._("Qual o motivo da perda?"), _loss_reasons(context, lead_id, step_id, 0))


async def loss_pressed(update: Update, context: Context) -> None:
    lead_text, step_id, reason_id = _args(update, Verb.LOSS, 3)
    lead_id = as_id(lead_text)
    playbook = context.runtime.playbook
    if playbook.loss_reason(reason_id) is None:
        raise BadCallback(reason_id)
    if step_id == "-":
        cadence.move_stage(context.runtime, context.me, lead_id, Stage.LOST, reason_id)
        text = context._("Registrado. Lead encerrado como perdido.")
    else:
        objection = (context.user_data or {}).pop(f"objection:{lead_id}", None)
        logged = cadence.log_outcome(
            context.runtime,
            context.me,
            lead_id,
            step_id,
            Outcome.NOT_INTERESTED,
            loss_reason=reason_id,
            objection=objection,
        )
        await ack(update, context._("Registrado"))
        await say(update, _after_log_text(context, logged), _after_log_keyboard(context, logged), edit=True)
        return
    await ack(update, context._("Registrado"))
    await say(update, text, edit=True)


async def disqualify_pressed(update: Update, context: Context) -> None:
    (lead_text,) = _args(update, Verb.DISQUALIFY, 1)
    lead_id = as_id(lead_text)
    keyboard = _disqualify_reasons(context, lead_id, 0)
    await ack(update)
    await say(update, context._("Por que desqualificar?"), keyboard)


# ---------------------------------------------------------------------------- objections


async def objection_pressed(update: Update, context: Context) -> None:
    lead_text, step_id, objection_id = _args(update, Verb.OBJECTION, 3)
    lead_id = as_id(lead_text)
    playbook = context.runtime.playbook
    objection = playbook.objection(objection_id)
    if objection is None:
        raise BadCallback(objection_id)
    lead = leads.get_lead(context.runtime, context.me, lead_id)
    ctx = script_context(leads.lead_view(lead), leads.rep_view(context.me), playbook.manifest.seller.model_dump())
    answer = render_script(objection.answer, ctx)
    follow = render_script(objection.follow_up, ctx)
    _ = context._
    answer_title, follow_title, what_next = _("Resposta"), _("Pergunta de avanço"), _("E depois?")
    text = (
        f"🛡 <b>{escape(objection.label)}</b>\n\n<b>{answer_title}</b>\n<blockquote>{escape(answer)}</blockquote>\n\n"
        f"<b>{follow_title}</b>\n<blockquote>{escape(follow)}</blockquote>\n\n{what_next}"
    )
    nexts = [
        button("📅 " + _("Reunião agendada"), Verb.AFTER_OBJECTION, lead_id, step_id, objection_id, "mb"),
        button("➡️ " + _("Seguir a cadência"), Verb.AFTER_OBJECTION, lead_id, step_id, objection_id, "go"),
        button("🙅 " + _("Sem interesse"), Verb.AFTER_OBJECTION, lead_id, step_id, objection_id, "ni"),
    ]
    await ack(update)
    await say(update, text, markup(rows(nexts, 1)), edit=True)


async def after_objection_pressed(update: Update, context: Context) -> MeetingFlow | None:
    lead_text, step_id, objection_id, what = _args(update, Verb.AFTER_OBJECTION, 4)
    lead_id = as_id(lead_text)
    if context.runtime.playbook.objection(objection_id) is None or what not in ("mb", "go", "ni"):
        raise BadCallback(objection_id)
    if what == "ni":
        assert context.user_data is not None
        await _ask_loss_reason(update, context, lead_id, step_id)
        context.user_data[f"objection:{lead_id}"] = objection_id
        await ack(update)
        return None
    await ack(update)
    outcome = Outcome.MEETING_BOOKED if what == "mb" else Outcome.OBJECTION
    logged = cadence.log_outcome(context.runtime, context.me, lead_id, step_id, outcome, objection=objection_id)
    if what == "mb":
        return await _ask_when(update, context, lead_id, touch=logged.touch.id)
    await say(update, _after_log_text(context, logged), _after_log_keyboard(context, logged), edit=True)
    return None


# ---------------------------------------------------------------------------- qualification


async def _ask_question(update: Update, context: Context, touch_id: int, index: int) -> None:
    questions: dict[str, Question] = {q.key: q for q in context.runtime.playbook.qualification.questions}
    key = QUESTION_ORDER[index]
    question = questions[key]
    playbook = context.runtime.playbook
    lead = cadence.lead_of_touch(context.runtime, context.me, touch_id)
    ctx = script_context(leads.lead_view(lead), leads.rep_view(context.me), playbook.manifest.seller.model_dump())
    if index == 0:
        # The qualification script stays on screen as its own message during the call; the
        # questions below it are answered one by one, editing a second message in place.
        script_id = playbook.qualification.script
        script = playbook.scripts[script_id]
        variant = script.variants[choose_variant(script, lead_id=lead.id or 0, script_id=script_id)]
        body = render_script(variant.body, ctx)
        heading = context._("Qualificação")
        title = f"🗣 <b>{escape(heading)}</b> — {escape(script.title)}"
        await say(update, f"{title}\n\n<blockquote>{escape(body)}</blockquote>")
    text = render_script(question.text, ctx)
    buttons = [button(context._(label), Verb.QUALIFY, touch_id, key, value) for label, value in QUESTION_CHOICES[key]]
    await say(update, f"<b>{index + 1}/4</b> {escape(text)}", markup(rows(buttons, 2)), edit=index > 0)


async def qualify_pressed(update: Update, context: Context) -> MeetingFlow | None:
    touch_text, key, value = _args(update, Verb.QUALIFY, 3)
    touch_id = as_id(touch_text)
    if key not in QUESTION_CHOICES or value not in {v for _, v in QUESTION_CHOICES[key]}:
        raise BadCallback(key)
    touch = cadence.record_answer(context.runtime, context.me, touch_id, key, value)
    await ack(update)
    index = QUESTION_ORDER.index(key) + 1
    if index < len(QUESTION_ORDER):
        await _ask_question(update, context, touch_id, index)
        return None
    _ = context._
    lead = leads.get_lead(context.runtime, context.me, touch.lead_id)
    nexts = [button("📅 " + _("Agendar reunião"), Verb.STAGE, lead.id, "meeting")]
    if lead.cadence_status == "active":
        nexts.append(button("➡️ " + _("Seguir a cadência"), Verb.LEAD, lead.id))
    nexts.append(button("🙅 " + _("Sem interesse"), Verb.STAGE, lead.id, "lost"))
    await say(update, _("Qualificação registrada. E agora?"), markup(rows(nexts, 1)), edit=True)
    return None


# ---------------------------------------------------------------------------- meetings & stages


async def _ask_when(
    update: Update,
    context: Context,
    lead_id: int,
    *,
    moved: int | None = None,
    touch: int | None = None,
    edit: bool = False,
) -> MeetingFlow:
    """Ask the date of a meeting; ``touch`` is the ``meeting_booked`` touch it was booked on,
    ``moved`` the meeting it reschedules (see :func:`bot.services.cadence.book_meeting`)."""
    assert context.user_data is not None
    context.user_data[MEETING_LEAD] = lead_id
    context.user_data[MEETING_MOVED] = moved
    context.user_data[MEETING_TOUCH] = touch
    context.user_data.pop(MEETING_PENDING, None)
    await say(update, context._("Para quando ficou a reunião? (ex.: 25/11 14:30, amanhã 10h, sexta 9:30)"), edit=edit)
    return MeetingFlow.ASKING_WHEN


def _holiday_language(context: Context) -> str:
    return "en_US" if context.lang == "en" else "pt_BR"


async def meeting_when(update: Update, context: Context) -> MeetingFlow | int:
    """The typed date (also while a confirmation is pending: a new date replaces it)."""
    assert context.user_data is not None
    text = typed_text(update)
    lead_id = context.user_data.get(MEETING_LEAD)
    if not isinstance(lead_id, int):
        return ConversationHandler.END
    try:
        starts, doubt = cadence.read_meeting_time(
            context.runtime, context.me, text, language=_holiday_language(context)
        )
    except InvalidMoment as problem:
        context.user_data.pop(MEETING_PENDING, None)  # a question shown before no longer stands
        await say(update, "⚠️ " + escape(context.problem_text(problem)))
        return MeetingFlow.ASKING_WHEN
    if doubt is not None:
        return await _confirm_when(update, context, lead_id, doubt)
    return await _book(update, context, lead_id, starts)


def _doubt_text(context: Context, doubt: Questionable) -> str:
    _ = context._
    typed = day(doubt.day, context.lang, year=False)
    if doubt.doubt is Doubt.PAST_DAY:
        return _("%(day)s já passou — quis dizer %(date)s?") % {
            "day": typed,
            "date": day(doubt.moment.date(), context.lang),
        }
    if doubt.doubt is Doubt.HOLIDAY:
        return _("%(day)s é feriado (%(name)s). Marcar mesmo assim?") % {
            "day": typed,
            "name": escape(doubt.holiday or ""),
        }
    weekday = doubt.day.weekday()
    if weekday == 5:
        return _("%(day)s é sábado. Marcar mesmo assim?") % {"day": typed}
    if weekday == 6:
        return _("%(day)s é domingo. Marcar mesmo assim?") % {"day": typed}
    return _("%(day)s não é dia útil para você. Marcar mesmo assim?") % {"day": typed}


def _question_mark(doubt: Questionable) -> str:
    """Names one question in its buttons, so an older question's button answers nothing."""
    return f"{doubt.doubt.value[0]}{doubt.moment:%Y%m%d%H%M}"


async def _confirm_when(
    update: Update, context: Context, lead_id: int, doubt: Questionable, *, edit: bool = False
) -> MeetingFlow:
    assert context.user_data is not None
    context.user_data[MEETING_PENDING] = {
        "doubt": doubt.doubt.value,
        "day": doubt.day.isoformat(),
        "at": doubt.moment.isoformat(),
        "holiday": doubt.holiday,
    }
    mark = _question_mark(doubt)
    keyboard = markup(
        [
            [
                button("✅ " + context._("Sim"), Verb.WHEN, lead_id, "yes", mark),
                button("❌ " + context._("Não"), Verb.WHEN, lead_id, "no", mark),
            ]
        ]
    )
    await say(update, "🤔 " + _doubt_text(context, doubt), keyboard, edit=edit)
    return MeetingFlow.CONFIRMING_WHEN


def _pending(stored: Any) -> Questionable | None:
    """The confirmation kept in ``user_data`` (``None`` if missing or unreadable)."""
    if not isinstance(stored, dict):
        return None
    try:
        return Questionable(
            doubt=Doubt(stored["doubt"]),
            day=date.fromisoformat(stored["day"]),
            moment=datetime.fromisoformat(stored["at"]),
            holiday=stored.get("holiday"),
        )
    except (KeyError, TypeError, ValueError):
        return None


async def when_answered(update: Update, context: Context) -> MeetingFlow | int:
    """✅ Sim / ❌ Não under "25/12 é feriado (Natal). Marcar mesmo assim?"."""
    assert context.user_data is not None
    lead_text, answer, mark = _args(update, Verb.WHEN, 3)
    if answer not in ("yes", "no"):
        raise BadCallback(answer)
    lead_id = context.user_data.get(MEETING_LEAD)
    doubt = _pending(context.user_data.get(MEETING_PENDING))
    if lead_id != as_id(lead_text) or doubt is None or mark != _question_mark(doubt):
        await ack(update, context._("Essa pergunta já foi respondida. Mande a data da reunião."), alert=True)
        return MeetingFlow.ASKING_WHEN if doubt is None else MeetingFlow.CONFIRMING_WHEN
    await ack(update)
    if answer == "no":
        data = context.user_data
        return await _ask_when(
            update, context, lead_id, moved=data.get(MEETING_MOVED), touch=data.get(MEETING_TOUCH), edit=True
        )
    try:
        following = cadence.meeting_time_confirmed(
            context.runtime, context.me, doubt, language=_holiday_language(context)
        )
    except InvalidMoment as problem:  # the moment passed while the question waited
        context.user_data.pop(MEETING_PENDING, None)
        await say(update, "⚠️ " + escape(context.problem_text(problem)), edit=True)
        return MeetingFlow.ASKING_WHEN
    if following is not None:
        return await _confirm_when(update, context, lead_id, following, edit=True)
    return await _book(update, context, lead_id, doubt.moment, edit=True)


async def _book(update: Update, context: Context, lead_id: int, starts: datetime, *, edit: bool = False) -> int:
    assert context.user_data is not None
    moved = context.user_data.pop(MEETING_MOVED, None)
    touch = context.user_data.pop(MEETING_TOUCH, None)
    meeting = cadence.book_meeting(
        context.runtime,
        context.me,
        lead_id,
        starts,
        touch if isinstance(touch, int) else None,
        moving=moved if isinstance(moved, int) else None,
        flow=flow_run.current(context),
    )
    context.user_data.pop(MEETING_LEAD, None)
    context.user_data.pop(MEETING_PENDING, None)
    lead = leads.get_lead(context.runtime, context.me, lead_id)
    await say(
        update,
        context._("📅 Reunião com %(company)s em %(when)s. Eu te lembro antes e pergunto depois se aconteceu.")
        % {"company": escape(lead.company), "when": when(meeting.starts_at, context.lang, context.me.timezone)},
        markup([[button("📇 " + context._("Ficha do lead"), Verb.LEAD, lead_id)]]),
        edit=edit,
    )
    return ConversationHandler.END


#: ``sg:<lead>:<what>``: the lead card's codes, and any stage value (each asked of the funnel).
STAGE_CODES: dict[str, Stage] = {
    **{stage.value: stage for stage in Stage},
    "meeting": Stage.MEETING_BOOKED,
    "proposal": Stage.PROPOSAL_SENT,
    "won": Stage.WON,
    "lost": Stage.LOST,
}


async def stage_pressed(update: Update, context: Context) -> MeetingFlow | None:
    lead_text, what = _args(update, Verb.STAGE, 2)
    lead_id = as_id(lead_text)
    stage = STAGE_CODES.get(what)
    if stage is None:
        raise BadCallback(what)
    if stage is Stage.MEETING_BOOKED:
        cadence.check_move(context.runtime, context.me, lead_id, stage, Way.BOOKING)
        await ack(update)
        return await _ask_when(update, context, lead_id)
    if stage is Stage.LOST:
        await _ask_loss_reason(update, context, lead_id, "-")
        await ack(update)
        return None
    lead = cadence.move_stage(context.runtime, context.me, lead_id, stage)
    await ack(update)
    text, keyboard = lead_card(context, lead)
    await say(update, "✅ " + context._("Registrado.") + "\n\n" + text, keyboard, edit=True)
    return None


async def meeting_pressed(update: Update, context: Context) -> MeetingFlow | None:
    meeting_text, what = _args(update, Verb.MEETING, 2)
    meeting_id = as_id(meeting_text)
    try:  # a refusal answers the press itself (an alert), so the press is answered after
        if what == "held":
            meeting = cadence.meeting_result(context.runtime, context.me, meeting_id, MeetingStatus.HELD)
            await ack(update)
            lead = leads.get_lead(context.runtime, context.me, meeting.lead_id)
            text, keyboard = lead_card(context, lead)
            await say(update, "✅ " + context._("Reunião registrada como realizada.") + "\n\n" + text, keyboard)
            return None
        if what == "noshow":
            cadence.meeting_awaiting_result(context.runtime, context.me, meeting_id)
            await ack(update)
            await say(update, context._("Por que não aconteceu?"), _no_show_reasons(context, meeting_id, 0))
            return None
    except cadence.MeetingNotStarted as early:
        await ack(update)
        await _too_early(update, context, early)
        return None
    if what == "moved":
        meeting = cadence.meeting_to_move(context.runtime, context.me, meeting_id)
        cadence.check_move(context.runtime, context.me, meeting.lead_id, Stage.MEETING_BOOKED, Way.BOOKING)
        await ack(update)
        return await _ask_when(update, context, meeting.lead_id, moved=meeting_id)
    raise BadCallback(what)


async def no_show_pressed(update: Update, context: Context) -> None:
    meeting_text, reason_id = _args(update, Verb.NO_SHOW, 2)
    if context.runtime.playbook.no_show_reason(reason_id) is None:
        raise BadCallback(reason_id)
    try:
        meeting = cadence.meeting_result(
            context.runtime, context.me, as_id(meeting_text), MeetingStatus.NO_SHOW, reason_id
        )
    except cadence.MeetingNotStarted as early:
        await ack(update)
        await _too_early(update, context, early)
        return
    await say(
        update,
        context._("No-show registrado. Quer remarcar?"),
        markup(
            [
                [
                    # A re-booking continues this meeting's SQL (bot.domain.metrics).
                    button("🔁 " + context._("Remarcar"), Verb.MEETING, meeting.id, "moved"),
                    button("❌ " + context._("Perdido"), Verb.STAGE, meeting.lead_id, "lost"),
                ]
            ]
        ),
        edit=True,
    )


async def _too_early(update: Update, context: Context, early: cadence.MeetingNotStarted) -> None:
    """One line: a result before the meeting starts is refused (nothing was saved)."""
    await say(
        update,
        "⏳ "
        + context._("A reunião ainda não começou (começa em %(when)s). Registre o resultado depois do início.")
        % {"when": when(early.starts_at, context.lang, context.me.timezone)},
    )
