"""The one place where the concrete pieces are put together.

``build_runtime`` loads settings, the playbook (checked) and the database (migrated);
``build_application`` builds the python-telegram-bot Application around it. Tests and the
demo console pass their own ``request`` (an in-process Bot API) — the only seam, at the network.
The command line's light runtime (no playbook) is built by :func:`bot.cli.runtime.cli_runtime`:
importing this module loads python-telegram-bot and every handler, which a command does not need.
"""

from __future__ import annotations

import asyncio
import logging
import signal
import warnings
from collections.abc import Awaitable, Callable
from pathlib import Path

from telegram import BotCommand, BotCommandScopeDefault, Update
from telegram.ext import (
    Application,
    ApplicationBuilder,
    CallbackQueryHandler,
    CommandHandler,
    ContextTypes,
    MessageHandler,
    TypeHandler,
    filters,
)
from telegram.request import BaseRequest
from telegram.warnings import PTBUserWarning

from bot.config import Settings
from bot.domain.playbook.model import Playbook
from bot.domain.registry import RegistryStore
from bot.i18n import N_, gettext_for
from bot.monitoring import serve_health
from bot.reminders.scheduler import ReminderScheduler
from bot.render.messages import MessageRenderer
from bot.services.company_directory import build_directory
from bot.services.playbooks import load_checked_playbook, remember_playbook
from bot.services.runtime import Clock, Runtime, system_clock
from bot.storage.bot_state import BotStateStore
from bot.storage.db import make_engine, upgrade_database
from bot.tg import (
    after_reply,
    cadence,
    choices,
    common,
    contact_question,
    contacts,
    economics,
    export_chat,
    flows,
    import_chat,
    lead_cadence,
    leads,
    meetings,
    objections,
    outcomes,
    playbook,
    privacy,
    qualification,
    reassign_chat,
    registry_chat,
    reminders,
    report_chat,
    settings,
    tasks,
    team,
    timeline,
    worklist,
)
from bot.tg.callbacks import Action, Handler, OpenLead, ShowIcp, Verb, pattern
from bot.tg.context import RENDERER, RUNTIME, Context
from bot.tg.persistence import SqlPersistence, save_after_update

log = logging.getLogger(__name__)

#: Commands shown in Telegram's menu: (command, Portuguese description).
COMMANDS = (
    ("novo", N_("Cadastrar um lead")),
    ("leads", N_("Seus leads")),
    ("lead", N_("Abrir um lead pelo número ou nome")),
    ("hoje", N_("O que vence hoje")),
    ("config", N_("Horário, fuso e idioma")),
    ("relatorio", N_("Funil e métricas")),
    ("economia", N_("CAC, LTV, ticket e previsão de vendas")),
    ("objecoes", N_("Objeções que viraram reunião")),
    ("exportar", N_("Exportar os registros")),
    ("mercado", N_("Tamanho do mercado no registro da Receita (gestor)")),
    ("prospectar", N_("Montar uma lista de leads do registro da Receita (gestor)")),
    ("convidar", N_("Convidar alguém para o time (gestor)")),
    ("convites", N_("Convites abertos, para revogar (gestor)")),
    ("equipe", N_("A equipe: desativar quem saiu (gestor)")),
    ("iniciar", N_("Iniciar cadências em lote: campanha, tier ou importação (gestor)")),
    ("passar", N_("Passar leads para outro vendedor (gestor)")),
    ("recarregar", N_("Recarregar o playbook editado (gestor)")),
    ("cadencias", N_("Resultados por cadência e reciclagem (gestor)")),
    ("ajuda", N_("O que eu faço")),
    ("cancelar", N_("Sair do que estiver fazendo")),
)


def build_runtime(
    settings: Settings,
    *,
    playbook: Playbook | None = None,
    clock: Clock = system_clock,
) -> Runtime:
    """Check the playbook, migrate the database and record the playbook version."""
    playbook = playbook or load_checked_playbook(settings.playbook_dir)
    engine = make_engine(settings.database_url)
    upgrade_database(engine)
    registry = build_registry(settings)
    runtime = Runtime(
        settings=settings,
        engine=engine,
        playbook=playbook,
        clock=clock,
        directory=build_directory(settings, registry=registry),
        registry=registry,
    )
    remember_playbook(runtime, playbook)
    return runtime


def build_registry(settings: Settings) -> RegistryStore | None:
    """The CNPJ registry loaded with ``cadencia registry load`` (market size, prospecting, and the
    first company directory): the store under ``REGISTRY_DIR`` (:func:`registry_store`). Until a
    month is loaded it answers nothing (``month()`` is ``None``): /mercado says so and the
    company directory falls back to the online lookup, if any."""
    return registry_store(settings)


