"""/novo: a new lead, one question at a time — and "edit facts" of an existing lead.

```mermaid
stateDiagram-v2
    [*] --> ASKING: /novo
    [*] --> CHOOSING_FIELD: ✏️ edit facts (ed:<lead>)
    CHOOSING_FIELD --> ASKING: pick a field
    ASKING --> ASKING: answer / skip / back / pick a button\n(invalid answer: the same question again)
    ASKING --> ASKING: a CNPJ already in the pipeline → whose lead it is,\nthe CNPJ again (open it; go on if a branch)
    ASKING --> [*]: last answer → lead saved → ICP card
    ASKING --> [*]: /cancelar
    CHOOSING_FIELD --> [*]: /cancelar
```

The rep can skip what they do not know, go back to correct an answer, or paste everything in
one message (``campo: valor`` per line) as the first answer. A CNPJ already in the pipeline (the
same one, or the same root: another branch of the company) is named as soon as it is given:
the same CNPJ never becomes a second lead; another branch only when the rep says it is one. A
rep who may not see that lead learns only that another rep has it. The draft lives in ``user_data``
(persisted), so a restart mid-way continues at the same question.

Each answer is read once, by its field's parser in :mod:`bot.domain.lead_fields`; the draft keeps
the typed value (in JSON: a range as ``[low, high]``) and hands the use case a
:class:`~bot.domain.lead_fields.LeadDraft` (or, when editing, the typed changes), never text.
"""

from __future__ import annotations

import asyncio
import re
from dataclasses import dataclass
from datetime import date
from enum import StrEnum
from typing import Any

from telegram import InlineKeyboardButton, Update
from telegram.ext import ConversationHandler

from bot.domain import cnae, regions
from bot.domain.enrichment import fill_missing
from bot.domain.facts import CnpjClash, InvalidFact, format_cnpj
from bot.domain.lead_fields import LEAD_FIELDS, FieldValue, LeadDraft, Plain, kept_text, plain_values, typed_values
from bot.domain.registry import FederalStatus, Porte
from bot.domain.vocabulary import Macroregion
from bot.i18n import N_
from bot.render.messages import escape
from bot.services import enrichment, leads
from bot.services.columns import canonical_field
from bot.tg import flow_run
from bot.tg.callbacks import EditLead, OpenLead, Verb, unpack
from bot.tg.cards import icp_card
from bot.tg.common import MAX_TEXT
from bot.tg.contacts import offer_makers
from bot.tg.context import Context, ack, say, typed_text
from bot.tg.keyboards import button, markup, rows

DRAFT = "draft"


class NewLead(StrEnum):
    ASKING = "asking"
    CHOOSING_FIELD = "choosing_field"


@dataclass(frozen=True)
class Field:
    key: str
    question: str
    required: bool = False

    @property
    def label(self) -> str:
        return LEAD_FIELDS[self.key].label

    def read(self, value: str) -> Plain:
        """The domain's parser of this field (the same one an import uses): the typed value,
        as the draft keeps it in JSON."""
        lead_field = LEAD_FIELDS[self.key]
        return lead_field.plain(lead_field.read(value))


FIELDS: tuple[Field, ...] = (
    Field("company", N_("Qual o nome da empresa?"), required=True),
    Field("cnpj", N_("CNPJ da empresa? (ex.: 12.345.678/0001-95)")),
    Field(
        "cnae",
        N_("CNAE principal? Digite o código (6201-5/01) ou palavras da atividade (ex.: software, padaria)."),
    ),
    Field("uf", N_("Em que estado fica a sede? Escolha a região ou digite a UF.")),
    Field("city", N_("Cidade?")),
    Field("headcount", N_("Quantos funcionários? (um número, como 120, ou uma faixa, como 100-199)")),
    Field("revenue", N_("Faturamento anual? (ex.: 4,8 mi, R$ 360.000 ou uma faixa)")),
    Field("branches", N_("Quantas filiais além da matriz?")),
    Field("registration", N_("Situação da inscrição estadual no SINTEGRA?")),
    Field("financial_score", N_("Score financeiro (0 a 1000)?")),
    Field("contact_name", N_("Nome do contato?")),
    Field("contact_role", N_("Cargo do contato?")),
    Field("contact_phone", N_("Telefone ou WhatsApp do contato (com DDD)?")),
    Field("contact_email", N_("E-mail do contato?")),
    Field("contact_linkedin", N_("LinkedIn do contato?")),
    Field("campaign", N_("De qual campanha ou lista é este lead?")),
)
FIELD_INDEX = {f.key: i for i, f in enumerate(FIELDS)}

