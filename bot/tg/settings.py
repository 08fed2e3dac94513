"""``/config``: working hours, state (UF → time zone and holidays), language; managers also
pause a rep for vacation (their reminders wait until resumed).

Everything is a button except custom hours, typed in the one conversation (:mod:`bot.tg.flows`):

```mermaid
stateDiagram-v2
    [*] --> menu: /config
    menu --> hours: 🕘 cf:hours
    hours --> menu: a preset (cf:sethours:0900-1800)
    hours --> ASKING_HOURS: ✏️ outro (cf:customhours)
    ASKING_HOURS --> ASKING_HOURS: unreadable
    ASKING_HOURS --> [*]: saved
    menu --> ufs: 🌎 cf:uf → cf:setuf:SP
    menu --> lang: 🗣 cf:lang → cf:setlang:en
    menu --> team: 👥 cf:team (managers) → cf:pause:<id> / cf:resume:<id>
```
"""

from __future__ import annotations

from enum import StrEnum

from telegram import Update
from telegram.ext import ConversationHandler

from bot.domain import regions
from bot.domain.vocabulary import Role
from bot.render.messages import escape
from bot.services import settings as service
from bot.tg import flow_run
from bot.tg.callbacks import BadCallback, Verb, as_id, unpack
from bot.tg.context import Context, ack, say, typed_text
from bot.tg.keyboards import button, markup, rows
from bot.tg.reminders import SCHEDULER

NONE = "-"
PRESETS = (("08:00", "17:00"), ("09:00", "18:00"), ("10:00", "19:00"), ("08:00", "18:00"))


class SettingsFlow(StrEnum):
    ASKING_HOURS = "asking_hours"


def _menu(context: Context) -> tuple[str, object]:
    me, _ = context.me, context._
    uf = regions.UFS.get(me.uf)
    title, hours, state, language = _("Suas configurações"), _("Expediente"), _("Estado"), _("Idioma")
    text = (
        f"⚙️ <b>{title}</b>\n\n"
        f"🕘 {hours}: <b>{me.work_start}–{me.work_end}</b>\n"
        f"🌎 {state}: <b>{escape(uf.label if uf else me.uf)}</b> · {escape(me.timezone)}\n"
        f"🗣 {language}: <b>{'Português' if me.language == 'pt' else 'English'}</b>\n"
    )
    if me.paused:
        text += "\n⏸ " + _("Você está em pausa (férias): os lembretes esperam a volta.") + "\n"
    text += "\n" + _("Os lembretes e a agenda da manhã seguem o seu expediente, fuso e feriados do seu estado.")
    buttons = [
        button("🕘 " + _("Expediente"), Verb.CONFIG, "hours", NONE),
        button("🌎 " + _("Estado e fuso"), Verb.CONFIG, "uf", NONE),
        button("🗣 " + _("Idioma"), Verb.CONFIG, "lang", NONE),
    ]
    if me.role == Role.MANAGER:
        buttons.append(button("👥 " + _("Equipe (férias)"), Verb.CONFIG, "team", NONE))
    return text, markup(rows(buttons))


async def config_command(update: Update, context: Context) -> None:
    text, keyboard = _menu(context)
    await say(update, text, keyboard)  # type: ignore[arg-type]


def _nudge(context: Context) -> None:
    scheduler = context.application.bot_data.get(SCHEDULER)
    if scheduler is not None:
        scheduler.nudge()


async def config_pressed(update: Update, context: Context) -> None:
    what, value = unpack(update.callback_query.data if update.callback_query else None, Verb.CONFIG, 2)
    runtime, _ = context.runtime, context._
    await ack(update)
    if what == "menu":
        pass
    elif what == "hours":
        presets = [
            button(f"{a}–{b}", Verb.CONFIG, "sethours", f"{a.replace(':', '')}{b.replace(':', '')}") for a, b in PRESETS
        ]
        presets.append(button("✏️ " + _("Outro horário"), Verb.CONFIG, "customhours", NONE))
        await say(update, _("Qual o seu expediente?"), markup(rows(presets)), edit=True)
        return
    elif what == "sethours":
        if len(value) != 8:
            raise BadCallback(value)
        try:  # forged data such as 25009900 is refused like any unreadable hours
            start, end = service.parse_hours(f"{value[:2]}:{value[2:4]}-{value[4:6]}:{value[6:]}")
        except service.InvalidHours:
            raise BadCallback(value) from None
        context.member = service.set_hours(runtime, context.me, start, end)
    elif what == "uf":
        ufs = sorted(regions.UFS)
        await say(
            update,
            _("Em que estado você trabalha? O fuso e os feriados estaduais vêm dele."),
            markup(rows((button(code, Verb.CONFIG, "setuf", code) for code in ufs), 6)),
            edit=True,
        )
        return
    elif what == "setuf":
        if value not in regions.UFS:
            raise BadCallback(value)
        context.member = service.set_uf(runtime, context.me, value)
    elif what == "lang":
        await say(
            update,
            _("Em que idioma eu falo com você?"),
            markup(
                [
                    [
                        button("🇧🇷 Português", Verb.CONFIG, "setlang", "pt"),
                        button("🇺🇸 English", Verb.CONFIG, "setlang", "en"),
                    ]
                ]
            ),
            edit=True,
        )
        return
    elif what == "setlang":
        context.member = service.set_language(runtime, context.me, value)
    elif what in ("team", "pause", "resume"):
        if what != "team":
            service.set_paused(runtime, context.me, as_id(value), paused=what == "pause")
            _nudge(context)
        await _team(update, context)
        return
    else:
        raise BadCallback(what)
    _nudge(context)
    text, keyboard = _menu(context)
    await say(update, ("✅ " + context._("Salvo.") + "\n\n" if what != "menu" else "") + text, keyboard, edit=True)  # type: ignore[arg-type]


async def _team(update: Update, context: Context) -> None:
    _ = context._
    members = service.team_members(context.runtime, context.me)  # NotAllowed for reps
    heading = _("Equipe")
    lines, buttons = [f"👥 <b>{heading}</b>", ""], []
    for m in members[:40]:
        state = "⏸ " + _("em pausa") if m.paused else "▶️ " + _("ativo")
        lines.append(f"• {escape(m.full_name or m.first_name)} — {state}")
        if m.id != context.me.id:
            label = ("▶️ " + _("Retomar") if m.paused else "⏸ " + _("Pausar")) + " " + m.first_name
            buttons.append(button(label, Verb.CONFIG, "resume" if m.paused else "pause", m.id))
    lines += ["", _("Em pausa (férias), os lembretes do vendedor esperam a volta.")]
    buttons.append(button("↩️ " + _("Voltar"), Verb.CONFIG, "menu", NONE))
    await say(update, "\n".join(lines), markup(rows(buttons)), edit=True)


async def ask_hours(update: Update, context: Context) -> SettingsFlow:
    await ack(update)
    await say(update, context._("Escreva o início e o fim do expediente, por exemplo 08:30-17:30."))
    return SettingsFlow.ASKING_HOURS


async def hours_typed(update: Update, context: Context) -> SettingsFlow | int:
    text = typed_text(update)
    try:
        start, end = service.parse_hours(text)
    except service.InvalidHours as problem:
        await say(update, "⚠️ " + escape(context._(str(problem))))
        return SettingsFlow.ASKING_HOURS
    context.member = service.set_hours(context.runtime, context.me, start, end, flow=flow_run.current(context))
    _nudge(context)
    menu_text, keyboard = _menu(context)
    await say(update, "✅ " + context._("Salvo.") + "\n\n" + menu_text, keyboard)  # type: ignore[arg-type]
    return ConversationHandler.END
