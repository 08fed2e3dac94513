"""A lead's contacts, as dialogues: ❓ Contato errado asks who the right one is and the scripts
use the answer; the lead card lists the contacts and one tap chooses another; bad input is
answered and nothing is lost; forged and foreign contacts are refused; a restart in the middle
of the question keeps it; the export has every contact and an LGPD erasure takes them all; the
registry's decision makers are offered after /novo and a prospect with contacts is audited."""

from __future__ import annotations

import io
from datetime import date

import openpyxl
import pytest
from sqlmodel import col, select

from bot.domain.contacts import QUALIFICATIONS
from bot.domain.registry import DecisionMaker, MarketFilter
from bot.domain.vocabulary import Role, Tier
from bot.services import prospect
from bot.services.leads import LeadNotFound
from bot.services.team import NotAllowed
from bot.storage.models import Lead, LeadContact, PersonalDataUse
from bot.tg.contacts import REGISTRY_ROLES
from tests.support.fake_registry import FakeRegistry, company
from tests.tg.harness import BotUnderTest, Person
from tests.tg.test_cadence import lead_row, started
from tests.tg.test_manager import done, files_to, read_csv, says
from tests.tg.test_registry_enrichment import NON_BLOCKING

pytestmark = pytest.mark.filterwarnings("ignore:Tasks created via `Application.create_task`")

RIGHT_ONE = "João Reis\nGerente de Logística\n(41) 98888-7777\njoao@horizonte.com.br"


def contacts(bot: BotUnderTest, lead_id: int | None = None) -> list[tuple[str, str, bool, str]]:
    """(name, e-mail, chosen, source) of the contacts, in the order they were added."""
    with bot.runtime.session() as session:
        statement = select(LeadContact).order_by(col(LeadContact.id))
        if lead_id is not None:
            statement = statement.where(LeadContact.lead_id == lead_id)
        return [(c.name, c.email, c.chosen, c.source) for c in session.exec(statement)]


async def answers(ana: Person, typed: str) -> None:
    """Types a contact, sees it read back and taps ✅ Salvar."""
    await ana.says(typed)
    ana.sees("#")  # "Salvar este contato no lead #…?", in the reader's language
    await ana.taps("✅")


async def wrong_contact(bot: BotUnderTest, ana: Person) -> int:
    lead_id = await started(bot, ana)
    await ana.taps("Contato errado")
    ana.sees("Registrado", "Próximo passo: Abordagem 2", "Quem é o contato certo?", "uma informação por linha")
    return lead_id


async def test_wrong_contact_asks_for_the_right_one_and_the_scripts_use_it(bot: BotUnderTest) -> None:
    ana = await bot.member("Ana")
    lead_id = await wrong_contact(bot, ana)
    await ana.says(RIGHT_ONE)
    ana.sees(
        "Salvar este contato no lead #1?",
        "Nome: João Reis",
        "Cargo: Gerente de Logística",
        "Telefone: +55 41 98888-7777",
        "E-mail: joao@horizonte.com.br",
    )
    assert ana.buttons() == ["✅ Salvar", "✏️ Corrigir", "✖️ Descartar"]
    assert lead_row(bot, lead_id).contact_name == "Mariana Souza"  # nothing saved before ✅
    await ana.taps("Salvar")
    ana.sees("Contato salvo e escolhido: os roteiros usam João Reis agora.")
    lead = lead_row(bot, lead_id)
    assert (lead.contact_name, lead.contact_role, lead.contact_phone, lead.contact_email, lead.contact_linkedin) == (
        "João Reis",
        "Gerente de Logística",
        "+55 41 98888-7777",
        "joao@horizonte.com.br",
        "",
    )
    assert contacts(bot) == [
        ("Mariana Souza", "mariana@horizonte.com.br", False, "lead"),
        ("João Reis", "joao@horizonte.com.br", True, "rep"),
    ]
    await ana.taps("Ficha do lead")
    card = ana.sees("👤 João Reis · Gerente de Logística", "joao@horizonte.com.br", "Outros contatos: Mariana Souza")
    assert "mariana@" not in card
    await ana.taps("Passo atual")
    step = ana.sees("Abordagem 2", "joao@horizonte.com.br")  # the e-mail goes to the right one now
    assert "João" in step and "Mariana" not in step


