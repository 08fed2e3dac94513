"""``cadencia lead start`` and ``cadencia lead reassign``: the operator works the list with the
chat's rules, and every error is one line."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from sqlmodel import Session, col, select

from bot.config import Settings
from bot.domain.lead_fields import LeadDraft
from bot.domain.vocabulary import ReminderKind, Role, Stage
from bot.resources import bundled_dir
from bot.services import leads
from bot.services.playbooks import load_checked_playbook, remember_playbook
from bot.services.runtime import Runtime
from bot.storage.db import make_engine, upgrade_database
from bot.storage.models import FitOverride, Lead, Member, OwnerChange, Reminder
from tests.cli.test_cli import cadencia
from tests.tg.test_worklist import TIER_A

NOW = datetime(2026, 12, 2, 12, 0, tzinfo=UTC)


def _database(tmp_path: Path) -> tuple[str, dict[str, int]]:
    """Helena (manager), Ana with two tier A leads and a knocked-out one in "Logística SP", Bruno."""
    url = f"sqlite:///{tmp_path / 'cadencia.db'}"
    engine = make_engine(url)
    upgrade_database(engine)
    playbook = load_checked_playbook(bundled_dir("playbook"))
    remember_playbook(engine, playbook)
    ids: dict[str, int] = {}
    with Session(engine) as session:
        for n, (name, role) in enumerate((("Helena", Role.MANAGER), ("Ana", Role.REP), ("Bruno", Role.REP))):
            member = Member(telegram_id=7000 + n, role=role.value, first_name=name, full_name=f"{name} Lima")
            session.add(member)
            session.flush()
            ids[name.lower()] = member.id or 0
        session.commit()
        ana = session.get(Member, ids["ana"])
        assert ana is not None
    settings = Settings(_env_file=None, database_url=url)  # type: ignore[call-arg]
    runtime = Runtime(settings=settings, engine=engine, playbook=playbook, clock=lambda: NOW)
    for name, facts in (("Transportes Um", TIER_A), ("Transportes Dois", TIER_A)):
        draft = LeadDraft.read({"company": name, **facts, "campaign": "Logística SP"})
        ids[name] = leads.create_lead(runtime, ana, draft).lead.id or 0
    draft = LeadDraft.read({"company": "Caloteira", **TIER_A, "financial_score": "100", "campaign": "Logística SP"})
    ids["Caloteira"] = leads.create_lead(runtime, ana, draft).lead.id or 0
    engine.dispose()
    return url, ids


def test_bulk_start_from_the_command_line(tmp_path: Path) -> None:
    url, ids = _database(tmp_path)
    env = {"DATABASE_URL": url, "CADENCIA_ADMINS": ""}

    dry = cadencia("lead", "start", "--campaign", "logistica sp", "--dry-run", env=env)
    assert dry.returncode == 0, dry.stderr
    assert dry.stdout.splitlines() == [
        "Logística SP: 3 lead(s); iniciaria 2.",
        "  pulados: 1 (1 fora do ICP por knock-out)",
        "  --include-outside-icp iniciaria também os 1 de fora do ICP.",
        "simulação: nada iniciado (tire --dry-run para iniciar)",
    ]
    bad = cadencia("lead", "start", "--tier", "Z", env=env)
    assert bad.returncode == 2
    assert bad.stderr.strip() == "cadencia: Tier 'Z' não existe: use A, B, C ou D."
    unknown = cadencia("lead", "start", "--campaign", "Nada", env=env)
    assert unknown.returncode == 1
    assert unknown.stderr.strip() == "cadencia: Nenhuma campanha 'Nada'. Campanhas: Logística SP."

    done = cadencia("lead", "start", "--campaign", "Logística SP", env=env)
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines()[:2] == [
        "Logística SP: 2 cadência(s) iniciada(s) de 3 lead(s).",
        "  pulados: 1 (1 fora do ICP por knock-out)",
    ]
    forced = cadencia("lead", "start", "--campaign", "Logística SP", "--include-outside-icp", env=env)
    assert forced.returncode == 0, forced.stderr
    assert "Logística SP: 1 cadência(s) iniciada(s) de 3 lead(s)." in forced.stdout
    assert "fora do ICP, por --include-outside-icp: 1 (registrados)" in forced.stdout
    assert "pulados: 2 (2 já em cadência)" in forced.stdout

    engine = make_engine(url)
    with Session(engine) as session:
        stages = {lead.id: lead.stage for lead in session.exec(select(Lead))}
        reminded = {
            r.lead_id: r.member_id
            for r in session.exec(select(Reminder).where(Reminder.kind == ReminderKind.STEP_DUE.value))
        }
        [override] = session.exec(select(FitOverride)).all()
    engine.dispose()
    assert set(stages.values()) == {Stage.PROSPECTING.value}
    assert reminded == dict.fromkeys(stages, ids["ana"])
    assert (override.lead_id, override.member_id) == (ids["Caloteira"], ids["ana"])  # started as its owner


def test_reassign_from_the_command_line(tmp_path: Path) -> None:
    url, ids = _database(tmp_path)
    env = {"DATABASE_URL": url, "CADENCIA_ADMINS": ""}
    one = ids["Transportes Um"]

    moved = cadencia("lead", "reassign", str(one), "--to", "bruno", env=env)
    assert moved.returncode == 0, moved.stderr
    assert moved.stdout.splitlines()[:2] == [
        f"lead {one} Transportes Um: de Ana Lima para Bruno Lima.",
        "  lembretes que foram junto: 0.",
    ]
    assert "sem TELEGRAM_BOT_TOKEN" in moved.stdout
    rest = cadencia("lead", "reassign", "--from", "ana", "--round-robin", env=env)
    assert rest.returncode == 0, rest.stderr
    assert "leads abertos de Ana Lima: 2 para Bruno Lima." in rest.stdout

    for args, status, line in (
        (("999", "--to", "ana"), 1, "cadencia: lead 999 não existe"),
        ((str(one), "--to", "zeca"), 1, "cadencia: 'zeca' não está no time ativo. Veja quem está em /equipe."),
        ((str(one), "--to", "bruno"), 1, "cadencia: Esses leads já são de Bruno Lima."),
        ((str(one), "--round-robin"), 2, "cadencia: um lead vai para uma pessoa: use --to QUEM"),
        (("--to", "ana"), 2, "cadencia: diga qual lead (ID) ou --from QUEM (todos os leads abertos de alguém)"),
        (("x1", "--to", "ana"), 2, "cadencia: 'x1' não é o número de um lead (ex.: cadencia lead reassign 42)"),
        (("--from", "ana", "--to", "bruno"), 1, "cadencia: Ana Lima não tem leads abertos."),
    ):
        failed = cadencia("lead", "reassign", *args, env=env)
        assert (failed.returncode, failed.stderr.strip()) == (status, line)

    engine = make_engine(url)
    with Session(engine) as session:
        changes = session.exec(select(OwnerChange).order_by(col(OwnerChange.id))).all()
    engine.dispose()
    assert [(c.lead_id, c.from_member_id, c.to_member_id, c.by_member_id, c.via) for c in changes] == [
        (one, ids["ana"], ids["bruno"], None, "cli"),
        (ids["Transportes Dois"], ids["ana"], ids["bruno"], None, "cli"),
        (ids["Caloteira"], ids["ana"], ids["bruno"], None, "cli"),
    ]
