"""Sub-commands that run the bot: ``cadencia run`` and ``cadencia demo``."""

from __future__ import annotations

import argparse
import asyncio
import logging
from typing import Any

from bot import logs
from bot.cli.commands import CommandFailed, playbook_failure
from bot.config import Settings
from bot.services import leads, team
from bot.services.playbooks import PlaybookError, PlaybookVersionConflict
from bot.services.runtime import Runtime
from bot.storage.db import DatabaseUnavailable

log = logging.getLogger(__name__)

NO_TOKEN = """\
Falta o TELEGRAM_BOT_TOKEN.

Para criar o seu bot:
  1. No Telegram, abra uma conversa com @BotFather e mande /newbot.
  2. Escolha um nome e um usuário terminado em "bot"; o BotFather responde com o token.
  3. Copie .env.example para .env e cole o token em TELEGRAM_BOT_TOKEN=...
  4. Ponha o seu id do Telegram (pergunte ao @userinfobot) em CADENCIA_ADMINS=...
  5. Rode de novo: cadencia run

Para experimentar sem Telegram, agora mesmo: cadencia demo"""

DEMO_MANAGER_ID = 1000
SAMPLE_LEADS = (
    {
        "company": "Transportes Horizonte Ltda",
        "cnpj": "11.222.333/0001-81",
        "cnae": "4930-2/02",
        "uf": "PR",
        "city": "Curitiba",
        "headcount": "120",
        "revenue": "18 mi",
        "branches": "3",
        "registration": "ativa",
        "financial_score": "780",
        "contact_name": "Mariana Souza",
        "contact_role": "Diretora de Operações",
        "contact_phone": "+55 41 99999-0000",
        "contact_email": "mariana@horizonte.example",
        "campaign": "Logística Sul",
    },
    {
        "company": "Clínica Bem Viver",
        "cnae": "8630-5/03",
        "uf": "SP",
        "city": "Campinas",
        "headcount": "45",
        "revenue": "6 mi",
        "registration": "isenta",
        "contact_name": "Paulo Reis",
        "contact_role": "Sócio",
        "contact_phone": "(19) 98888-1111",
        "campaign": "Saúde SP",
    },
    {"company": "Padaria Central", "cnae": "4721-1/02", "uf": "MG", "headcount": "12", "campaign": "Varejo MG"},
)


def _runtime(settings: Settings) -> Runtime:
    from bot.wiring import build_runtime

    try:
        return build_runtime(settings)
    except PlaybookError as exc:
        raise playbook_failure(settings.playbook_dir, exc) from None
    except PlaybookVersionConflict as exc:
        raise CommandFailed(str(exc)) from None
    except DatabaseUnavailable as exc:
        raise CommandFailed(f"{exc.message_pt} ({settings.database_url}: {exc.detail or exc.reason})") from None


def run(args: argparse.Namespace) -> int:
    settings = Settings()
    if not settings.telegram_bot_token:
        raise CommandFailed(NO_TOKEN, status=2)
    logs.configure(settings.log_level, json_lines=settings.log_format == "json", secrets=[settings.telegram_bot_token])
    runtime = _runtime(settings)
    username = asyncio.run(_reach_telegram(settings))
    from bot.wiring import build_application

    application = build_application(runtime)
    if not settings.admin_ids:
        log.warning("CADENCIA_ADMINS is empty: nobody can use the bot until a manager id is set")
    print(f"Cadência rodando como @{username} (playbook {runtime.playbook.version}). Ctrl-C para parar.")
    application.run_polling(allowed_updates=["message", "callback_query"])
    return 0


async def _reach_telegram(settings: Settings) -> str:
    """Check the token and the Bot API server before starting, to fail with one clear line."""
    from telegram import Bot
    from telegram.error import InvalidToken, NetworkError, TelegramError

    bot = Bot(
        settings.telegram_bot_token,
        base_url=settings.telegram_api_base_url,
        base_file_url=settings.telegram_api_file_url,
    )
    try:
        async with bot:
            return bot.username
    except InvalidToken:
        raise CommandFailed(
            "o Telegram recusou o TELEGRAM_BOT_TOKEN; confira o token com o @BotFather (/token)."
        ) from None
    except NetworkError as exc:
        raise CommandFailed(
            f"não consegui falar com o Bot API em {settings.telegram_api_base_url} ({exc}); confira a rede "
            "ou TELEGRAM_API_BASE_URL."
        ) from None
    except TelegramError as exc:
        raise CommandFailed(f"o Bot API respondeu com erro: {exc}") from None


def demo(args: argparse.Namespace) -> int:
    settings = Settings(
        database_url=args.database,
        cadencia_admins=str(DEMO_MANAGER_ID),
        telegram_bot_token="0:demo",
        telegram_api_base_url="http://offline.invalid/bot",
        telegram_api_file_url="http://offline.invalid/file/bot",
    )
    runtime = _runtime(settings)
    manager = team.recognise(
        runtime, team.TelegramPerson(telegram_id=DEMO_MANAGER_ID, first_name="Gestora", full_name="Gestora Demo")
    )
    assert manager is not None
    if leads.list_leads(runtime, manager).total == 0:
        for sample in SAMPLE_LEADS:
            leads.create_lead(runtime, manager, sample)
    from bot.cli.console import run_console

    return asyncio.run(run_console(runtime, telegram_id=DEMO_MANAGER_ID, first_name="Gestora"))


def register(sub: Any) -> None:
    run_parser = sub.add_parser("run", help="run the bot (long polling)")
    run_parser.set_defaults(handler=run)
    demo_parser = sub.add_parser("demo", help="try the bot offline in this terminal")
    demo_parser.add_argument(
        "--database", default="sqlite:///cadencia-demo.db", help="database of the demo (default: %(default)s)"
    )
    demo_parser.set_defaults(handler=demo)
    try:
        from bot.cli import manager_commands
    except ImportError:  # pragma: no cover - being written
        return
    manager_commands.register(sub)
