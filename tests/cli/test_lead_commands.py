"""``cadencia lead erase|purge|erasures`` (LGPD) as an operator runs them: one-line errors,
confirmation, audit, and a purge that erases only leads lost long enough ago, once."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy import Engine
from sqlmodel import Session, select

from bot.storage.db import make_engine, upgrade_database
from bot.storage.models import ErasureAudit, Lead, Member, StageChange, Touch
from tests.cli.test_cli import cadencia

CONTACT = {
    "contact_name": "Paulo Reis",
    "contact_role": "Sócio",
    "contact_phone": "(19) 98888-1111",
    "contact_email": "paulo@bemviver.example",
    "contact_linkedin": "https://www.linkedin.com/in/pauloreis",
}


def _database(tmp_path: Path) -> tuple[dict[str, str], Engine]:
    """Three leads: #1 open, #2 lost in 2020, #3 lost yesterday; each with a contact and a note."""
    env = {"DATABASE_URL": f"sqlite:///{tmp_path / 'cadencia.db'}", "CADENCIA_ADMINS": "", "RETENTION_MONTHS": "6"}
    engine = make_engine(env["DATABASE_URL"])
    upgrade_database(engine)
    long_ago = datetime(2020, 3, 2, 15, tzinfo=UTC)
    yesterday = datetime.now(UTC) - timedelta(days=1)
    with Session(engine) as session:
        session.add(Member(id=1, telegram_id=1, role="rep", first_name="Ana", created_at=long_ago))
        session.flush()
        for lead_id, company, stage, lost_at in (
            (1, "Clínica Bem Viver", "prospecting", None),
            (2, "Padaria Central", "lost", long_ago),
            (3, "Transportes Horizonte", "lost", yesterday),
        ):
            session.add(
                Lead(
                    id=lead_id,
                    owner_id=1,
                    company=company,
                    company_key=company.lower(),
                    stage=stage,
                    created_at=long_ago,
                    updated_at=long_ago,
                    **CONTACT,
                )
            )
            session.flush()
            session.add(
                Touch(
                    lead_id=lead_id,
                    rep_id=1,
                    channel="phone",
                    playbook_version="1",
                    playbook_fingerprint="fp",
                    outcome="connected",
                    notes="Paulo pediu retorno no celular",
                    happened_at=long_ago,
                )
            )
            if lost_at is not None:
                session.add(
                    StageChange(lead_id=lead_id, rep_id=1, from_stage="prospecting", to_stage="lost", at=lost_at)
                )
        session.commit()
    return env, engine


def _erased(engine: Engine) -> dict[int, bool]:
    with Session(engine) as session:
        return {lead.id or 0: lead.personal_data_erased_at is not None for lead in session.exec(select(Lead))}


def test_erase_one_lead_from_the_command_line(tmp_path: Path) -> None:
    env, engine = _database(tmp_path)

    unconfirmed = cadencia("lead", "erase", "1", env=env)
    assert unconfirmed.returncode == 2
    assert unconfirmed.stderr.strip() == "cadencia: apagar dados pessoais não se desfaz; confirme com --yes"
    assert _erased(engine) == {1: False, 2: False, 3: False}

    done = cadencia("lead", "erase", "1", "--yes", env=env)
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines()[0] == (
        "lead 1 (Clínica Bem Viver): apagados nome do contato, cargo, telefone, e-mail, LinkedIn, "
        "notas e respostas de qualificação de 1 toque(s)"
    )
    with Session(engine) as session:
        lead = session.get(Lead, 1)
        assert lead is not None and [getattr(lead, f) for f in CONTACT] == [""] * 5
        assert lead.company == "Clínica Bem Viver" and lead.stage == "prospecting"
        assert [t.notes for t in session.exec(select(Touch).where(Touch.lead_id == 1))] == [None]
        assert session.get(Lead, 2).contact_name == "Paulo Reis"  # type: ignore[union-attr]
        (audit,) = session.exec(select(ErasureAudit)).all()
    assert (audit.lead_id, audit.member_id, audit.via, audit.reason) == (1, None, "cli", "request")

    again = cadencia("lead", "erase", "1", "--yes", env=env)
    assert again.returncode == 1
    assert again.stderr.startswith("cadencia: lead 1 (Clínica Bem Viver): dados pessoais já apagados em ")
    assert len(again.stderr.strip().splitlines()) == 1

    for bad, message in (
        ("999", "cadencia: lead 999 não existe"),
        ("abc", "cadencia: 'abc' não é o número de um lead"),
    ):
        refused = cadencia("lead", "erase", bad, "--yes", env=env)
        assert refused.returncode != 0 and refused.stderr.startswith(message), refused.stderr
        assert len(refused.stderr.strip().splitlines()) == 1

    listed = cadencia("lead", "erasures", env=env)
    assert listed.returncode == 0
    (line,) = listed.stdout.splitlines()
    assert "lead 1 (Clínica Bem Viver)  por linha de comando via cli  pedido do titular: nome do contato" in line
    engine.dispose()


def test_purge_counts_then_erases_only_the_leads_lost_long_ago_once(tmp_path: Path) -> None:
    env, engine = _database(tmp_path)

    dry = cadencia("lead", "purge", "--dry-run", env=env)
    assert dry.returncode == 0, dry.stderr
    assert dry.stdout.startswith("1 lead(s) perdido(s) antes de ") and "nada foi alterado" in dry.stdout
    assert _erased(engine) == {1: False, 2: False, 3: False}
    assert cadencia("lead", "erasures", env=env).stdout.strip() == "nenhum apagamento registrado"

    done = cadencia("lead", "purge", env=env)
    assert done.returncode == 0, done.stderr
    assert (
        done.stdout.startswith("1 lead(s) perdido(s) antes de ") and "tiveram os dados pessoais apagados" in done.stdout
    )
    assert _erased(engine) == {1: False, 2: True, 3: False}
    with Session(engine) as session:
        assert session.get(Lead, 2).contact_email == ""  # type: ignore[union-attr]
        assert session.get(Lead, 3).contact_email == CONTACT["contact_email"]  # type: ignore[union-attr]
        (audit,) = session.exec(select(ErasureAudit)).all()
    assert (audit.lead_id, audit.via, audit.reason) == (2, "cli", "retention")

    again = cadencia("lead", "purge", env=env)
    assert again.stdout.startswith("0 lead(s)")

    off = cadencia("lead", "purge", env={**env, "RETENTION_MONTHS": "0"})
    assert off.returncode == 2
    assert off.stderr.strip() == "cadencia: retenção desligada: defina RETENTION_MONTHS (ou use --months N)"
    engine.dispose()
