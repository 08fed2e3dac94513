"""🕓 Histórico: a lead's history, newest first, a page at a time, with ◀ ▶.

```mermaid
flowchart LR
    card[lead card] -->|🕓 Histórico ShowTimeline| p0[newest page, new message]
    p0 -->|▶ TimelinePage| p1[older page, in place]
    p1 -->|◀ TimelinePage| p0
    p0 & p1 -->|📇 Ficha do lead OpenLead| card
```

The service (:mod:`bot.services.timeline`) gives codes and moments; here they get the reader's
words (labels from :mod:`bot.domain.labels`, translated) and zone. Every press is authorised
again (the lead must be the member's, or the member a manager).
"""

from __future__ import annotations

from datetime import datetime

from telegram import Update
from telegram.constants import MessageLimit

from bot.domain.labels import label
from bot.i18n import when
from bot.services import timeline as service
from bot.services.timeline import Entry
from bot.tg.callbacks import Action, Handler, OpenLead, Page, ShowTimeline, TimelinePage
from bot.tg.context import Context, ack, say
from bot.tg.keyboards import button, markup

_OUTCOME_ICONS = {
    "no_answer": "📵",
    "connected": "🗣",
    "replied": "💬",
    "meeting_booked": "📅",
    "objection": "🛡",
    "not_interested": "🙅",
    "wrong_contact": "❓",
    "skipped": "⏭",
}
_ANSWERS = ("contact_role", "pain", "budget", "intent")


def _words(context: Context, entry: Entry) -> dict[str, object]:
    """An entry as the template shows it: labels in the reader's language, moments in their zone."""
    _, lang, zone = context._, context.lang, context.me.timezone
    playbook = context.runtime.playbook
    facts = entry.facts

    def moment(key: str) -> str:
        value = facts.get(key)
        return when(value, lang, zone) if isinstance(value, datetime) else ""

    def text(key: str) -> str:
        value = facts.get(key)
        return str(value) if value else ""

    words: dict[str, object] = {"kind": entry.kind, "who": entry.who, "when": when(entry.at, lang, zone)}
    if entry.kind == "touch":
        objection = playbook.objection(text("objection")) if facts.get("objection") else None
        loss = playbook.loss_reason(text("loss_reason")) if facts.get("loss_reason") else None
        answers = [label(key, text(key), _) for key in _ANSWERS if facts.get(key)]
        words |= {
            "icon": _OUTCOME_ICONS.get(text("outcome"), "•"),
            "outcome": label("outcome", text("outcome"), _),
            "channel": label("channel", text("channel"), _),
            "step_number": facts.get("step_number"),
            "script": text("script"),
            "variant": text("variant"),
            "version": text("version"),
            "objection": objection.label if objection else text("objection"),
            "loss_reason": loss.label if loss else text("loss_reason"),
            "answers": " · ".join(answers),
            "notes": text("notes"),
        }
    elif entry.kind == "stage":
        loss = playbook.loss_reason(text("reason")) if facts.get("reason") else None
        words |= {
            "from": label("stage", text("from") or None, _),
            "to": label("stage", text("to"), _),
            "reason": loss.label if loss else text("reason"),
        }
    elif entry.kind in ("meeting", "meeting_result"):
        reason = playbook.no_show_reason(text("reason")) if facts.get("reason") else None
        words |= {
            "starts": moment("starts"),
            "status": label("meeting_status", text("status"), _),
            "reason": reason.label if reason else text("reason"),
        }
    elif entry.kind in ("task", "task_done"):
        other = text("for")
        words |= {"due": moment("due"), "note": text("note"), "for_other": other if other != entry.who else ""}
    elif entry.kind == "owner":
        words |= {"from": text("from"), "to": text("to")}
    elif entry.kind == "fit_override":
        words |= {"tier": text("tier")}
    return words


async def show(update: Update, context: Context, lead_id: int, number: int, *, edit: bool) -> None:
    page = service.page(context.runtime, context.me, lead_id, number)
    text = context.render(
        "timeline.html",
        lead=page.lead,
        entries=[_words(context, e) for e in page.entries],
        page=page.page,
        pages=page.pages,
    )
    if len(text) > MessageLimit.MAX_TEXT_LENGTH:  # whole lines only: every tag opens and closes on its line
        text = text[: MessageLimit.MAX_TEXT_LENGTH - 2].rsplit("\n", 1)[0] + "\n…"
    arrows = []
    if page.page > 0:
        arrows.append(button("◀ " + context._("Mais recentes"), TimelinePage(lead_id, Page(page.page - 1))))
    if page.page + 1 < page.pages:
        arrows.append(button(context._("Mais antigos") + " ▶", TimelinePage(lead_id, Page(page.page + 1))))
    keyboard = markup([arrows], [[button("📇 " + context._("Ficha do lead"), OpenLead(lead_id))]])
    await say(update, text, keyboard, edit=edit)


async def timeline_pressed(update: Update, context: Context) -> None:
    lead_id = ShowTimeline.of(update).lead
    await ack(update)
    await show(update, context, lead_id, 0, edit=False)


async def page_pressed(update: Update, context: Context) -> None:
    press = TimelinePage.of(update)
    await ack(update)
    await show(update, context, press.lead, press.page, edit=True)


BUTTONS: dict[type[Action], Handler] = {ShowTimeline: timeline_pressed, TimelinePage: page_pressed}