async def test_the_lead_card_lists_the_contacts_and_one_tap_chooses_another(bot: BotUnderTest) -> None:
    ana = await bot.member("Ana")
    lead_id = await wrong_contact(bot, ana)
    await answers(ana, RIGHT_ONE)
    await ana.taps("Contatos")
    ana.sees("Contatos de Transportes Horizonte Ltda", "⭐ João Reis · Gerente de Logística", "▫️ Mariana Souza")
    assert "✅ Mariana Souza" in ana.buttons() and "✅ João Reis" not in ana.buttons()
    await ana.taps("Mariana Souza")
    ana.sees("⭐ Mariana Souza · Diretora")
    assert lead_row(bot, lead_id).contact_email == "mariana@horizonte.com.br"
    await ana.taps("Adicionar contato")
    ana.sees("Novo contato.")
    await answers(ana, "Beatriz Lima\nCompras\nbia@horizonte.com.br")
    ana.sees("os roteiros usam Beatriz Lima agora")
    assert [c[0] for c in contacts(bot) if c[2]] == ["Beatriz Lima"]


async def test_bad_contacts_are_answered_and_nothing_is_lost(bot: BotUnderTest) -> None:
    ana = await bot.member("Ana")
    lead_id = await wrong_contact(bot, ana)
    for typed, answer in [
        ("   ", "Escreva o nome do contato na primeira linha"),
        ("x" * 10_000, "Texto longo demais para um contato (até 600 caracteres)"),
        ("João\n(00) 1234-5678", "DDD 00 não existe"),
        ("João\njoao@", "E-mail inválido"),
        ("(41) 98888-7777", "Escreva o nome do contato"),
    ]:
        await ana.says(typed)
        ana.sees("⚠️", answer)
    assert lead_row(bot, lead_id).contact_name == "Mariana Souza"
    assert contacts(bot) == []  # nothing written (the lead's own contact is listed when read)
    await answers(ana, RIGHT_ONE)  # still the same question
    ana.sees("Contato salvo")
    bot.check_errors()


async def test_dont_know_keeps_the_contact_and_ends_the_question(bot: BotUnderTest) -> None:
    ana = await bot.member("Ana")
    lead_id = await wrong_contact(bot, ana)
    await ana.taps("Não sei")
    ana.sees("Ok, o contato continua o mesmo.")
    await ana.says(RIGHT_ONE)  # not a contact any more
    assert lead_row(bot, lead_id).contact_name == "Mariana Souza"


async def test_a_restart_in_the_middle_of_the_question_keeps_it(bot: BotUnderTest) -> None:
    ana = await bot.member("Ana")
    lead_id = await wrong_contact(bot, ana)
    await bot.restart()
    await ana.says(RIGHT_ONE)
    ana.sees("Nome: João Reis")
    await bot.restart()  # and again while the contact waits for ✅
    await ana.taps("Salvar")
    ana.sees("Contato salvo")
    assert lead_row(bot, lead_id).contact_name == "João Reis"


async def test_a_contact_saved_before_a_crash_is_not_saved_twice(bot: BotUnderTest) -> None:
    ana = await bot.member("Ana")
    await wrong_contact(bot, ana)
    await ana.says(RIGHT_ONE)
    state = await bot.saved_state()  # the contact waits for ✅
    await ana.taps("Salvar")
    ana.sees("Contato salvo")
    await bot.killed(state)  # the state after the answer was never saved
    await ana.presses_data("ct:1:ok")  # ✅ again (a double tap, a client that resent it)
    ana.sees("Esse contato já foi salvo (lead #1)")
    assert [c[0] for c in contacts(bot)] == ["Mariana Souza", "João Reis"]


