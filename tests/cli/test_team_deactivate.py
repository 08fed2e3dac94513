"""``cadencia team deactivate``: the operator's way to off-board someone, with the chat's rules."""

from __future__ import annotations

import argparse
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlmodel import Session, select
from telegram import Bot

from bot.cli import team_commands
from bot.domain.vocabulary import ReminderKind, ReminderState, Role, Stage
from bot.simulator import InProcessBotApi
from bot.storage.db import make_engine, upgrade_database
from bot.storage.models import Deactivation, Lead, Member, Reminder
from tests.cli.test_cli import cadencia

NOW = datetime(2026, 12, 2, 12, 0, tzinfo=UTC)


def _database(tmp_path: Path) -> tuple[str, dict[str, int]]:
    """A team (a manager, Ana with 3 open leads and 1 won, Bruno, two Pedros) and Ana's reminders."""
    url = f"sqlite:///{tmp_path / 'cadencia.db'}"
    engine = make_engine(url)
    upgrade_database(engine)
    ids: dict[str, int] = {}
    with Session(engine) as session:
        for n, (name, role, username) in enumerate(
            (
                ("Helena", Role.MANAGER, "helena"),
                ("Ana", Role.REP, "ana_sp"),
                ("Bruno", Role.REP, "bruno"),
                ("Pedro", Role.REP, "pedro1"),
                ("Pedro", Role.REP, "pedro2"),
            )
        ):
            member = Member(
                telegram_id=5000 + n,
                role=role.value,
                first_name=name,
                full_name=f"{name} {username}",
                username=username,
                created_at=NOW,
            )
            session.add(member)
            session.flush()
            ids[username] = member.id or 0
        for n, stage in enumerate((Stage.PROSPECTING, Stage.NEW, Stage.PROPOSAL_SENT, Stage.WON)):
            lead = Lead(owner_id=ids["ana_sp"], company=f"Empresa {n}", company_key=f"empresa {n}", stage=stage.value)
            session.add(lead)
            session.flush()
            ids[f"lead{n}"] = lead.id or 0
        session.add(
            Reminder(
                member_id=ids["ana_sp"],
                lead_id=ids["lead0"],
                kind=ReminderKind.STEP_DUE.value,
                step_id="s1",
                due_at=NOW + timedelta(days=1),
                dedupe_key="step:x",
            )
        )
        session.add(
            Reminder(
                member_id=ids["ana_sp"],
                kind=ReminderKind.AGENDA.value,
                due_at=NOW + timedelta(days=1),
                dedupe_key="agenda:x",
            )
        )
        session.commit()
    engine.dispose()
    return url, ids


def test_deactivate_from_the_command_line_and_its_one_line_errors(tmp_path: Path) -> None:
    url, ids = _database(tmp_path)
    env = {"DATABASE_URL": url, "CADENCIA_ADMINS": ""}

    unknown = cadencia("team", "deactivate", "zeca", env=env)
    assert unknown.returncode == 1
    assert unknown.stderr.strip().splitlines() == [
        "cadencia: 'zeca' não está na equipe ativa (use o id, o id do Telegram, @usuário ou o nome)"
    ]
    ambiguous = cadencia("team", "deactivate", "pedro", env=env)
    assert ambiguous.returncode == 1
    [line] = ambiguous.stderr.strip().splitlines()
    assert line.startswith("cadencia: 'pedro' é ambíguo: Pedro pedro1 (id ") and "use o id ou o @usuário" in line
    undecided = cadencia("team", "deactivate", "@ana_sp", env=env)
    assert undecided.returncode == 1
    assert undecided.stderr.strip() == (
        "cadencia: Ana ana_sp tem 3 lead(s) em aberto: diga para quem vão com --to QUEM ou --round-robin"
    )
    last_manager = cadencia("team", "deactivate", "helena", env=env)
    assert last_manager.returncode == 1
    assert last_manager.stderr.strip() == (
        "cadencia: Helena helena: Não dá para desativar o último gestor ativo: convide outro gestor antes."
    )

    done = cadencia("team", "deactivate", "@ana_sp", "--to", "bruno", env=env)
    assert done.returncode == 0, done.stderr
    assert "Ana ana_sp desativado(a): 3 para Bruno bruno." in done.stdout
    assert "1 lead(s) ganho(s) ou perdido(s) ficaram com Ana ana_sp" in done.stdout
    assert "lembretes: 1 passados aos novos donos, 1 cancelados." in done.stdout
    assert "sem TELEGRAM_BOT_TOKEN: avise Bruno bruno você mesmo." in done.stdout

    again = cadencia("team", "deactivate", "@ana_sp", "--to", "bruno", env=env)
    assert again.returncode == 1 and "não está na equipe ativa" in again.stderr

    engine = make_engine(url)
    with Session(engine) as session:
        owners = {lead.company: lead.owner_id for lead in session.exec(select(Lead))}
        reminders = {r.kind: (r.member_id, r.state) for r in session.exec(select(Reminder))}
        [audit] = session.exec(select(Deactivation)).all()
        ana = session.get(Member, ids["ana_sp"])
    engine.dispose()
    assert owners == {
        "Empresa 0": ids["bruno"],
        "Empresa 1": ids["bruno"],
        "Empresa 2": ids["bruno"],
        "Empresa 3": ids["ana_sp"],
    }
    assert reminders[ReminderKind.STEP_DUE] == (ids["bruno"], ReminderState.PENDING)
    assert reminders[ReminderKind.AGENDA] == (ids["ana_sp"], ReminderState.CANCELLED)
    assert ana is not None and not ana.active
    assert (audit.by_member_id, audit.via, audit.leads_moved, audit.moved) == (None, "cli", 3, {str(ids["bruno"]): 3})


def test_the_command_line_tells_the_receivers_through_the_bot(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    url, _ = _database(tmp_path)
    monkeypatch.setenv("DATABASE_URL", url)
    monkeypatch.setenv("TELEGRAM_BOT_TOKEN", "123:TEST")
    api = InProcessBotApi(bot_username="cadencia_test_bot")
    monkeypatch.setattr(team_commands, "telegram_bot", lambda settings: Bot("123:TEST", request=api))
    status = team_commands.deactivate(argparse.Namespace(who="ana_sp", to=None, round_robin=True))
    assert status == 0
    out = capsys.readouterr().out
    # Round-robin among the active reps who are not paused: Bruno and the two Pedros.
    assert "1 para Bruno bruno, 1 para Pedro pedro1, 1 para Pedro pedro2" in out
    assert "avisados pelo bot: Bruno bruno, Pedro pedro1, Pedro pedro2." in out
    told = {int(r.params["chat_id"]): r.params["text"] for r in api.requests_for("sendMessage")}
    assert told == {
        5002: "Você recebeu 1 lead de Ana ana_sp. Veja em /leads.",
        5003: "Você recebeu 1 lead de Ana ana_sp. Veja em /leads.",
        5004: "Você recebeu 1 lead de Ana ana_sp. Veja em /leads.",
    }
