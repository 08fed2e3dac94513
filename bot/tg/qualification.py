"""Qualification, once someone answered the phone: the playbook's script stays on screen as its
own message during the call, and four questions are answered one by one below it, editing a
second message in place; then "what next?".
"""

from __future__ import annotations

from telegram import Update

from bot.domain.cadence import choose_variant
from bot.domain.labels import LABELS
from bot.domain.playbook.model import Question
from bot.domain.script_context import context as script_context
from bot.render.scripts import render_script
from bot.services import cadence, leads
from bot.tg.after_reply import what_next
from bot.tg.callbacks import Action, AnswerQuestion, BadCallback, Handler
from bot.tg.context import Context, ack, say
from bot.tg.keyboards import button, markup, rows

QUESTION_ORDER = ("contact_role", "pain", "budget", "intent")
#: The answers of each qualification question: (label, code), words from the domain's labels.
QUESTION_CHOICES: dict[str, tuple[tuple[str, str], ...]] = {
    key: tuple((text, code) for code, text in LABELS[key].items()) for key in QUESTION_ORDER
}


async def ask_question(update: Update, context: Context, touch_id: int, index: int) -> None:
    playbook = context.runtime.playbook
    questions: dict[str, Question] = {q.key: q for q in playbook.qualification.questions}
    key = QUESTION_ORDER[index]
    lead = cadence.lead_of_touch(context.runtime, context.me, touch_id)
    ctx = script_context(leads.lead_view(lead), leads.rep_view(context.me), playbook.manifest.seller.model_dump())
    if index == 0:
        script_id = playbook.qualification.script
        script = playbook.scripts[script_id]
        variant = script.variants[choose_variant(script, lead_id=lead.id or 0, script_id=script_id)]
        body = render_script(variant.body, ctx)
        await say(update, context.render("qualification.html", script_title=script.title, body=body))
    text = context.render(
        "qualification.html",
        script_title=None,
        number=index + 1,
        total=len(QUESTION_ORDER),
        body=render_script(questions[key].text, ctx),
    )
    buttons = [button(context._(label), AnswerQuestion(touch_id, key, value)) for label, value in QUESTION_CHOICES[key]]
    await say(update, text, markup(rows(buttons, 2)), edit=index > 0)


async def answer_pressed(update: Update, context: Context) -> None:
    press = AnswerQuestion.of(update)
    if press.question not in QUESTION_CHOICES or press.answer not in {v for _, v in QUESTION_CHOICES[press.question]}:
        raise BadCallback(press.question)
    touch = cadence.record_answer(context.runtime, context.me, press.touch, press.question, press.answer)
    await ack(update)
    index = QUESTION_ORDER.index(press.question) + 1
    if index < len(QUESTION_ORDER):
        await ask_question(update, context, press.touch, index)
        return
    lead = leads.get_lead(context.runtime, context.me, touch.lead_id)
    nexts = what_next(context, lead, touch.id or 0)
    await say(update, context._("Qualificação registrada. E agora?"), markup(rows(nexts, 1)), edit=True)


BUTTONS: dict[type[Action], Handler] = {AnswerQuestion: answer_pressed}
