"""LGPD: erasure of a contact's personal data and the retention purge, on generated activity.

Every report number must stay the same after an erasure (the report is built before and after
and compared whole); the rows are checked in the database and in an export; the leads a purge
erases are recounted independently from the generated stage changes.
"""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from sqlalchemy import Engine, text, update
from sqlmodel import Session, col, select

from bot.domain.activity import ActivityFilter
from bot.domain.privacy import ErasureReason, ErasureVia
from bot.render.reports import render_cli
from bot.services import privacy
from bot.services.exports import export
from bot.services.leads import LeadNotFound
from bot.services.reports import build_report
from bot.storage.models import ErasureAudit, Lead, Touch
from tests.services.activity import T0, Activity
from tests.support.runtimes import cli_runtime

NOW = datetime(2026, 12, 2, 12, 0, tzinfo=UTC)
CONTACT = {
    "contact_name": "Mariana Souza",
    "contact_role": "Diretora de Operações",
    "contact_phone": "+55 41 99999-0000",
    "contact_email": "mariana@horizonte.example",
    "contact_linkedin": "https://www.linkedin.com/in/mariana-souza",
    "notes": "Mariana é a sócia; prefere WhatsApp à noite",
}


def _give_contacts(engine: Engine) -> None:
    """The generated leads have no contact: give every lead one, and every touch free text."""
    with Session(engine) as session:
        session.execute(update(Lead).values({**CONTACT, "trade_name": "Horizonte", "website": "horizonte.example"}))
        session.execute(update(Touch).values(notes="ligar para Mariana no celular", budget="R$ 50 mil"))
        # A qualification answer recorded from the buttons is a code of a closed list: it stays.
        session.execute(update(Touch).where(text("id % 2 = 1")).values(budget="approval"))
        session.commit()


def _report(engine: Engine) -> Any:
    with Session(engine) as session:
        return build_report(session, start=None, end=None)


def _table(engine: Engine, name: str) -> list[tuple[Any, ...]]:
    with engine.connect() as connection:
        return [tuple(r) for r in connection.execute(text(f"SELECT * FROM {name} ORDER BY id"))]


def _export_leads(engine: Engine, directory: Path) -> dict[int, dict[str, str]]:
    result = export(cli_runtime(engine), what=["leads"], directory=directory, filters=ActivityFilter())
    raw = result.files[0].read_bytes().decode("utf-8-sig")
    return {int(r["id"]): r for r in csv.DictReader(io.StringIO(raw), delimiter=";")}


def _touches_per_lead(activity: Activity) -> dict[int, int]:
    counts: dict[int, int] = {}
    for touch in activity.touches:
        counts[touch["lead_id"]] = counts.get(touch["lead_id"], 0) + 1
    return counts


