"""Every field of a lead and the one parser that reads it, wherever it comes from.

``/novo`` (one answer at a time or pasted ``campo: valor`` lines), a spreadsheet import and the
command line all read a lead's fields through :data:`LEAD_FIELDS`, so a value the chat refuses
is refused by an import with the same words, and the other way round. Each parser returns the
value in the form the lead keeps (a CNPJ compact, a phone as ``+55 11 98765-4321``, a headcount
as ``low-high``) or raises :class:`~bot.domain.facts.InvalidFact`.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from bot.domain.contacts import parse_email, parse_linkedin, parse_phone
from bot.domain.facts import (
    InvalidFact,
    parse_branches,
    parse_cnae,
    parse_cnpj,
    parse_federal_status,
    parse_financial_score,
    parse_headcount,
    parse_opened_on,
    parse_porte,
    parse_registration,
    parse_revenue,
    parse_uf,
    parse_yes_no,
)
from bot.domain.problems import N_

MAX_NOTES = 1000
MAX_WEBSITE = 300

Parse = Callable[[str], str]


def text_parser(limit: int, minimum: int = 1) -> Parse:
    """Free text on one line (runs of white space collapsed), ``minimum``–``limit`` characters."""

    def parse(value: str) -> str:
        cleaned = " ".join(value.split())
        if len(cleaned) < minimum:
            raise InvalidFact(N_("Resposta curta demais."))
        if len(cleaned) > limit:
            raise InvalidFact(N_("Resposta longa demais: use até %(limit)s caracteres."), limit=limit)
        return cleaned

    return parse


def _range_text(parser: Callable[[str], Any]) -> Parse:
    def parse(value: str) -> str:
        result = parser(value)
        return f"{result.low}-{result.high}"

    return parse


_WEBSITE = re.compile(r"^(https?://)?[a-z0-9-]+(\.[a-z0-9-]+)+(:\d{1,5})?(/\S*)?$", re.I)


def parse_website(text: str) -> str:
    """ "www.empresa.com.br", "empresa.com.br/contato", "http://…" → an address with its scheme."""
    cleaned = (text or "").strip()
    address = cleaned if cleaned.lower().startswith(("http://", "https://")) else "https://" + cleaned
    if len(address) > MAX_WEBSITE or not _WEBSITE.match(cleaned):
        raise InvalidFact(N_("Site: escreva o endereço, como www.empresa.com.br."))
    return address


_MONTH = re.compile(r"^(19|20)\d{2}-(0[1-9]|1[0-2])$")


def parse_registry_month(text: str) -> str:
    """The registry month the CNPJ facts came from: "2026-11"."""
    cleaned = (text or "").strip()
    if not _MONTH.match(cleaned):
        raise InvalidFact(N_("Mês da Receita: escreva como 2026-11."))
    return cleaned


def parse_notes(text: str) -> str:
    """Notes keep their line breaks; blank lines and trailing spaces go."""
    lines = [line.rstrip() for line in (text or "").strip().splitlines()]
    cleaned = "\n".join(line for line in lines if line.strip())
    if not cleaned:
        raise InvalidFact(N_("Resposta curta demais."))
    if len(cleaned) > MAX_NOTES:
        raise InvalidFact(N_("Resposta longa demais: use até %(limit)s caracteres."), limit=MAX_NOTES)
    return cleaned


@dataclass(frozen=True, slots=True)
class LeadField:
    key: str
    label: str
    """Translatable name of the field, as the chat shows it ("E-mail", "Funcionários")."""
    parse: Parse


LEAD_FIELDS: dict[str, LeadField] = {
    f.key: f
    for f in (
        LeadField("company", N_("Empresa"), text_parser(200, 2)),
        LeadField("trade_name", N_("Nome fantasia"), text_parser(200)),
        LeadField("cnpj", N_("CNPJ"), parse_cnpj),
        LeadField("cnae", N_("CNAE"), parse_cnae),
        LeadField("uf", N_("UF"), parse_uf),
        LeadField("city", N_("Cidade"), text_parser(100)),
        LeadField("headcount", N_("Funcionários"), _range_text(parse_headcount)),
        LeadField("revenue", N_("Faturamento"), _range_text(parse_revenue)),
        LeadField("branches", N_("Filiais"), lambda v: str(parse_branches(v))),
        LeadField("registration", N_("Inscrição estadual"), lambda v: parse_registration(v).value),
        LeadField("financial_score", N_("Score financeiro"), lambda v: str(parse_financial_score(v))),
        LeadField("federal_status", N_("Situação na Receita"), lambda v: parse_federal_status(v).value),
        LeadField("porte", N_("Porte"), lambda v: parse_porte(v).value),
        LeadField("simples", N_("Simples Nacional"), lambda v: "S" if parse_yes_no(v) else "N"),
        LeadField("mei", N_("MEI"), lambda v: "S" if parse_yes_no(v) else "N"),
        LeadField("opened_on", N_("Início de atividade"), lambda v: parse_opened_on(v).isoformat()),
        LeadField("registry_month", N_("Mês da Receita"), parse_registry_month),
        LeadField("contact_name", N_("Contato"), text_parser(120, 2)),
        LeadField("contact_role", N_("Cargo"), text_parser(120, 2)),
        LeadField("contact_phone", N_("Telefone"), parse_phone),
        LeadField("contact_email", N_("E-mail"), parse_email),
        LeadField("contact_linkedin", N_("LinkedIn"), parse_linkedin),
        LeadField("website", N_("Site"), parse_website),
        LeadField("campaign", N_("Campanha"), text_parser(100)),
        LeadField("notes", N_("Observações"), parse_notes),
    )
}


def parse_fields(raw: Mapping[str, str | None]) -> tuple[dict[str, str], dict[str, InvalidFact]]:
    """Parse every known, non-blank field of ``raw``: (the values as the lead keeps them, the
    refusal of each field that did not parse). Unknown keys are ignored."""
    values: dict[str, str] = {}
    errors: dict[str, InvalidFact] = {}
    for key, text in raw.items():
        field = LEAD_FIELDS.get(key)
        if field is None or text is None or not str(text).strip():
            continue
        try:
            values[key] = field.parse(str(text))
        except InvalidFact as refusal:
            errors[key] = refusal
    return values, errors


def refusal_line(key: str, refusal: InvalidFact) -> str:
    """Portuguese "Label: message", as the chat lists a pasted field it could not use."""
    return f"{LEAD_FIELDS[key].label}: {refusal}"
