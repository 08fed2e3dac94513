"""Objections by what the prospect said: under the objection list, 🔎 asks the rep to type what
they heard ("tá caro", "já uso planilha"); the three closest objections of the playbook come
back as buttons (:mod:`bot.domain.objection_match`), each opening its answer as the list does.
And ``/objecoes``: per objection, how often it came up and how often its answer led to a
meeting (:mod:`bot.services.objection_results`).

```mermaid
stateDiagram-v2
    [*] --> ASKING_HEARD: 🔎 O que o prospect disse? (HeardObjection)
    ASKING_HEARD --> ASKING_HEARD: empty or too long → the same question
    ASKING_HEARD --> [*]: the top three as buttons (PickObjection), or "no match" and the list
    ASKING_HEARD --> [*]: /cancelar
```
"""

from __future__ import annotations

import logging
from enum import StrEnum

from telegram import Update
from telegram.ext import ConversationHandler

from bot.i18n import N_
from bot.services import leads, objection_results
from bot.tg import choices, flow_run
from bot.tg.callbacks import HeardObjection, PickObjection
from bot.tg.context import Context, ack, say, typed_text
from bot.tg.keyboards import button, markup, rows

log = logging.getLogger(__name__)

(HEARD_AT,) = flow_run.scoped("heard_at")
MAX_HEARD = 300
HEARD_QUESTION = N_("O que o prospect disse? Escreva do jeito que ouviu, por exemplo: tá caro, já uso planilha.")


class HeardFlow(StrEnum):
    ASKING_HEARD = "asking_heard"


async def heard_pressed(update: Update, context: Context) -> HeardFlow:
    press = HeardObjection.of(update)
    leads.get_lead(context.runtime, context.me, press.lead)  # authorises the press
    assert context.user_data is not None
    context.user_data[HEARD_AT] = [press.lead, press.step]
    await ack(update)
    await say(update, "🔎 " + context._(HEARD_QUESTION))
    return HeardFlow.ASKING_HEARD


async def heard_typed(update: Update, context: Context) -> HeardFlow | int:
    assert context.user_data is not None
    where = context.user_data.get(HEARD_AT)
    if not (isinstance(where, list) and len(where) == 2 and isinstance(where[0], int) and isinstance(where[1], str)):
        return ConversationHandler.END
    lead_id, step_id = where
    heard = " ".join(typed_text(update).split())
    if not heard or len(heard) > MAX_HEARD:
        problem = context._("Escreva de 1 a %(n)s caracteres do que o prospect disse; a sua mensagem tem %(len)s.")
        log.info("heard objection refused: %s characters", len(heard))
        await say(update, "⚠️ " + problem % {"n": MAX_HEARD, "len": len(heard)})
        return HeardFlow.ASKING_HEARD
    matches = objection_results.matching(context.runtime, heard)
    labels = {o.id: o.label for o in context.runtime.playbook.objections}
    if not matches:
        text = context._("Não reconheci uma objeção do playbook nisso. Escolha na lista:")
        await say(update, "🤔 " + text, choices.objections(context, lead_id, step_id))
        return ConversationHandler.END
    text = context.render("objection_matches.html", lines=[(labels[m.objection_id], m.phrase) for m in matches])
    picks = [button("🛡 " + labels[m.objection_id], PickObjection(lead_id, step_id, m.objection_id)) for m in matches]
    again = button("🔎 " + context._("Digitar de novo"), HeardObjection(lead_id, step_id))
    await say(update, text, markup(rows(picks, 1), [[again]]))
    return ConversationHandler.END


async def objection_report(update: Update, context: Context) -> None:
    """/objecoes: per objection, times raised and meetings booked right after its answer."""
    lines = objection_results.results(context.runtime, context.me)
    await say(update, context.render("objection_results.html", lines=lines))
