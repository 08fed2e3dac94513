"""Sub-commands that run the bot: ``cadencia run`` and ``cadencia demo``."""

from __future__ import annotations

import argparse
import asyncio
import logging
from urllib.error import HTTPError
from urllib.parse import urlsplit
from urllib.request import urlopen

from bot import logs
from bot.cli.commands import cli_language, playbook_failure, problem_text
from bot.cli.failures import CommandFailed
from bot.config import Settings
from bot.domain.lead_fields import LeadDraft
from bot.domain.playbook.checks import paging_warnings
from bot.i18n import gettext_for
from bot.services import leads, team
from bot.services.playbooks import PlaybookError, PlaybookVersionConflict, load_checked_playbook
from bot.services.runtime import Runtime
from bot.storage.db import DatabaseUnavailable, head_revision, make_engine, ping, schema_revision

log = logging.getLogger(__name__)

ALLOWED_UPDATES = ["message", "callback_query"]

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


def _runtime(settings: Settings, language: str) -> Runtime:
    from bot.wiring import build_runtime

    try:
        return build_runtime(settings)
    except PlaybookError as exc:
        raise playbook_failure(settings.playbook_dir, exc, language) from None
    except PlaybookVersionConflict as exc:
        raise CommandFailed(problem_text(exc, language)) from None
    except DatabaseUnavailable as exc:
        raise CommandFailed(f"{exc.message_pt} ({settings.database_url}: {exc.detail or exc.reason})") from None


def run(args: argparse.Namespace) -> int:
    settings = Settings()
    if not settings.telegram_bot_token:
        raise CommandFailed(NO_TOKEN, status=2)
    if args.webhook or settings.webhook_url:
        _webhook_address(args.webhook or settings.webhook_url)
    logs.configure(settings.log_level, json_lines=settings.log_format == "json", secrets=[settings.telegram_bot_token])
    language = cli_language(args)
    runtime = _runtime(settings, language)
    username = asyncio.run(_reach_telegram(settings))
    from bot.wiring import build_application

    application = build_application(runtime)
    if not settings.admin_ids:
        log.warning("CADENCIA_ADMINS is empty: nobody can use the bot until a manager id is set")
    for warning in paging_warnings(runtime.playbook):
        log.warning("playbook: %s", warning.text(gettext_for(language)))
    webhook = args.webhook or settings.webhook_url
    if webhook:
        address = urlsplit(webhook)
        print(f"Cadência rodando como @{username} (playbook {runtime.playbook.version}), webhook {webhook}.")
        application.run_webhook(
            listen=settings.webhook_listen,
            port=settings.webhook_port,
            url_path=address.path.strip("/"),
            webhook_url=webhook,
            secret_token=settings.webhook_secret_token,
            allowed_updates=ALLOWED_UPDATES,
        )
    else:
        print(f"Cadência rodando como @{username} (playbook {runtime.playbook.version}). Ctrl-C para parar.")
        application.run_polling(allowed_updates=ALLOWED_UPDATES)
    from bot.tg.common import CONFLICT

    if CONFLICT in application.bot_data:
        raise CommandFailed(
            "outra instância deste bot está recebendo as mensagens (o Telegram respondeu 409 Conflict); "
            "pare a outra (ou remova o webhook dela) antes de rodar esta.",
            status=3,
        )
    return 0


def health(args: argparse.Namespace) -> int:
    """One line per check (database, playbook, Bot API, the running bot's /health); 1 if any fails."""
    settings = Settings()
    results = [_check_database(settings), _check_playbook(settings)]
    if not args.offline:
        results.append(_check_telegram(settings))
    if settings.health_port:
        results.append(_check_running(settings))
    for ok, name, detail in results:
        print(f"{'ok  ' if ok else 'FALHA'} {name}: {detail}")
    return 0 if all(ok for ok, _, _ in results) else 1


def _check_database(settings: Settings) -> tuple[bool, str, str]:
    try:
        engine = make_engine(settings.database_url)
        try:
            ping(engine)
            revision = schema_revision(engine)
        finally:
            engine.dispose()
    except DatabaseUnavailable as exc:
        return False, "banco de dados", f"{exc.message_pt} ({exc.detail or exc.reason})"
    head = head_revision()
    if revision == head:
        return True, "banco de dados", f"esquema {revision}"
    return True, "banco de dados", f"esquema {revision or 'vazio'}; `cadencia run` migra para {head} ao iniciar"


def _check_playbook(settings: Settings) -> tuple[bool, str, str]:
    try:
        playbook = load_checked_playbook(settings.playbook_dir)
    except PlaybookError as exc:
        return (
            False,
            "playbook",
            f"{len(exc.issues)} problema(s) em {settings.playbook_dir}; veja `cadencia playbook check`",
        )
    return True, "playbook", f"{playbook.version} ({settings.playbook_dir})"


def _check_telegram(settings: Settings) -> tuple[bool, str, str]:
    if not settings.telegram_bot_token:
        return False, "Bot API", "TELEGRAM_BOT_TOKEN está vazio"
    try:
        username = asyncio.run(_reach_telegram(settings))
    except CommandFailed as exc:
        return False, "Bot API", str(exc)
    return True, "Bot API", f"@{username} em {settings.telegram_api_base_url}"


def _check_running(settings: Settings) -> tuple[bool, str, str]:
    url = f"http://{settings.health_listen}:{settings.health_port}/health"
    try:
        with urlopen(url, timeout=5) as answer:
            return True, "bot rodando", f"{url}: {answer.read().decode()}"
    except HTTPError as exc:
        return False, "bot rodando", f"{url} respondeu {exc.code}: {exc.read().decode(errors='replace')}"
    except OSError as exc:
        return False, "bot rodando", f"ninguém respondeu em {url} ({exc})"


def _webhook_address(text: str) -> str:
    address = urlsplit(text)
    if address.scheme != "https" or not address.hostname:
        raise CommandFailed(
            f"--webhook precisa de um endereço https:// (o Telegram só chama https), não {text!r}", status=2
        )
    return text


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
    runtime = _runtime(settings, cli_language(args))
    manager = team.recognise(
        runtime, team.TelegramPerson(telegram_id=DEMO_MANAGER_ID, first_name="Gestora", full_name="Gestora Demo")
    )
    assert manager is not None
    if leads.list_leads(runtime, manager).total == 0:
        for sample in SAMPLE_LEADS:
            leads.create_lead(runtime, manager, LeadDraft.read(sample))
    from bot.cli.console import run_console

    return asyncio.run(run_console(runtime, telegram_id=DEMO_MANAGER_ID, first_name="Gestora"))