async def test_forged_and_foreign_contacts_are_refused(bot: BotUnderTest) -> None:
    bot.expected_errors = (NotAllowed, LeadNotFound)
    ana = await bot.member("Ana")
    bruno = await bot.member("Bruno")
    await wrong_contact(bot, ana)
    await answers(ana, RIGHT_ONE)
    mariana_id = min(c.id or 0 for c in _rows(bot))
    ana.replies()
    await ana.presses_data("cx:99999")
    await ana.presses_data("ct:1:rf:7")  # no such decision maker (no registry at all)
    assert ana.alerts()[-2:] == ["Não encontrei esse lead. Veja os seus em /leads."] * 2
    await bruno.says("/leads")
    for forged in (f"cx:{mariana_id}", "ct:1:ls", "ct:1:add", "ct:1:rf:0", "ct:1:skip", "oh:1:abordagem_2"):
        await bruno.presses_data(forged)
    assert bruno.alerts()[-6:] == ["Esse lead não é seu. Abra os seus com /leads."] * 6
    assert all("Mariana" not in text and "João" not in text for text in bruno.replies())
    await bruno.says("Pedro Alves")  # no question is open for Bruno
    assert [c[0] for c in contacts(bot) if c[2]] == ["João Reis"]  # nothing changed
    bot.check_errors()


def _rows(bot: BotUnderTest) -> list[LeadContact]:
    with bot.runtime.session() as session:
        return list(session.exec(select(LeadContact)))


async def test_the_export_has_every_contact_and_an_erasure_takes_them_all(bot: BotUnderTest) -> None:
    marta = await bot.member("Marta", role=Role.MANAGER)
    ana = await bot.member("Ana")
    lead_id = await wrong_contact(bot, ana)
    await answers(ana, RIGHT_ONE)

    await says(marta, "/exportar contatos")
    marta.sees("Exportação pronta (contatos: 2)")
    ((name, data),) = files_to(bot, marta)
    assert name.startswith("cadencia_contatos")
    rows = read_csv(data)
    assert [(r["nome"], r["cargo"], r["telefone"], r["escolhido"], r["empresa"]) for r in rows] == [
        ("Mariana Souza", "Diretora", "'+55 41 99999-0000", "não", "Transportes Horizonte Ltda"),
        ("João Reis", "Gerente de Logística", "'+55 41 98888-7777", "sim", "Transportes Horizonte Ltda"),
    ]  # a leading + is quoted, as in every export, so a spreadsheet never runs it as a formula

    await marta.says(f"/lead {lead_id}")
    await marta.taps("Apagar dados pessoais")
    marta.sees("mais 1 contato(s) da lista de contatos")
    await marta.taps("Sim, apagar")
    shown = marta.sees("apagados")
    assert "João" not in shown and "Mariana" not in shown
    assert contacts(bot) == []
    lead = lead_row(bot, lead_id)
    assert (lead.contact_name, lead.contact_email) == ("", "")
    await marta.taps("Contatos")
    marta.sees("Nenhum contato ainda.")


# ---------------------------------------------------------------------------- decision makers

PARTNERS = (
    DecisionMaker("ROBERTO CARLOS NUNES", "49", date(2015, 3, 2)),
    DecisionMaker("ALICE MARIA PRADO", "05", None),
)


async def new_lead_with_a_cnpj(person: Person, command: str, skip: str) -> None:
    """/novo with the registry's CNPJ 11.222.333/0001-81, every question after the revenue skipped."""
    await person.says(command)
    await person.says("11.222.333/0001-81")
    await person.taps("100-499")
    await person.says("18 mi")
    for _ in range(8):
        await person.taps(skip)


async def test_novo_with_a_cnpj_offers_the_registry_decision_makers(bot: BotUnderTest) -> None:
    bot.expected_errors = (LeadNotFound,)
    bot.runtime.directory = FakeRegistry([company(11222333, decision_makers=PARTNERS)])
    ana = await bot.member("Ana")
    await new_lead_with_a_cnpj(ana, "/novo", "Pular")
    offer = ana.sees("Lead salvo", "Sócios administradores na Receita", "Alice Maria Prado · Administrador")
    assert "Roberto Carlos Nunes · Sócio-administrador" in offer
    assert ana.buttons() == ["👤 Alice Maria Prado", "👤 Roberto Carlos Nunes", "⏭ Pular"]
    await ana.taps("Roberto Carlos Nunes")
    ana.sees("⭐ Roberto Carlos Nunes · Sócio-administrador")  # the lead had no contact: chosen
    with bot.runtime.session() as session:
        lead = session.exec(select(Lead)).one()
    assert (lead.contact_name, lead.contact_role) == ("Roberto Carlos Nunes", "Sócio-administrador")
    await ana.taps("Sócios na Receita")
    ana.sees("Alice Maria Prado")
    assert ana.buttons() == ["👤 Alice Maria Prado", "⏭ Pular"]  # the one taken is not offered again
    await ana.presses_data(f"ct:{lead.id}:rf:5")  # a forged place in the offer
    await ana.presses_data(f"ct:{lead.id}:rf:1")  # Roberto again, from the first offer
    assert [c[0] for c in contacts(bot)] == ["Roberto Carlos Nunes"]
    await ana.taps("Sócios na Receita")
    await ana.taps("Alice Maria Prado")
    assert contacts(bot) == [
        ("Roberto Carlos Nunes", "", True, "registry"),
        ("Alice Maria Prado", "", False, "registry"),
    ]
    bot.check_errors()