HEADCOUNT_CHOICES = ("1-9", "10-49", "50-99", "100-499", "500-999", "1000-1000000")
REVENUE_CHOICES = (
    (N_("até 360 mil"), "0-360000"),
    (N_("360 mil – 4,8 mi"), "360000-4800000"),
    (N_("4,8 – 30 mi"), "4800000-30000000"),
    (N_("30 – 300 mi"), "30000000-300000000"),
    (N_("300 mi +"), "300000000-300000000"),
)
REGISTRATION_CHOICES = ((N_("Ativa"), "active"), (N_("Inativa"), "inactive"), (N_("Isenta"), "exempt"))
STATUS_NAMES = {
    FederalStatus.ACTIVE: N_("ativa"),
    FederalStatus.SUSPENDED: N_("suspensa"),
    FederalStatus.UNFIT: N_("inapta"),
    FederalStatus.CLOSED: N_("baixada"),
    FederalStatus.NULL: N_("nula"),
}
PORTE_NAMES = {
    Porte.MICRO: N_("microempresa (ME)"),
    Porte.SMALL: N_("pequeno porte (EPP)"),
    Porte.OTHER: N_("demais (acima de R$ 4,8 mi)"),
    Porte.UNKNOWN: N_("não informado"),
}
REGION_NAMES = {
    Macroregion.NORTE: N_("Norte"),
    Macroregion.NORDESTE: N_("Nordeste"),
    Macroregion.CENTRO_OESTE: N_("Centro-Oeste"),
    Macroregion.SUDESTE: N_("Sudeste"),
    Macroregion.SUL: N_("Sul"),
}


# ---------------------------------------------------------------------------- draft helpers


def _draft(context: Context) -> dict[str, Any]:
    assert context.user_data is not None
    draft = context.user_data.get(DRAFT)
    if not isinstance(draft, dict):
        draft = context.user_data[DRAFT] = {"mode": "new", "answers": {}, "index": 0}
    return draft


def _choices(context: Context, field: Field, draft: dict[str, Any]) -> list[list[InlineKeyboardButton]]:
    _ = context._
    if field.key == "uf":
        region = draft.get("region")
        if region:
            return rows(
                (button(uf.code, Verb.NEW, "pick", uf.code) for uf in regions.ufs_in_region(Macroregion(region))), 5
            )
        return rows((button(_(REGION_NAMES[r]), Verb.NEW, "region", r.value) for r in Macroregion), 3)
    if field.key == "headcount":
        labels = {"1000-1000000": "1000+"}
        return rows((button(labels.get(v, v), Verb.NEW, "pick", v) for v in HEADCOUNT_CHOICES), 3)
    if field.key == "revenue":
        return rows((button(_(label), Verb.NEW, "pick", value) for label, value in REVENUE_CHOICES), 2)
    if field.key == "registration":
        return rows((button(_(label), Verb.NEW, "pick", value) for label, value in REGISTRATION_CHOICES), 3)
    if field.key == "branches":
        return [[button(_("Só a matriz"), Verb.NEW, "pick", "0")]]
    if field.key == "cnae" and draft.get("cnae_options"):
        found = [cnae.all_subclasses()[code] for code in draft["cnae_options"]]
        return [[button(f"{s.formatted} {s.name}", Verb.NEW, "pick", s.code)] for s in found]
    if field.key == "cnpj" and (draft.get("clash_lead") or draft.get("branch_cnpj")):
        offers: list[list[InlineKeyboardButton]] = []
        if draft.get("clash_lead"):
            label = "📇 " + _("Abrir lead #%(lead)s") % {"lead": draft["clash_lead"]}
            offers.append([button(label, OpenLead(draft["clash_lead"]))])
        if draft.get("branch_cnpj"):
            offers.append([button("➡️ " + _("Seguir: é outra filial"), Verb.NEW, "branch")])
        return offers
    if field.key == "campaign" and draft.get("last_campaign"):
        return [[button(draft["last_campaign"], Verb.NEW, "pick", "last")]]
    return []


