"""LGPD in the chat, as dialogues: a manager erases a contact's personal data from the lead card
(after a confirmation naming what goes); a rep cannot, not even with a forged button; the
report is the same before and after, and the export shows the erasure."""

from __future__ import annotations

import pytest
from sqlmodel import Session, col, select

from bot.domain.privacy import PERSONAL_TOUCH_FIELDS
from bot.domain.vocabulary import Role
from bot.services.reports import build_report
from bot.storage.models import ErasureAudit, Lead, Touch
from bot.tg.qualification import QUESTION_CHOICES
from tests.tg.harness import BotUnderTest, Person
from tests.tg.test_cadence import FULL, lead_row, started, touches
from tests.tg.test_manager import files_to, read_csv, says

pytestmark = pytest.mark.filterwarnings("ignore:Tasks created via `Application.create_task`")

CONTACT = {k: v for k, v in FULL.items() if k.startswith("contact_")}
LEAD_NOTE = "Mariana prefere WhatsApp à noite; é sócia do marido"


async def _worked_lead(bot: BotUnderTest, ana: Person) -> int:
    """A lead Ana worked: she reached the contact, qualified them and noted something personal."""
    lead_id = await started(bot, ana)
    with bot.runtime.session() as session:  # as an imported spreadsheet's "observações"
        lead = session.get(Lead, lead_id)
        assert lead is not None
        lead.notes = LEAD_NOTE
        session.add(lead)
    await ana.taps("Atendeu")
    for answer in ("Decisor", "Dor clara", "Precisa aprovar", "Em até 45 dias"):
        await ana.taps(answer)
    ana.sees("Qualificação registrada")
    await ana.taps("Seguir a cadência")
    await ana.taps("Passo atual")
    await ana.taps("Enviado, sem resposta")
    await ana.taps("Anotar")
    await ana.says("Mariana pediu para ligar no celular pessoal depois das 14h")
    ana.sees("Nota salva")
    return lead_id


def _report(bot: BotUnderTest):  # type: ignore[no-untyped-def]
    with Session(bot.runtime.engine) as session:
        return build_report(session, start=None, end=None)


async def test_a_manager_erases_a_contact_from_the_lead_card(bot: BotUnderTest) -> None:
    marta = await bot.member("Marta", role=Role.MANAGER)
    ana = await bot.member("Ana")
    lead_id = await _worked_lead(bot, ana)
    before = _report(bot)
    shape = [
        (t.outcome, t.channel, t.step_id, t.happened_at, t.contact_role, t.pain, t.budget, t.intent)
        for t in touches(bot)
    ]

    await marta.says(f"/lead {lead_id}")
    marta.sees("Mariana Souza", "+55 41 99999-0000", LEAD_NOTE)
    await marta.taps("Apagar dados pessoais")
    confirmation = marta.sees(
        "Apagar os dados pessoais do contato de Transportes Horizonte Ltda (#1)?",
        "Vão ser apagados: nome do contato, cargo, telefone, e-mail, LinkedIn, observações do lead, "
        "notas e respostas de qualificação de 1 toque(s).",
        "Ficam: a empresa, o CNPJ",
        "Isso não pode ser desfeito.",
    )
    assert "Mariana" not in confirmation  # it names what goes, not the data itself
    await marta.taps("Sim, apagar")
    shown = marta.sees(
        "Dados pessoais de Transportes Horizonte Ltda (#1) apagados",
        "Transportes Horizonte Ltda · #1",
        "dados pessoais apagados em 23/11/2026",
    )
    assert "Mariana" not in shown and "99999" not in shown and "WhatsApp" not in shown
    assert "🗑 Apagar dados pessoais" not in marta.buttons()  # nothing left to erase

    lead = lead_row(bot, lead_id)
    assert [getattr(lead, f) for f in CONTACT] == [""] * len(CONTACT) and lead.notes is None
    assert (lead.company, lead.cnpj, lead.cnae, lead.uf, lead.stage) == (
        "Transportes Horizonte Ltda",
        None,
        "4930202",
        "PR",
        "connected",
    )
    assert lead.personal_data_erased_at == bot.clock()
    assert [t.notes for t in touches(bot)] == [None, None]
    # The qualification answers are codes of the buttons' closed lists: they stay, and so does
    # everything the reports count.
    assert [
        (t.outcome, t.channel, t.step_id, t.happened_at, t.contact_role, t.pain, t.budget, t.intent)
        for t in touches(bot)
    ] == shape
    assert _report(bot) == before
    with bot.runtime.session() as session:
        audit = session.exec(select(ErasureAudit)).all()
    assert [(a.lead_id, a.member_id, a.via, a.reason, a.fields, a.touches, a.at) for a in audit] == [
        (lead_id, marta.member.id, "chat", "request", [*CONTACT, "notes"], 1, bot.clock())  # type: ignore[union-attr]
    ]

    await says(marta, "/exportar leads")
    ((_, data),) = files_to(bot, marta)
    (row,) = read_csv(data)
    assert [row[c] for c in ("contato", "cargo", "telefone", "email", "linkedin", "observacoes")] == [""] * 6
    assert row["dados_pessoais_apagados_em"] == "2026-11-23 10:00:00"
    assert row["empresa"] == "Transportes Horizonte Ltda"

    # The erasure audit, exported by a manager (and only by a manager).
    await says(marta, "/exportar apagamentos")
    ((name, data),) = files_to(bot, marta)[1:]
    assert name.startswith("cadencia_apagamentos")
    (erased,) = read_csv(data)
    assert [erased[c] for c in ("lead_id", "empresa", "gestor", "via", "via_codigo", "motivo", "motivo_codigo")] == [
        str(lead_id),
        "Transportes Horizonte Ltda",
        "Marta Silva",
        "Chat",
        "chat",
        "Pedido do titular",
        "request",
    ]
    assert erased["data_hora"] == "2026-11-23 10:00:00" and "contact_phone" in erased["campos"]
    await says(ana, "/exportar apagamentos")
    ana.sees("Só gestores exportam o histórico de apagamentos (LGPD).")
    assert files_to(bot, ana) == []

    # The rep's scripts render without the contact.
    await ana.says(f"/lead {lead_id}")
    card = ana.sees("dados pessoais apagados em 23/11/2026")
    assert "Mariana" not in card
    await ana.taps("Passo atual")
    assert "Mariana" not in ana.sees("Passo 3 de")

    # The old confirmation pressed again: nothing more to erase, nothing audited twice.
    await marta.presses_data(f"er:{lead_id}:yes")
    assert "Os dados pessoais deste lead já foram apagados em 23/11/2026." in marta.alerts()
    with bot.runtime.session() as session:
        assert len(session.exec(select(ErasureAudit)).all()) == 1


