"""What next, once the prospect answered ("💬 Respondeu", or "🗣 Atendeu" and its qualification):
the rep chooses instead of being left with a stopped cadence.

```mermaid
flowchart LR
    R[💬 Respondeu / qualification done] --> Q{E agora?}
    Q -->|📅 Agendar reunião BookMeeting| M[meeting date flow]
    Q -->|⏰ Retorno NewTask| T[follow-up flow]
    Q -->|▶️ Retomar cadência ResumeAfterReply| S[next step planned]
    Q -->|➡️ Seguir a cadência OpenLead| C[lead card: the cadence still runs]
    Q -->|🙅 Sem interesse LoseLead| L[loss reason → lost]
```
"""

from __future__ import annotations

from telegram import InlineKeyboardButton, Update

from bot.domain.cadence import CadenceStatus
from bot.domain.funnel import Way, allows, targets
from bot.domain.vocabulary import Stage
from bot.i18n import when
from bot.render.messages import escape
from bot.services import after_reply
from bot.services.cadence import Logged
from bot.services.views import LeadCard
from bot.tg.callbacks import Action, AddNote, BookMeeting, Handler, LoseLead, OpenLead, ResumeAfterReply
from bot.tg.cards import lead_card
from bot.tg.context import Context, ack, say
from bot.tg.keyboards import button, markup, rows
from bot.tg.tasks import nudge_scheduler, task_button


def what_next(context: Context, lead: LeadCard, touch_id: int) -> list[InlineKeyboardButton]:
    """The choices after an answer, for the lead as it stands now (one per row)."""
    _ = context._
    lead_id = lead.id or 0
    stage = Stage(lead.stage)
    choices = []
    if allows(stage, Way.BOOKING):
        choices.append(button("📅 " + _("Agendar reunião"), BookMeeting(lead_id)))
    choices.append(task_button(context, lead_id))
    if lead.cadence_status == CadenceStatus.ACTIVE:
        choices.append(button("➡️ " + _("Seguir a cadência"), OpenLead(lead_id)))
    elif after_reply.next_step_after(context.runtime, context.me, touch_id) is not None:
        choices.append(button("▶️ " + _("Retomar cadência"), ResumeAfterReply(touch_id)))
    if Stage.LOST in targets(stage, Way.HAND):
        choices.append(button("🙅 " + _("Sem interesse"), LoseLead(lead_id)))
    return choices


async def say_replied(update: Update, context: Context, logged: Logged) -> None:
    """After "💬 Respondeu": the cadence stopped; what next? (and 📝 a note on the reply)."""
    choices = what_next(context, logged.lead, logged.touch.id or 0)
    note = button("📝 " + context._("Anotar"), AddNote(logged.touch.id or 0))
    await say(update, context.render("task.html", said="replied"), markup(rows(choices, 1), [[note]]))


async def resume_pressed(update: Update, context: Context) -> None:
    resumed = after_reply.resume_after_reply(context.runtime, context.me, ResumeAfterReply.of(update).touch)
    nudge_scheduler(context)
    await ack(update, context._("Cadência retomada"))
    due = resumed.lead.step_due_at
    head = context._("▶️ Cadência retomada: <b>%(step)s</b> em %(when)s.") % {
        "step": escape(resumed.step.title),
        "when": when(due, context.lang, context.me.timezone) if due else "",
    }
    text, keyboard = lead_card(context, resumed.lead)
    await say(update, head + "\n\n" + text, keyboard, edit=True)


BUTTONS: dict[type[Action], Handler] = {ResumeAfterReply: resume_pressed}