async def _ask(
    update: Update, context: Context, *, edit: bool = False, problem: str | None = None, intro: str | None = None
) -> NewLead:
    draft = _draft(context)
    field = FIELDS[draft["index"]]
    _ = context._
    position = f"{draft['index'] + 1}/{len(FIELDS)}" if draft["mode"] == "new" else "✏️"
    lines = [escape(intro) + "\n"] if intro else []
    if problem:
        lines.append(f"⚠️ {escape(problem)}\n")
    lines.append(f"<b>{position}</b> {escape(_(field.question))}")
    navigation = []
    if draft["mode"] == "new" and draft["index"] > 0:
        navigation.append(button("⬅️ " + _("Voltar"), Verb.NEW, "back"))
    if not field.required:
        navigation.append(button(_("Pular") + " ➡️", Verb.NEW, "skip"))
    await say(update, "\n".join(lines), markup(_choices(context, field, draft), [navigation]), edit=edit)
    return NewLead.ASKING


async def _advance(update: Update, context: Context) -> NewLead | int:
    """Next unanswered question, or save the lead when none is left."""
    draft = _draft(context)
    draft.pop("clash_lead", None)
    draft.pop("branch_cnpj", None)
    cnpj = draft["answers"].get("cnpj")
    if cnpj and draft.get("cnpj_checked") != cnpj:
        editing = draft.get("lead") if draft["mode"] == "edit" else None
        match = leads.cnpj_match(context.runtime, context.me, cnpj, excluding=editing)
        if match is not None and not (draft["mode"] == "edit" and match.clash is CnpjClash.BRANCH):
            return await _cnpj_taken(update, context, cnpj, match)
        draft["cnpj_checked"] = cnpj
    if cnpj and draft["mode"] == "new" and draft.get("enriched") != cnpj:
        draft["enriched"] = cnpj
        await _enrich(update, context, cnpj)
    if draft["mode"] == "edit":
        return await _finish_edit(update, context)
    index = draft["index"] + 1
    if not draft["answers"].get("company"):
        index = 0  # a CNPJ given first (or not found in the registry): the name is still needed
    while index < len(FIELDS) and FIELDS[index].key in draft["answers"]:
        index += 1
    if index >= len(FIELDS):
        return await _finish_new(update, context)
    draft["index"] = index
    draft.pop("region", None)
    draft.pop("cnae_options", None)
    return await _ask(update, context)


async def _enrich(update: Update, context: Context, cnpj: str) -> None:
    """Fill the draft's missing facts from the company directory and show the rep what came
    "da Receita" (typed answers win; the rest of /novo skips what is now answered)."""
    if not enrichment.available(context.runtime):
        return
    draft = _draft(context)
    _ = context._
    found = await asyncio.to_thread(enrichment.find, context.runtime, cnpj)
    if found is None:
        if not draft["answers"].get("company"):
            await say(update, escape(_("Não achei esse CNPJ na Receita; siga respondendo.")))
        return
    merged, filled = fill_missing(typed_values(draft["answers"]), found.values)
    draft["answers"].update(plain_values({key: merged[key] for key in filled}))
    company = found.company
    month = company.month
    header = _("Da Receita (%(month)s):") % {"month": f"{month[5:7]}/{month[:4]}" if len(month) == 7 else month}
    lines = [f"🏛️ <b>{escape(header)}</b>"]
    for key in filled:
        value = _registry_value(context, key, merged[key])
        if value:
            lines.append(f"• {escape(_(LEAD_FIELDS[key].label))}: {escape(value)}")
    if not company.active:
        status = _(STATUS_NAMES[company.status])
        if company.status_since is not None:
            reason = _("empresa %(status)s na Receita Federal desde %(since)s: eliminada do ICP (knock-out).") % {
                "status": status,
                "since": company.status_since.strftime("%d/%m/%Y"),
            }
        else:
            reason = _("empresa %(status)s na Receita Federal: eliminada do ICP (knock-out).") % {"status": status}
        lines.append("⛔ " + escape(reason))
    lines.append(escape(_("Confira. Se algo estiver errado, corrija depois em ✏️ Editar dados, no card do lead.")))
    await say(update, "\n".join(lines))