async def test_registry_roles_read_in_english_and_stay_as_the_registry_says_them(bot: BotUnderTest) -> None:
    bot.runtime.directory = FakeRegistry([company(11222333, decision_makers=PARTNERS)])
    ann = await bot.member("Ann", language_code="en")
    await new_lead_with_a_cnpj(ann, "/new", "Skip")
    offer = ann.sees("Alice Maria Prado · Administrator", "Roberto Carlos Nunes · Managing partner")
    assert "Sócio" not in offer
    await ann.taps("Roberto Carlos Nunes")
    ann.sees("⭐ Roberto Carlos Nunes · Managing partner")
    await ann.taps("Add contact")
    await answers(ann, "Carla Dias\nDiretor")  # typed by the rep: shown as typed
    await ann.taps("Contacts")
    ann.sees("Carla Dias · Diretor", "Roberto Carlos Nunes · Managing partner")
    with bot.runtime.session() as session:
        stored = sorted((c.name, c.role) for c in session.exec(select(LeadContact)))
    assert stored == [("Carla Dias", "Diretor"), ("Roberto Carlos Nunes", "Sócio-administrador")]


def test_every_registry_qualification_has_a_catalog_word() -> None:
    assert set(REGISTRY_ROLES) == set(QUALIFICATIONS.values())


async def test_a_prospect_with_contacts_is_audited_and_managers_read_it(bot: BotUnderTest) -> None:
    marta = await bot.member("Marta", role=Role.MANAGER)
    ana = await bot.member("Ana")
    companies = [company(20_000_000 + i, legal_name=f"Transportadora {i}", active_branches=12) for i in range(3)]
    companies[0] = company(20_000_000, legal_name="Transportadora 0", active_branches=12, decision_makers=PARTNERS)
    companies[1] = company(20_000_001, legal_name="Transportadora 1", active_branches=12, decision_makers=PARTNERS[:1])
    bot.runtime.registry = FakeRegistry(companies)
    assert marta.member is not None
    found = prospect.prospect(
        bot.runtime, MarketFilter(ufs=("SP",)), tiers=tuple(Tier), limit=10, campaign="Sul", member_id=marta.member.id,
        with_contacts=True, via="chat",
    )  # fmt: skip
    assert found.contacts == (3, 2)
    with bot.runtime.session() as session:
        (use,) = session.exec(select(PersonalDataUse)).all()
        by_lead = {lead.company: lead.contact_name for lead in session.exec(select(Lead))}
    assert (use.member_id, use.via, use.what, use.people, use.leads, use.purpose) == (
        marta.member.id, "chat", "decision_makers", 3, 2, "prospecção: Sul",
    )  # fmt: skip
    assert by_lead == {
        "Transportadora 0": "Alice Maria Prado",
        "Transportadora 1": "Roberto Carlos Nunes",
        "Transportadora 2": "",
    }
    await marta.says("/auditoria")
    marta.sees("Uso de dados pessoais em lote", "Marta", "3 pessoa(s) em 2 lead(s) — prospecção: Sul")
    await ana.says("/auditoria")
    ana.sees("Só gestores veem a auditoria de dados pessoais.")