def test_an_erasure_removes_every_personal_field_and_keeps_every_number(
    activity_engine: Engine, activity: Activity, tmp_path: Path
) -> None:
    _give_contacts(activity_engine)
    touches = _touches_per_lead(activity)
    lead_id = max(touches, key=touches.__getitem__)  # the lead with the most touches
    before = _report(activity_engine)
    kept = {name: _table(activity_engine, name) for name in ("stage_changes", "meetings")}

    done = privacy.erase(cli_runtime(activity_engine, NOW), lead_id, via=ErasureVia.CLI)

    assert done.fields == tuple(CONTACT) and done.touches == touches[lead_id] > 1
    after = _report(activity_engine)
    assert after == before
    assert render_cli(after) == render_cli(before)
    assert {name: _table(activity_engine, name) for name in kept} == kept
    with Session(activity_engine) as session:
        lead = session.get(Lead, lead_id)
        assert lead is not None
        assert [getattr(lead, f) for f in CONTACT] == ["", "", "", "", "", None]
        assert lead.trade_name == "Horizonte" and lead.website == "horizonte.example"  # the company's
        assert lead.personal_data_erased_at == NOW
        assert lead.company == f"Empresa {lead_id} Ltda" and lead.icp_score is not None
        rows = session.exec(select(Touch).where(Touch.lead_id == lead_id)).all()
        assert rows and all(t.notes is None and t.pain is None for t in rows)
        assert {t.budget for t in rows if (t.id or 0) % 2} == {"approval"}
        assert {t.budget for t in rows if not (t.id or 0) % 2} == {None}
        generated = {t["id"]: t for t in activity.touches if t["lead_id"] == lead_id}
        for touch in rows:  # the shape of every touch is what it was
            g = generated[touch.id or 0]
            assert (
                touch.outcome,
                touch.channel,
                touch.step_id,
                touch.happened_at,
                touch.contact_role,
                touch.intent,
            ) == (g["outcome"], g["channel"], g["step_id"], g["happened_at"], g.get("contact_role"), g.get("intent"))
        other = session.get(Lead, lead_id + 1 if lead_id + 1 in touches else lead_id - 1)
        assert other is not None and other.contact_name == "Mariana Souza"  # only that lead
        audit = session.exec(select(ErasureAudit)).all()
    assert [(a.lead_id, a.member_id, a.via, a.reason, a.fields, a.touches, a.at) for a in audit] == [
        (lead_id, None, "cli", "request", list(CONTACT), touches[lead_id], NOW)
    ]
    exported = _export_leads(activity_engine, tmp_path)
    row = exported[lead_id]
    assert [row[c] for c in ("contato", "cargo", "telefone", "email", "linkedin", "observacoes")] == [""] * 6
    assert (row["nome_fantasia"], row["site"]) == ("Horizonte", "horizonte.example")
    assert row["dados_pessoais_apagados_em"] == "2026-12-02 09:00:00"
    assert row["empresa"] == f"Empresa {lead_id} Ltda"
    assert exported[other.id or 0]["contato"] == "Mariana Souza"
    assert exported[other.id or 0]["dados_pessoais_apagados_em"] == ""


def test_erasing_twice_is_refused_until_someone_types_a_contact_again(activity_engine: Engine) -> None:
    _give_contacts(activity_engine)
    privacy.erase(cli_runtime(activity_engine, NOW), 5, via=ErasureVia.CLI)
    with pytest.raises(privacy.NothingToErase) as refused:
        privacy.erase(cli_runtime(activity_engine, NOW + timedelta(days=1)), 5, via=ErasureVia.CLI)
    assert refused.value.erased_at == NOW
    with Session(activity_engine) as session:
        session.execute(update(Lead).where(col(Lead.id) == 5).values(contact_phone="(11) 98888-7777"))
        session.commit()
    again = privacy.erase(cli_runtime(activity_engine, NOW + timedelta(days=2)), 5, via=ErasureVia.CLI)
    assert again.fields == ("contact_phone",) and again.touches == 0
    erased = privacy.erasures(cli_runtime(activity_engine))
    assert [line.fields for line in erased] == [("contact_phone",), tuple(CONTACT)]
    with pytest.raises(LeadNotFound):
        privacy.erase(cli_runtime(activity_engine, NOW), 999_999, via=ErasureVia.CLI)


# ------------------------------------------------------------------------------ retention


def _lost_before(activity: Activity, cutoff: datetime) -> set[int]:
    """Independent recount: leads whose final stage is lost and whose last loss is before cutoff."""
    last_loss: dict[int, datetime] = {}
    for change in activity.stage_changes:
        if change["to_stage"] == "lost":
            last_loss[change["lead_id"]] = max(change["at"], last_loss.get(change["lead_id"], change["at"]))
    final = {lead["id"]: lead["stage"] for lead in activity.leads}
    return {lead for lead, at in last_loss.items() if final[lead] == "lost" and at < cutoff}