def _registry_value(context: Context, key: str, value: FieldValue | None) -> str:
    """A field filled from the registry (typed), as the rep reads it."""
    _ = context._
    if value is None or key == "registry_month":
        return ""  # the month is in the header
    if key == "cnae":
        found = cnae.all_subclasses().get(str(value))
        return f"{found.formatted} {found.name}" if found else str(value)
    if isinstance(value, FederalStatus):
        return _(STATUS_NAMES[value])
    if isinstance(value, Porte):
        return _(PORTE_NAMES[value])
    if isinstance(value, bool):
        return _("sim") if value else _("não")
    if isinstance(value, date):
        return value.strftime("%d/%m/%Y")
    return kept_text(value)


async def _cnpj_taken(update: Update, context: Context, cnpj: str, match: leads.CnpjMatch) -> NewLead:
    """The CNPJ meets a lead already in the pipeline: say whose, and ask for the CNPJ again."""
    _ = context._
    draft = _draft(context)
    draft["answers"].pop("cnpj", None)
    draft["index"] = FIELD_INDEX["cnpj"]
    root = format_cnpj(cnpj)[:10]
    values = {"lead": match.lead_id, "company": match.company, "owner": match.owner_name, "root": root}
    if match.clash is CnpjClash.SAME:
        if not match.visible:
            problem = _("Esse CNPJ já é um lead de outro vendedor do time.")
        elif match.own:
            problem = _("Esse CNPJ já é o seu lead #%(lead)s %(company)s.") % values
        else:
            problem = _("Esse CNPJ já é o lead #%(lead)s %(company)s, de %(owner)s.") % values
        problem += " " + _("O mesmo CNPJ não vira um segundo lead: mande outro CNPJ, pule ou /cancelar.")
    else:
        if not match.visible:
            problem = _("A raiz desse CNPJ (%(root)s) já é um lead de outro vendedor do time.") % values
        elif match.own:
            problem = _("A raiz desse CNPJ (%(root)s) já é o seu lead #%(lead)s %(company)s.") % values
        else:
            problem = _("A raiz desse CNPJ (%(root)s) já é o lead #%(lead)s %(company)s, de %(owner)s.") % values
        problem += " " + _("Se este é outro estabelecimento (filial), siga; senão mande outro CNPJ ou pule.")
        draft["branch_cnpj"] = cnpj
    if match.visible:
        draft["clash_lead"] = match.lead_id
    return await _ask(update, context, problem=problem)


async def _finish_new(update: Update, context: Context) -> NewLead | int:
    draft = _draft(context)
    answers = {k: v for k, v in draft["answers"].items() if v is not None}
    try:
        created = leads.create_lead(
            context.runtime,
            context.me,
            LeadDraft().changed(typed_values(answers)),
            other_branch=draft.get("other_branch") == answers.get("cnpj"),
            flow=flow_run.current(context),
        )
    except leads.CnpjTaken as taken:  # given meanwhile to a lead of another rep
        return await _cnpj_taken(update, context, answers["cnpj"] or "", taken.match)
    assert context.user_data is not None
    context.user_data.pop(DRAFT, None)
    if answers.get("campaign"):
        context.user_data["last_campaign"] = answers["campaign"]
    text, keyboard = icp_card(context, created.lead, created.result)
    await say(update, "✅ " + context._("Lead salvo.") + "\n\n" + text, keyboard)
    if answers.get("cnpj"):  # the registry's decision makers, offered as contacts
        await offer_makers(update, context, created.lead.id or 0)
    return ConversationHandler.END


