"""Lead imports write in a few statements per chunk, on SQLite and PostgreSQL (issue 11): every
lead gets exactly its own "new" stage change, and a realistic file imports with the counts an
independent recount finds."""

from __future__ import annotations

import random
from datetime import UTC, datetime
from typing import Any

import pytest
from sqlalchemy import Engine, func, insert
from sqlmodel import Session, col, select

from bot.domain.playbook.model import Playbook
from bot.services.imports import Assignment, import_bytes
from bot.storage import importing
from bot.storage.db import session_scope
from bot.storage.models import Lead, Member, StageChange
from tests.services.import_scenario import as_csv, cnpj
from tests.support.runtimes import cli_runtime

MOMENT = datetime(2026, 11, 24, 13, 0, tzinfo=UTC)
STAGE_CHANGE = {
    "from_stage": None,
    "to_stage": "new",
    "reason": None,
    "playbook_version": "2026.11",
    "playbook_fingerprint": "f" * 64,
}


@pytest.fixture
def reps(engine: Engine) -> Engine:
    with engine.begin() as connection:
        connection.execute(
            insert(Member),
            [
                dict(id=1, telegram_id=1000, role="manager", first_name="Marta", full_name="Marta Souza"),
                dict(id=2, telegram_id=2000, role="rep", first_name="Ana", full_name="Ana Lima", username="ana"),
                dict(id=3, telegram_id=3000, role="rep", first_name="Bruno", full_name="Bruno Dias"),
            ],
        )
    return engine


def test_each_inserted_lead_gets_one_new_stage_change_copied_from_its_own_row(
    reps: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(importing, "ID_LIST_SIZE", 700)  # several INSERT … SELECT per chunk
    rows: list[dict[str, Any]] = [
        {
            "owner_id": 2 + i % 2,
            "company": f"Empresa {i}",
            "company_key": f"empresa {i}",
            "campaign": ("Sul", "Saúde SP", "")[i % 3],
            "source": "import",
            "stage": "new",
            "created_at": MOMENT,
            "updated_at": MOMENT,
        }
        for i in range(2000)
    ]
    with session_scope(reps) as session:
        ids = importing.insert_leads(session, rows, stage_change=STAGE_CHANGE)
    assert len(ids) == len(set(ids)) == 2000

    with Session(reps) as session:
        leads = {lead.id: lead for lead in session.exec(select(Lead))}
        changes = list(session.exec(select(StageChange)))
    assert set(leads) == set(ids) and len(changes) == 2000
    assert sorted(c.lead_id for c in changes) == sorted(ids)  # one each
    for change in changes:
        lead = leads[change.lead_id]
        assert (change.rep_id, change.campaign, change.at) == (lead.owner_id, lead.campaign, lead.created_at)
        assert (change.from_stage, change.to_stage, change.reason) == (None, "new", None)
        assert (change.playbook_version, change.playbook_fingerprint) == ("2026.11", "f" * 64)


def _realistic(count: int, seed: int = 5) -> tuple[bytes, set[str]]:
    """``count`` rows with valid CNPJs and varied facts, every 50th a repeat of an earlier row;
    returns the file and the distinct CNPJs in it."""
    rng = random.Random(seed)
    header = ["Empresa", "CNPJ", "CNAE", "UF", "Funcionários", "Faturamento", "Filiais", "Score", "E-mail", "Campanha"]
    rows: list[list[str]] = []
    for i in range(count):
        if i and i % 50 == 0:
            rows.append(list(rows[rng.randrange(len(rows))]))
            continue
        low = rng.choice([1, 10, 50, 100, 500])
        rows.append(
            [
                f"Empresa {i} Ltda",
                cnpj(f"{rng.randrange(10**8):08d}0001"),
                rng.choice(["6201-5/01", "4930-2/02", "8630-5/03", "4721-1/02", ""]),
                rng.choice(["SP", "RJ", "pr", "Minas Gerais", "BA"]),
                rng.choice([str(low), f"{low}-{low * 2}"]),
                rng.choice(["4,8 mi", "250 mil", "R$ 30.000.000", ""]),
                str(rng.randint(0, 12)),
                str(rng.randint(0, 1000)),
                f"contato{i}@empresa{i}.com.br",
                rng.choice(["Sul", "Saúde SP", ""]),
            ]
        )
    return as_csv([header, *rows]), {row[1] for row in rows}


def test_a_realistic_file_imports_in_one_piece_with_the_counts_a_recount_finds(
    reps: Engine, playbook: Playbook
) -> None:
    raw, distinct = _realistic(2600)
    result = import_bytes(
        cli_runtime(reps, MOMENT),
        raw,
        "lista.csv",
        playbook=playbook,
        assignment=Assignment(whole_team=True),
        member_id=1,
    )
    # rows 50, 100 … 2550 repeat earlier ones
    assert (result.total, result.imported, len(result.duplicates), len(result.rejected)) == (2600, 2549, 51, 0)

    with Session(reps) as session:
        stored = list(session.exec(select(Lead.cnpj, Lead.owner_id, Lead.icp_tier)))
        changes = session.execute(select(func.count()).select_from(StageChange)).scalar_one()
        per_owner = dict(session.exec(select(Lead.owner_id, func.count()).group_by(col(Lead.owner_id))).all())
    assert len(stored) == changes == result.imported
    assert {row[0] for row in stored} == {c.replace(".", "").replace("/", "").replace("-", "") for c in distinct}
    assert per_owner == {2: 1275, 3: 1274}  # round-robin between the two reps
    assert {row[2] for row in stored} <= {"A", "B", "C", "D"}