def build_application(
    runtime: Runtime,
    *,
    request: BaseRequest | None = None,
    templates_dir: Path | None = None,
) -> Application:
    settings = runtime.settings
    builder = (
        ApplicationBuilder()
        .token(settings.telegram_bot_token or "0:offline")
        .base_url(settings.telegram_api_base_url)
        .base_file_url(settings.telegram_api_file_url)
        .context_types(ContextTypes(context=Context))
        .persistence(SqlPersistence(BotStateStore(runtime.engine)))
    )
    if request is not None:
        builder = builder.request(request).get_updates_request(request)
    builder = builder.post_init(_post_init).post_stop(_post_stop)
    application = builder.build()
    application.bot_data[RUNTIME] = runtime
    renderer = MessageRenderer(templates_dir or settings.templates_dir)
    application.bot_data[RENDERER] = renderer
    application.bot_data[reminders.SCHEDULER] = ReminderScheduler(
        runtime, application.bot, reminders.composer(renderer)
    )
    add_handlers(application)
    return application


Callback = Callable[[Update, Context], Awaitable[object]]

#: Commands answered in the update's turn, by name (each with its English alias). None of them
#: starts, continues or ends a flow, so they are checked before the flows' conversation (which
#: they leave as it is); /novo and /cancelar belong to it.
COMMAND_CALLBACKS: dict[str, Callback] = {
    "start": common.start,
    "ajuda": common.help_command,
    "help": common.help_command,
    "leads": leads.list_command,
    "lead": leads.open_command,
    "convidar": team.invite,
    "invite": team.invite,
    "convites": team.invites_command,
    "invites": team.invites_command,
    "equipe": team.team_command,
    "team": team.team_command,
    "hoje": reminders.today_command,
    "today": reminders.today_command,
    "config": settings.config_command,
    "settings": settings.config_command,
    "recarregar": playbook.reload_command,
    "reload": playbook.reload_command,
    "cadencias": lead_cadence.cadences_command,
    "cadences": lead_cadence.cadences_command,
    "iniciar": worklist.bulk_command,
    "bulkstart": worklist.bulk_command,
    "passar": reassign_chat.reassign_command,
    "reassign": reassign_chat.reassign_command,
    "objecoes": objections.objection_report,
    "objections": objections.objection_report,
    "auditoria": contacts.audit_command,
    "audit": contacts.audit_command,
}

#: Buttons answered in the update's turn (outside the flows' conversation), one handler per
#: action, each registered for the data its action decodes (:mod:`bot.tg.callbacks`).
ACTION_CALLBACKS: dict[type[Action], Handler] = {
    OpenLead: leads.lead_pressed,
    ShowIcp: leads.icp_pressed,
    **cadence.BUTTONS,
    **outcomes.BUTTONS,
    **qualification.BUTTONS,
    **choices.BUTTONS,
    **meetings.BUTTONS,
    **reminders.BUTTONS,
    **settings.BUTTONS,
    **tasks.BUTTONS,
    **timeline.BUTTONS,
    **after_reply.BUTTONS,
    **lead_cadence.BUTTONS,
    **worklist.BUTTONS,
    **reassign_chat.BUTTONS,
    **contacts.BUTTONS,
    **contact_question.BUTTONS,
}

#: Buttons of modules still on ``verb:arg`` data, by the verb their data starts with.
BUTTON_CALLBACKS: dict[Verb, Callback] = {
    Verb.PAGE: leads.page_pressed,
    Verb.ERASE: privacy.erase_pressed,
    Verb.TEAM: team.team_pressed,
    Verb.INVITES: team.invites_pressed,
}


async def _command(update: Update, context: Context) -> None:
    """One handler for the commands above: one check per update instead of one per command."""
    message = update.effective_message
    assert message is not None and message.text is not None
    name = message.text.split(maxsplit=1)[0][1:].partition("@")[0].lower()
    await COMMAND_CALLBACKS[name](update, context)


async def _button(update: Update, context: Context) -> None:
    """One handler for the buttons above (their data was matched by the pattern)."""
    query = update.callback_query
    assert query is not None and isinstance(query.data, str)
    await BUTTON_CALLBACKS[Verb(query.data.partition(":")[0])](update, context)


SAVE_GROUP = 1
"""The handler group after the bot's own (-1: the gate, 0: everything else)."""
QUESTION_GROUP = -2
"""Before the gate: a press of another button ends an open contact question
(:func:`bot.tg.contact_question.close_on_other_press`; it only forgets, never answers)."""