async def _finish_edit(update: Update, context: Context) -> NewLead | int:
    draft = _draft(context)
    try:
        updated = leads.update_facts(
            context.runtime,
            context.me,
            int(draft["lead"]),
            typed_values(draft["answers"]),
            flow=flow_run.current(context),
        )
    except leads.CnpjTaken as taken:  # given meanwhile to another lead
        return await _cnpj_taken(update, context, draft["answers"].get("cnpj") or "", taken.match)
    assert context.user_data is not None
    context.user_data.pop(DRAFT, None)
    text, keyboard = icp_card(context, updated.lead, updated.result)
    await say(update, "✅ " + context._("Dados atualizados.") + "\n\n" + text, keyboard)
    return ConversationHandler.END


# ---------------------------------------------------------------------------- handlers


async def start_new(update: Update, context: Context) -> NewLead:
    assert context.user_data is not None
    context.user_data[DRAFT] = {
        "mode": "new",
        "answers": {},
        "index": 0,
        "last_campaign": context.user_data.get("last_campaign"),
    }
    intro = context._(
        "Novo lead. Responda uma pergunta por vez; use Pular no que não souber, ou cole tudo "
        "de uma vez (campo: valor, uma linha por campo). /cancelar sai."
    )
    return await _ask(update, context, intro=intro)


_LINE = re.compile(r"^\s*([^:=\n]{2,40}?)\s*[:=]\s*(.+?)\s*$")


def _pasted(text: str) -> dict[str, str] | None:
    """``campo: valor`` lines → {field: value}, if the message looks like a paste."""
    found: dict[str, str] = {}
    for line in text.splitlines():
        match = _LINE.match(line)
        if not match:
            continue
        field = canonical_field(match.group(1))
        if field == "trade_name" and "company" not in found:
            field = "company"  # /novo asks one name; a pasted "nome fantasia" is it
        if field in FIELD_INDEX:
            found[field] = match.group(2)
    return found if len(found) >= 2 else None


async def answer(update: Update, context: Context) -> NewLead | int:
    text = typed_text(update)
    draft = _draft(context)
    if len(text) > MAX_TEXT:
        return await _ask(
            update, context, problem=context._("Mensagem longa demais (%(n)s caracteres).") % {"n": len(text)}
        )
    pasted = _pasted(text) if draft["mode"] == "new" else None
    if pasted is not None:
        return await _take_paste(update, context, pasted)
    field = FIELDS[draft["index"]]
    if not text.strip():
        return await _ask(update, context, problem=context._("Resposta vazia."))
    if field.key == "company" and draft["mode"] == "new" and enrichment.available(context.runtime):
        cnpj = _cnpj_in(text)
        if cnpj is not None:  # only the CNPJ: the registry names the company
            draft["answers"]["cnpj"] = cnpj
            return await _advance(update, context)
    try:
        draft["answers"][field.key] = field.read(text)
    except InvalidFact as problem:
        if field.key == "cnae" and re.search(r"[A-Za-zÀ-ú]{3,}", text):
            found = cnae.search(text, limit=6)
            if found:
                draft["cnae_options"] = [s.code for s in found]
                return await _ask(update, context, problem=context._("Escolha a atividade:"))
            return await _ask(
                update,
                context,
                problem=context._("Nenhuma atividade encontrada para '%(q)s'. Tente outras palavras ou o código.")
                % {"q": text[:40]},
            )
        return await _ask(update, context, problem=context.problem_text(problem))
    return await _advance(update, context)