def test_retention_erases_only_leads_lost_more_than_n_months_ago_and_only_once(
    activity_engine: Engine, activity: Activity
) -> None:
    _give_contacts(activity_engine)
    now = T0 + timedelta(days=30 + 62)  # the generated losses spread over 90 days from T0
    cutoff = datetime(now.year, now.month - 2, now.day, now.hour, tzinfo=UTC)
    expected = _lost_before(activity, cutoff)
    lost_later = _lost_before(activity, now + timedelta(days=400)) - expected
    assert len(expected) > 20 and len(lost_later) > 20  # the frozen clock splits the lost leads
    before = _report(activity_engine)
    snapshot = {name: _table(activity_engine, name) for name in ("leads", "touches", "erasure_audit")}

    dry = privacy.purge(cli_runtime(activity_engine, now), months=2, via=ErasureVia.CLI, dry_run=True)
    assert dry.dry_run and set(dry.lead_ids) == expected and dry.cutoff == cutoff
    assert {name: _table(activity_engine, name) for name in snapshot} == snapshot  # nothing changed

    result = privacy.purge(cli_runtime(activity_engine, now), months=2, via=ErasureVia.BOT, batch=7)
    assert set(result.lead_ids) == expected and result.count == len(expected)
    with Session(activity_engine) as session:
        leads = {lead.id: lead for lead in session.exec(select(Lead))}
        audits = session.exec(select(ErasureAudit)).all()
    for lead_id, lead in leads.items():
        erased = lead_id in expected
        assert (lead.contact_name == "") is erased
        assert lead.personal_data_erased_at == now if erased else lead.personal_data_erased_at is None
    assert sorted(a.lead_id for a in audits) == sorted(expected)
    assert {(a.via, a.reason, a.member_id) for a in audits} == {
        (ErasureVia.BOT.value, ErasureReason.RETENTION.value, None)
    }
    assert _report(activity_engine) == before

    again = privacy.purge(cli_runtime(activity_engine, now), months=2, via=ErasureVia.BOT)  # a restart, the CLI
    assert again.count == 0
    with Session(activity_engine) as session:
        assert len(session.exec(select(ErasureAudit)).all()) == len(expected)
    # The next day's run erases only the leads whose loss is one more day behind the cutoff.
    next_day = privacy.purge(cli_runtime(activity_engine, now + timedelta(days=1)), months=2, via=ErasureVia.BOT)
    newly_due = _lost_before(activity, cutoff + timedelta(days=1)) - expected
    assert set(next_day.lead_ids) == newly_due
    with Session(activity_engine) as session:
        assert len(session.exec(select(ErasureAudit)).all()) == len(expected) + len(newly_due)


def test_retention_off_erases_nothing(activity_engine: Engine) -> None:
    result = privacy.purge(cli_runtime(activity_engine, NOW), months=0, via=ErasureVia.BOT)
    assert result.cutoff is None and result.count == 0
    assert _table(activity_engine, "erasure_audit") == []


# ------------------------------------------------------------------------------ imports


def test_an_import_never_brings_an_erased_contact_back(sqlite_engine: Engine) -> None:
    from bot.config import Settings
    from bot.services.imports import Assignment, import_bytes
    from bot.services.playbooks import load_checked_playbook
    from bot.storage.models import Member
    from tests.services.import_scenario import ACAI, as_csv

    playbook = load_checked_playbook(Settings(_env_file=None).playbook_dir)  # type: ignore[call-arg]
    with Session(sqlite_engine) as session:
        session.add(Member(id=1, telegram_id=1000, role="rep", first_name="Ana"))
        session.commit()
    header = ["Razão Social", "CNPJ", "UF", "Cidade", "Contato", "E-mail", "Telefone", "Observações"]
    first = as_csv([header, ["Transportes Açaí Ltda", ACAI, "SP", "", "Joana Lima", "joana@acai.com.br", "", ""]])
    again = as_csv(
        [
            header,
            [
                "Transportes Açaí Ltda",
                ACAI,
                "SP",
                "Campinas",
                "Joana Lima",
                "joana@acai.com.br",
                "(11) 98765-4321",
                "Joana",
            ],
        ]
    )

    def run(raw: bytes) -> None:
        import_bytes(
            cli_runtime(sqlite_engine),
            raw,
            "lista.csv",
            playbook=playbook,
            assignment=Assignment(whole_team=True),
            update=True,
        )

    run(first)
    with Session(sqlite_engine) as session:
        (lead,) = session.exec(select(Lead)).all()
    assert (lead.contact_name, lead.contact_email) == ("Joana Lima", "joana@acai.com.br")
    privacy.erase(cli_runtime(sqlite_engine, NOW), lead.id or 0, via=ErasureVia.CLI)

    run(again)  # the same old list, now with a city, a phone and a note
    with Session(sqlite_engine) as session:
        (lead,) = session.exec(select(Lead)).all()
    assert lead.city == "Campinas"  # the company's facts are still completed
    assert (lead.contact_name, lead.contact_email, lead.contact_phone, lead.notes) == ("", "", "", None)