@NON_BLOCKING
async def test_prospectar_with_contacts_adds_the_decision_makers_and_audits_it(bot: BotUnderTest) -> None:
    marta = await bot.member("Marta", role=Role.MANAGER)
    await bot.member("Ana")
    companies = [company(20_000_000 + i, legal_name=f"Transportadora {i}", active_branches=12) for i in range(2)]
    companies[0] = company(20_000_000, legal_name="Transportadora 0", active_branches=12, decision_makers=PARTNERS)
    bot.runtime.registry = FakeRegistry(companies)
    await says(marta, "/prospectar A B C SP limite=5 campanha=Registro contatos=sim")
    marta.sees("Simulação: 2 empresas")
    await marta.taps("Criar 2 leads")
    await done()
    marta.sees("Leads criados: 2.", "Sócios administradores da Receita como contatos: 2 em 1 leads (uso registrado).")
    await says(marta, "/auditoria")
    marta.sees("23/11/2026 10:00 · Marta Silva: 2 pessoa(s) em 1 lead(s) — prospecção: Registro")
    assert [(c[0], c[2], c[3]) for c in contacts(bot)] == [
        ("Alice Maria Prado", True, "registry"),
        ("Roberto Carlos Nunes", False, "registry"),
    ]


# ---------------------------------------------------------------------------- an open question ends


async def test_unrelated_text_two_hours_later_is_not_saved_as_a_contact(bot: BotUnderTest) -> None:
    ana = await bot.member("Ana")
    lead_id = await wrong_contact(bot, ana)
    bot.clock.advance(hours=2)  # Ana ignored the question and went on with her day
    await ana.says("ligar na segunda depois das 14h")
    ana.sees("A pergunta sobre o contato do lead #1 expirou; nada foi salvo.")
    assert "👥 Contatos" in ana.buttons()
    await ana.says("Pedro Alves")  # the question is over: plain text again
    ana.sees("Não entendi.")
    assert contacts(bot) == [] and lead_row(bot, lead_id).contact_name == "Mariana Souza"


async def test_even_within_the_half_hour_text_is_shown_back_before_it_is_saved(bot: BotUnderTest) -> None:
    ana = await bot.member("Ana")
    lead_id = await wrong_contact(bot, ana)
    bot.clock.advance(minutes=20)
    await ana.says("ligar na segunda depois das 14h")
    ana.sees("Salvar este contato no lead #1?", "Nome: ligar na segunda depois das 14h")
    await ana.taps("Descartar")
    ana.sees("Descartado; nada foi salvo e o contato continua o mesmo.")
    await ana.says(RIGHT_ONE)  # the question ended with ✖️
    ana.sees("Não entendi.")
    assert contacts(bot) == [] and lead_row(bot, lead_id).contact_name == "Mariana Souza"


async def test_fix_asks_again_and_another_contact_typed_replaces_the_one_shown(bot: BotUnderTest) -> None:
    ana = await bot.member("Ana")
    lead_id = await wrong_contact(bot, ana)
    await ana.says("Joao Reys\nGerente")
    ana.sees("Nome: Joao Reys", "Cargo: Gerente")
    await ana.taps("Corrigir")
    ana.sees("uma informação por linha")
    await ana.says("João Reis\nGerente")
    ana.sees("Nome: João Reis")
    await ana.says(RIGHT_ONE)  # typed again instead of tapping: the newest one is shown
    ana.sees("Telefone: +55 41 98888-7777")
    await ana.taps("Salvar")
    ana.sees("os roteiros usam João Reis agora")
    assert [c[0] for c in contacts(bot, lead_id)] == ["Mariana Souza", "João Reis"]


async def test_the_half_hour_counts_from_the_bots_last_question(bot: BotUnderTest) -> None:
    ana = await bot.member("Ana")
    lead_id = await wrong_contact(bot, ana)
    bot.clock.advance(minutes=29)
    await ana.says(RIGHT_ONE)
    bot.clock.advance(minutes=29)  # 58 minutes after ❓, 29 after "Salvar?"
    await ana.taps("Salvar")
    ana.sees("Contato salvo")
    assert lead_row(bot, lead_id).contact_name == "João Reis"


async def test_an_unanswered_salvar_lapses_too(bot: BotUnderTest) -> None:
    ana = await bot.member("Ana")
    await wrong_contact(bot, ana)
    await ana.says(RIGHT_ONE)
    bot.clock.advance(hours=3)
    await ana.taps("Salvar")
    assert ana.alerts()[-1] == "Essa pergunta já foi encerrada; nada foi salvo."
    await ana.says("Pedro Alves")
    ana.sees("expirou; nada foi salvo")
    assert contacts(bot) == []