def _cnpj_in(text: str) -> str | None:
    """The CNPJ, if the whole answer is one (typed or pasted with its punctuation)."""
    if not re.fullmatch(r"[\s0-9A-Za-z./-]{14,20}", text.strip()) or not re.search(r"\d{2}", text):
        return None
    try:
        return LEAD_FIELDS["cnpj"].parse(text)
    except InvalidFact:
        return None


async def _take_paste(update: Update, context: Context, pasted: dict[str, str]) -> NewLead | int:
    draft = _draft(context)
    problems = []
    for key, value in pasted.items():
        field = FIELDS[FIELD_INDEX[key]]
        try:
            draft["answers"][key] = field.read(value)
        except InvalidFact as problem:
            problems.append(f"{context._(field.label)}: {context.problem_text(problem)}")
    saved = [context._(FIELDS[FIELD_INDEX[k]].label) for k in pasted if k in draft["answers"]]
    summary = context._("Anotei: %(fields)s.") % {"fields": ", ".join(saved) or "—"}
    if problems:
        summary += "\n" + context._("Não consegui usar:") + "\n" + "\n".join(f"• {p}" for p in problems)
    await say(update, escape(summary))
    by_cnpj = bool(draft["answers"].get("cnpj")) and enrichment.available(context.runtime)
    if "company" not in draft["answers"] and not by_cnpj:
        draft["index"] = 0
        return await _ask(update, context)
    draft["index"] = -1
    return await _advance(update, context)


async def pressed(update: Update, context: Context) -> NewLead | int:
    query = update.callback_query
    assert query is not None
    data = query.data or ""
    draft = _draft(context)
    field = FIELDS[draft["index"]]
    action = data.split(":")[1] if ":" in data else ""
    await ack(update)
    if action == "skip" and not field.required:
        draft["answers"].pop(field.key, None)
        draft["answers"][field.key] = None
        return await _advance(update, context)
    if action == "back" and draft["index"] > 0:
        draft["index"] -= 1
        draft["answers"].pop(FIELDS[draft["index"]].key, None)
        return await _ask(update, context)
    if action == "branch" and field.key == "cnpj" and draft.get("branch_cnpj"):
        draft["answers"]["cnpj"] = draft["other_branch"] = draft["cnpj_checked"] = draft.pop("branch_cnpj")
        return await _advance(update, context)
    if action == "region":
        (_, region) = unpack(data, Verb.NEW, 2)
        draft["region"] = Macroregion(region).value if region in Macroregion._value2member_map_ else None
        return await _ask(update, context, edit=True)
    if action == "pick":
        (_, value) = unpack(data, Verb.NEW, 2)
        if field.key == "campaign" and value == "last":
            value = draft.get("last_campaign") or ""
        try:
            draft["answers"][field.key] = field.read(value)
        except InvalidFact as problem:
            return await _ask(update, context, problem=context.problem_text(problem))
        return await _advance(update, context)
    return await _ask(update, context)


async def start_edit(update: Update, context: Context) -> NewLead:
    lead = leads.get_lead(context.runtime, context.me, EditLead.of(update).lead)
    assert context.user_data is not None
    context.user_data[DRAFT] = {"mode": "edit", "lead": lead.id, "answers": {}, "index": 0}
    await ack(update)
    buttons = [button(context._(f.label), Verb.NEW, "field", f.key) for f in FIELDS]
    await say(
        update,
        context._("Qual dado de %(company)s você quer corrigir?") % {"company": escape(lead.company)},
        markup(rows(buttons, 3)),
    )
    return NewLead.CHOOSING_FIELD


async def choose_field(update: Update, context: Context) -> NewLead:
    (_, key) = unpack(update.callback_query.data if update.callback_query else None, Verb.NEW, 2)
    if key not in FIELD_INDEX:
        await ack(update)
        return NewLead.CHOOSING_FIELD
    await ack(update)
    _draft(context)["index"] = FIELD_INDEX[key]
    return await _ask(update, context, edit=True)


async def text_while_choosing(update: Update, context: Context) -> NewLead:
    await say(update, context._("Toque no dado que quer corrigir, ou /cancelar."))
    return NewLead.CHOOSING_FIELD