# ------------------------------------------------------------------------------ both backends


def test_erase_and_purge_on_sqlite_and_postgresql(engine: Engine, tmp_path: Path) -> None:
    from bot.storage.models import Member, StageChange

    long_ago = NOW - timedelta(days=400)
    with Session(engine) as session:
        session.add(Member(id=1, telegram_id=1000, role="rep", first_name="Ana", created_at=long_ago))
        session.flush()
        for lead_id, stage in ((1, "prospecting"), (2, "lost"), (3, "lost")):
            contact = {k: v for k, v in CONTACT.items() if k != "notes"}
            session.add(
                Lead(id=lead_id, owner_id=1, company=f"Empresa {lead_id}", company_key=f"empresa {lead_id}",
                     stage=stage, created_at=long_ago, updated_at=long_ago, **contact)
            )  # fmt: skip
            session.flush()
            session.add(
                Touch(lead_id=lead_id, rep_id=1, channel="phone", playbook_version="1", playbook_fingerprint="fp",
                      outcome="connected", pain="clear", budget="R$ 50 mil", notes="ligar à noite",
                      happened_at=long_ago)
            )  # fmt: skip
            if stage == "lost":
                lost_at = long_ago if lead_id == 2 else NOW - timedelta(days=10)
                session.add(StageChange(lead_id=lead_id, rep_id=1, from_stage="new", to_stage="lost", at=lost_at))
        session.commit()

    done = privacy.erase(cli_runtime(engine, NOW), 1, via=ErasureVia.CLI)
    assert done.fields == tuple(f for f in CONTACT if f != "notes") and done.touches == 1
    dry = privacy.purge(cli_runtime(engine, NOW), months=6, via=ErasureVia.CLI, dry_run=True)
    assert dry.lead_ids == (2,)
    assert privacy.purge(cli_runtime(engine, NOW), months=6, via=ErasureVia.BOT).lead_ids == (2,)
    assert privacy.purge(cli_runtime(engine, NOW), months=6, via=ErasureVia.BOT).lead_ids == ()
    with Session(engine) as session:
        leads = {lead.id: lead for lead in session.exec(select(Lead))}
        kept = {t.lead_id: (t.pain, t.budget, t.notes) for t in session.exec(select(Touch))}
    assert {i: (lead.contact_name, lead.personal_data_erased_at) for i, lead in leads.items()} == {
        1: ("", NOW),
        2: ("", NOW),
        3: ("Mariana Souza", None),
    }
    assert kept == {1: ("clear", None, None), 2: ("clear", None, None), 3: ("clear", "R$ 50 mil", "ligar à noite")}
    assert [(line.lead_id, line.via, line.reason) for line in privacy.erasures(cli_runtime(engine))] == [
        (2, "bot", "retention"),
        (1, "cli", "request"),
    ]
    exported = export(cli_runtime(engine), what=["erasures"], fmt="xlsx", directory=tmp_path, filters=ActivityFilter())
    sheet = openpyxl.load_workbook(exported.files[0])["apagamentos"]
    rows = [[cell.value for cell in row] for row in sheet.iter_rows()]
    header = ["id", "data_hora", "lead_id", "empresa", "gestor_id", "gestor", "via", "via_codigo", "motivo"]
    assert rows[0] == [*header, "motivo_codigo", "campos", "toques"]
    assert [(r[2], r[3], r[6], r[7], r[8], r[9], r[11]) for r in rows[1:]] == [
        (1, "Empresa 1", "Linha de comando", "cli", "Pedido do titular", "request", 1),
        (2, "Empresa 2", "Retenção automática", "bot", "Prazo de retenção", "retention", 1),
    ]
    assert all("contact_name" in r[10] and "Mariana" not in r[10] for r in rows[1:])