def add_handlers(application: Application) -> None:
    warnings.filterwarnings("ignore", category=PTBUserWarning, message=".*per_message.*")
    application.add_handler(TypeHandler(Update, common.gate), group=-1)
    application.add_handler(CallbackQueryHandler(contact_question.close_on_other_press), group=QUESTION_GROUP)
    buttons = "|".join(verb.value for verb in BUTTON_CALLBACKS)
    application.add_handlers(
        [
            CommandHandler(list(COMMAND_CALLBACKS), _command),
            flows.conversation(),
            CommandHandler(["cancelar", "cancel"], common.cancel),  # outside any flow
            *(CallbackQueryHandler(callback, pattern=action.matches) for action, callback in ACTION_CALLBACKS.items()),
            *(
                CallbackQueryHandler(callback, pattern=action.matches, block=False)
                for action, callback in worklist.SLOW_BUTTONS.items()
            ),
            CallbackQueryHandler(_button, pattern=rf"^({buttons})(:|$)"),
            # Managers' commands: long work runs in a worker thread and block=False lets the
            # bot keep answering everyone else meanwhile.
            CommandHandler(["relatorio", "report"], report_chat.relatorio, block=False),
            CommandHandler(["economia", "economics"], economics.economia, block=False),
            CommandHandler(["exportar", "export"], export_chat.exportar, block=False),
            CommandHandler(["mercado", "market"], registry_chat.mercado, block=False),
            CommandHandler(["prospectar", "prospect"], registry_chat.prospectar, block=False),
            CallbackQueryHandler(registry_chat.prospect_pressed, pattern=pattern(Verb.PROSPECT), block=False),
            MessageHandler(filters.Document.ALL, import_chat.on_document, block=False),
            CallbackQueryHandler(report_chat.report_pressed, pattern=pattern(Verb.REPORT), block=False),
            CallbackQueryHandler(export_chat.export_pressed, pattern=pattern(Verb.EXPORT), block=False),
            CallbackQueryHandler(import_chat.import_update_pressed, pattern=pattern(Verb.IMPORT_UPDATE), block=False),
            MessageHandler(filters.COMMAND, common.unknown_command),
            CallbackQueryHandler(common.stray_callback),
            MessageHandler(filters.ALL, common.stray_text),
        ]
    )
    # Last, after every other group: what the update changed is saved before the next update.
    application.add_handler(TypeHandler(Update, save_after_update), group=SAVE_GROUP)
    application.add_error_handler(common.on_error)


HEALTH_SERVER = "health_server"


async def _post_init(application: Application) -> None:
    await _register_commands(application)
    scheduler: ReminderScheduler = application.bot_data[reminders.SCHEDULER]
    await scheduler.start(application.job_queue)
    _reload_on_sighup(application)
    await import_chat.tell_unfinished_imports(application)
    runtime: Runtime = application.bot_data[RUNTIME]
    if runtime.settings.health_port:
        application.bot_data[HEALTH_SERVER] = await serve_health(
            runtime, runtime.settings.health_listen, runtime.settings.health_port
        )


def _reload_on_sighup(application: Application) -> None:
    """``kill -HUP`` (or ``systemctl reload``) reloads the playbook, like /recarregar."""
    if not hasattr(signal, "SIGHUP"):
        return  # Windows
    loop = asyncio.get_running_loop()
    try:
        loop.add_signal_handler(signal.SIGHUP, lambda: application.create_task(playbook.reload_on_signal(application)))
    except (NotImplementedError, RuntimeError):  # not the main thread, or a loop without signals
        log.info("SIGHUP cannot reload the playbook here; use /recarregar")


async def _post_stop(application: Application) -> None:
    scheduler: ReminderScheduler = application.bot_data[reminders.SCHEDULER]
    await scheduler.stop()
    health = application.bot_data.pop(HEALTH_SERVER, None)
    if health is not None:
        health.close()
        await health.wait_closed()


async def _register_commands(application: Application) -> None:
    """Register the command menu in Portuguese (default) and English."""
    for language in ("pt", "en"):
        _ = gettext_for(language)
        commands = [BotCommand(name, _(description)) for name, description in COMMANDS]
        try:
            await application.bot.set_my_commands(
                commands, scope=BotCommandScopeDefault(), language_code=None if language == "pt" else "en"
            )
        except Exception:  # a menu is a nicety: never stop the bot for it
            log.warning("could not register the command menu (%s)", language, exc_info=True)


def registry_store(settings: Settings) -> RegistryStore:
    """The open CNPJ registry under ``REGISTRY_DIR``, as the services see it. It follows the month
    in service (``month()`` is ``None`` until a first ``cadencia registry load``), so a load while
    the bot runs is picked up without a restart; DuckDB is imported at the first question."""
    from bot.registry.store import ParquetRegistry

    return ParquetRegistry(settings.registry_dir)
