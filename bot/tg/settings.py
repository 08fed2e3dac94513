"""``/config``: working hours, state (UF → time zone and holidays), language; managers also
pause a rep for vacation (their reminders wait until resumed).

Every button is its own action (:mod:`bot.tg.callbacks`) and handler; custom hours are typed,
in the one conversation (:mod:`bot.tg.flows`):

```mermaid
stateDiagram-v2
    [*] --> menu: /config
    menu --> hours: 🕘 ChooseHours
    hours --> menu: a preset (SetHours 09001800)
    hours --> ASKING_HOURS: ✏️ outro (TypeHours)
    ASKING_HOURS --> ASKING_HOURS: unreadable
    ASKING_HOURS --> [*]: saved
    menu --> ufs: 🌎 ChooseUf → SetUf SP
    menu --> lang: 🗣 ChooseLanguage → SetLanguage en
    menu --> team: 👥 TeamPauses (managers) → PauseMember / ResumeMember
    team --> menu: ↩️ SettingsMenu
```

(Upper-case names are states of the conversation; the others are messages.)
"""

from __future__ import annotations

from enum import StrEnum

from telegram import InlineKeyboardMarkup, Update
from telegram.ext import ConversationHandler

from bot.domain import regions
from bot.domain.vocabulary import Role
from bot.render.messages import escape
from bot.services import settings as service
from bot.tg import flow_run
from bot.tg.callbacks import (
    BadCallback,
    ChooseHours,
    ChooseLanguage,
    ChooseUf,
    PauseMember,
    ResumeMember,
    SetHours,
    SetLanguage,
    SettingsMenu,
    SetUf,
    TeamPauses,
    TypeHours,
)
from bot.tg.context import Context, ack, say, typed_text
from bot.tg.keyboards import button, markup, rows
from bot.tg.reminders import nudge

PRESETS = (("08:00", "17:00"), ("09:00", "18:00"), ("10:00", "19:00"), ("08:00", "18:00"))


class SettingsFlow(StrEnum):
    ASKING_HOURS = "asking_hours"


def _menu(context: Context, *, saved: bool = False) -> tuple[str, InlineKeyboardMarkup | None]:
    me, _ = context.me, context._
    uf = regions.UFS.get(me.uf)
    text = context.render("settings.html", me=me, uf=uf.label if uf else me.uf)
    if saved:
        text = "✅ " + _("Salvo.") + "\n\n" + text
    buttons = [
        button("🕘 " + _("Expediente"), ChooseHours()),
        button("🌎 " + _("Estado e fuso"), ChooseUf()),
        button("🗣 " + _("Idioma"), ChooseLanguage()),
    ]
    if me.role == Role.MANAGER:
        buttons.append(button("👥 " + _("Equipe (férias)"), TeamPauses()))
    return text, markup(rows(buttons))


async def config_command(update: Update, context: Context) -> None:
    await say(update, *_menu(context))


async def _saved(update: Update, context: Context) -> None:
    """The menu again, under "Saved.", after a change (reminders re-planned)."""
    nudge(context)
    await say(update, *_menu(context, saved=True), edit=True)


async def menu_pressed(update: Update, context: Context) -> None:
    await ack(update)
    await say(update, *_menu(context), edit=True)


async def hours_pressed(update: Update, context: Context) -> None:
    await ack(update)
    presets = [button(f"{a}–{b}", SetHours(f"{a}{b}".replace(":", ""))) for a, b in PRESETS]
    presets.append(button("✏️ " + context._("Outro horário"), TypeHours()))
    await say(update, context._("Qual o seu expediente?"), markup(rows(presets)), edit=True)


async def preset_pressed(update: Update, context: Context) -> None:
    value = SetHours.of(update).hours
    try:  # forged data such as 25009900 is refused like any unreadable hours
        start, end = service.parse_hours(f"{value[:2]}:{value[2:4]}-{value[4:6]}:{value[6:]}")
    except service.InvalidHours:
        raise BadCallback(value) from None
    await ack(update)
    context.member = service.set_hours(context.runtime, context.me, start, end)
    await _saved(update, context)


async def uf_pressed(update: Update, context: Context) -> None:
    await ack(update)
    ufs = (button(code, SetUf(code)) for code in sorted(regions.UFS))
    question = context._("Em que estado você trabalha? O fuso e os feriados estaduais vêm dele.")
    await say(update, question, markup(rows(ufs, 6)), edit=True)


async def set_uf_pressed(update: Update, context: Context) -> None:
    await ack(update)
    context.member = service.set_uf(context.runtime, context.me, SetUf.of(update).uf)
    await _saved(update, context)


async def language_pressed(update: Update, context: Context) -> None:
    await ack(update)
    choices = [button("🇧🇷 Português", SetLanguage("pt")), button("🇺🇸 English", SetLanguage("en"))]
    await say(update, context._("Em que idioma eu falo com você?"), markup([choices]), edit=True)


async def set_language_pressed(update: Update, context: Context) -> None:
    await ack(update)
    context.member = service.set_language(context.runtime, context.me, SetLanguage.of(update).language)
    await _saved(update, context)


async def team_pressed(update: Update, context: Context) -> None:
    await ack(update)
    await _team(update, context)


async def pause_pressed(update: Update, context: Context) -> None:
    await _set_paused(update, context, PauseMember.of(update).member, paused=True)


async def resume_pressed(update: Update, context: Context) -> None:
    await _set_paused(update, context, ResumeMember.of(update).member, paused=False)


async def _set_paused(update: Update, context: Context, member_id: int, *, paused: bool) -> None:
    await ack(update)
    service.set_paused(context.runtime, context.me, member_id, paused=paused)
    nudge(context)
    await _team(update, context)


async def _team(update: Update, context: Context) -> None:
    _ = context._
    members = service.team_members(context.runtime, context.me)[:40]  # NotAllowed for reps
    buttons = [
        button(
            ("▶️ " + _("Retomar") if m.paused else "⏸ " + _("Pausar")) + " " + m.first_name,
            ResumeMember(m.id) if m.paused else PauseMember(m.id),
        )
        for m in members
        if m.id != context.me.id and m.id is not None
    ]
    buttons.append(button("↩️ " + _("Voltar"), SettingsMenu()))
    await say(update, context.render("settings_team.html", members=members), markup(rows(buttons)), edit=True)


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
    nudge(context)
    await say(update, *_menu(context, saved=True))
    return ConversationHandler.END


#: The buttons of /config, each with its handler (:mod:`bot.wiring` registers them).
BUTTONS = {
    SettingsMenu: menu_pressed,
    ChooseHours: hours_pressed,
    SetHours: preset_pressed,
    ChooseUf: uf_pressed,
    SetUf: set_uf_pressed,
    ChooseLanguage: language_pressed,
    SetLanguage: set_language_pressed,
    TeamPauses: team_pressed,
    PauseMember: pause_pressed,
    ResumeMember: resume_pressed,
}