async def test_another_button_ends_the_question(bot: BotUnderTest) -> None:
    ana = await bot.member("Ana")
    lead_id = await wrong_contact(bot, ana)
    await ana.presses_data(f"lo:{lead_id}")  # 📇 the lead card (any other lead's or step's button)
    ana.sees("Transportes Horizonte")
    await ana.says("ligar na segunda depois das 14h")
    ana.sees("Não entendi.")
    assert contacts(bot) == []


async def test_the_question_lapses_after_a_restart_too(bot: BotUnderTest) -> None:
    ana = await bot.member("Ana")
    await wrong_contact(bot, ana)
    await bot.restart()
    bot.clock.advance(minutes=31)
    await ana.says(RIGHT_ONE)
    ana.sees("expirou; nada foi salvo")
    assert contacts(bot) == []


async def test_forged_and_old_confirmation_buttons(bot: BotUnderTest) -> None:
    bot.expected_errors = (NotAllowed,)
    ana = await bot.member("Ana")
    bruno = await bot.member("Bruno")
    lead_id = await wrong_contact(bot, ana)
    await ana.says(RIGHT_ONE)
    ana.sees("Nome: João Reis")
    for forged in ("ct:2:ok", "ct:99999:fix", "ct:2:drop"):  # another lead's question
        await ana.presses_data(forged)
    assert ana.alerts()[-3:] == ["Essa pergunta já foi encerrada; nada foi salvo."] * 3
    assert contacts(bot) == []
    await ana.taps("Salvar")  # the real question is still open
    ana.sees("Contato salvo")
    for malformed in ("ct:abc:ok", f"ct:{lead_id}:ok:1"):
        await ana.presses_data(malformed)
    assert ana.alerts()[-2:] == ["Esse botão não vale mais. Abra o lead de novo com /leads."] * 2
    await ana.presses_data(f"ct:{lead_id}:ok")  # the old ✅ once more: nothing twice
    await ana.presses_data(f"ct:{lead_id}:drop")
    assert ana.alerts()[-2:] == ["Essa pergunta já foi encerrada; nada foi salvo."] * 2
    await bruno.says("/leads")
    await bruno.presses_data(f"ct:{lead_id}:ok")
    assert bruno.alerts()[-1] == "Esse lead não é seu. Abra os seus com /leads."
    assert [c[0] for c in contacts(bot)] == ["Mariana Souza", "João Reis"]
    bot.check_errors()


def recount(bot: BotUnderTest, owner: int | None = None) -> list[tuple[int, str]]:
    """(lead, name) of every contact, straight from the tables: the lead's own contact columns
    and each contact row, once each."""
    with bot.runtime.session() as session:
        leads = [lead for lead in session.exec(select(Lead)) if owner is None or lead.owner_id == owner]
        ids = {lead.id for lead in leads}
        pairs = {(lead.id or 0, lead.contact_name) for lead in leads if lead.contact_name}
        pairs |= {(c.lead_id, c.name) for c in session.exec(select(LeadContact)) if c.lead_id in ids}
    return sorted(pairs)


async def test_export_everything_has_every_contact_recounted(bot: BotUnderTest) -> None:
    marta = await bot.member("Marta", role=Role.MANAGER)
    ana = await bot.member("Ana")
    bruno = await bot.member("Bruno")
    await wrong_contact(bot, ana)
    await answers(ana, RIGHT_ONE)
    await ana.taps("Contatos")
    await ana.taps("Adicionar contato")
    await answers(ana, "Beatriz Lima\nCompras\nbia@horizonte.com.br")
    await started(bot, bruno)
    assert len(recount(bot)) == 4  # Mariana, João and Beatriz on Ana's lead; Mariana on Bruno's

    for who, owner in ((marta, None), (ana, ana.member.id if ana.member else None)):
        await says(who, "/exportar tudo xlsx")
        ((_name, data),) = files_to(bot, who)
        sheet = list(openpyxl.load_workbook(io.BytesIO(data))["contatos"].iter_rows(values_only=True))
        header, rows = sheet[0], sheet[1:]
        exported = sorted((int(str(r[header.index("lead_id")])), str(r[header.index("nome")])) for r in rows)
        assert exported == recount(bot, owner), who
    assert len(exported) == 3  # Ana's own only