async def test_no_keeps_everything(bot: BotUnderTest) -> None:
    marta = await bot.member("Marta", role=Role.MANAGER)
    ana = await bot.member("Ana")
    lead_id = await started(bot, ana)
    await marta.says(f"/lead {lead_id}")
    await marta.taps("Apagar dados pessoais")
    marta.sees("Vão ser apagados: nome do contato, cargo, telefone, e-mail, LinkedIn.")
    await marta.taps("Não, manter")
    marta.sees("Ok, nada foi apagado.")
    lead = lead_row(bot, lead_id)
    assert lead.contact_name == "Mariana Souza" and lead.personal_data_erased_at is None
    with bot.runtime.session() as session:
        assert session.exec(select(ErasureAudit)).all() == []


async def test_a_rep_cannot_erase_not_even_with_a_forged_button(bot: BotUnderTest) -> None:
    ana = await bot.member("Ana")
    lead_id = await _worked_lead(bot, ana)
    await ana.says(f"/lead {lead_id}")
    ana.sees("Mariana Souza")
    assert not any("Apagar" in label for label in ana.buttons())

    for action in ("ask", "yes", "no"):
        await ana.presses_data(f"er:{lead_id}:{action}")
    assert ana.alerts().count("Só gestores apagam dados pessoais.") == 3
    assert lead_row(bot, lead_id).contact_name == "Mariana Souza"
    assert [t.notes for t in touches(bot)] == [None, "Mariana pediu para ligar no celular pessoal depois das 14h"]
    with bot.runtime.session() as session:
        assert session.exec(select(ErasureAudit)).all() == []
        assert session.exec(select(Lead).where(col(Lead.personal_data_erased_at).is_not(None))).all() == []


async def test_malformed_erase_buttons_are_refused(bot: BotUnderTest) -> None:
    from bot.services.leads import LeadNotFound
    from bot.tg.callbacks import BadCallback

    bot.expected_errors = (BadCallback, LeadNotFound)
    marta = await bot.member("Marta", role=Role.MANAGER)
    await marta.says("/leads")
    await marta.presses_data("er:1:now")
    await marta.presses_data("er:x:yes")
    await marta.presses_data("er:999:ask")
    assert "Esse botão não é válido. Abra o lead de novo com /leads." in marta.alerts()
    assert "Não encontrei esse lead. Veja os seus em /leads." in marta.alerts()
    with bot.runtime.session() as session:
        assert session.exec(select(Touch)).all() == []


async def test_in_english(bot: BotUnderTest) -> None:
    mark = await bot.member("Mark", role=Role.MANAGER, language_code="en")
    ana = await bot.member("Ana")
    lead_id = await started(bot, ana)
    await mark.says(f"/lead {lead_id}")
    await mark.taps("Erase personal data")
    mark.sees("Erase the contact's personal data of Transportes Horizonte Ltda (#1)?", "contact name, job title")
    await mark.taps("Yes, erase")
    mark.sees("personal data erased on Nov 23, 2026")


def test_the_qualification_buttons_record_only_codes_that_erasure_keeps() -> None:
    """The codes the buttons record are the ones the domain says are not personal data."""
    for field in ("pain", "budget"):
        assert {code for _, code in QUESTION_CHOICES[field]} == PERSONAL_TOUCH_FIELDS[field]
