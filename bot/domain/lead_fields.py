"""Every field of a lead, the one parser that reads it wherever it comes from, and the typed draft.

``/novo`` (one answer at a time or pasted ``campo: valor`` lines), a spreadsheet import and the
command line all read a lead's fields through :data:`LEAD_FIELDS`, so a value the chat refuses
is refused by an import with the same words, and the other way round. Each field's ``read``
returns the typed value (a CNPJ compact, a phone as ``+55 11 98765-4321``, a headcount as an
:class:`~bot.domain.facts.IntRange`) or raises :class:`~bot.domain.facts.InvalidFact`.

What was read travels as one :class:`LeadDraft` (text fields and :class:`~bot.domain.facts.LeadFacts`)
from the chat to the use case that saves it: a value is parsed once, where it is typed. Editing
starts from the draft of the stored lead (its typed values), never from its text.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from datetime import date
from enum import StrEnum

from bot.domain.contacts import parse_email, parse_linkedin, parse_phone
from bot.domain.facts import (
    IntRange,
    InvalidFact,
    LeadFacts,
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
from bot.domain.registry import FederalStatus, Porte
from bot.domain.vocabulary import Registration

MAX_NOTES = 1000
MAX_WEBSITE = 300

FieldValue = str | int | bool | date | IntRange | Registration | FederalStatus | Porte
"""A field's value as a lead keeps it, typed (Simples/MEI a bool, the start of activity a date)."""
Plain = str | int | bool | list[int]
"""A field's value in JSON (a conversation's draft is kept in the persisted user data)."""
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


def kept_text(value: FieldValue) -> str:
    """A typed value as a spreadsheet cell or a log shows it ("100-199", "active", "3", "02",
    "S", "2015-03-01"); its field's parser reads it back."""
    if isinstance(value, IntRange):
        return f"{value.low}-{value.high}"
    if isinstance(value, bool):
        return "S" if value else "N"
    if isinstance(value, date):
        return value.isoformat()
    return str(value.value if isinstance(value, StrEnum) else value)


@dataclass(frozen=True, slots=True)
class LeadField:
    key: str
    label: str
    """Translatable name of the field, as the chat shows it ("E-mail", "Funcionários")."""
    read: Callable[[str], FieldValue]
    """The one parser of the field: typed text → its typed value (:class:`InvalidFact` if not)."""

    def parse(self, text: str) -> str:
        """The value in its kept text form (what an import compares and writes)."""
        return kept_text(self.read(text))

    def plain(self, value: FieldValue) -> Plain:
        """The value for JSON (a range as ``[low, high]``, a date as ``"2015-03-01"``)."""
        if isinstance(value, IntRange):
            return [value.low, value.high]
        if isinstance(value, date):
            return value.isoformat()
        return value.value if isinstance(value, StrEnum) else value

    def typed(self, plain: Plain) -> FieldValue:
        """The value :meth:`plain` stored, typed again (no parsing of what the person typed;
        a draft saved before drafts were typed holds text, which is read once more)."""
        if isinstance(plain, list):
            return IntRange(plain[0], plain[1])
        enum = ENUM_FIELDS.get(self.key)
        if enum is not None:
            return enum(str(plain))
        if isinstance(plain, str) and self.key in READ_AGAIN:
            return self.read(plain)
        return plain


ENUM_FIELDS: dict[str, type[Registration] | type[FederalStatus] | type[Porte]] = {
    "registration": Registration,
    "federal_status": FederalStatus,
    "porte": Porte,
}
RANGE_OR_NUMBER = frozenset({"headcount", "revenue", "branches", "financial_score"})
READ_AGAIN = RANGE_OR_NUMBER | {"simples", "mei", "opened_on"}
"""Fields whose JSON form is text that is not the typed value (a date) or, in an older draft, was."""

LEAD_FIELDS: dict[str, LeadField] = {
    f.key: f
    for f in (
        LeadField("company", N_("Empresa"), text_parser(200, 2)),
        LeadField("trade_name", N_("Nome fantasia"), text_parser(200)),
        LeadField("cnpj", N_("CNPJ"), parse_cnpj),
        LeadField("cnae", N_("CNAE"), parse_cnae),
        LeadField("uf", N_("UF"), parse_uf),
        LeadField("city", N_("Cidade"), text_parser(100)),
        LeadField("headcount", N_("Funcionários"), parse_headcount),
        LeadField("revenue", N_("Faturamento"), parse_revenue),
        LeadField("branches", N_("Filiais"), parse_branches),
        LeadField("registration", N_("Inscrição estadual"), parse_registration),
        LeadField("financial_score", N_("Score financeiro"), parse_financial_score),
        LeadField("federal_status", N_("Situação na Receita"), parse_federal_status),
        LeadField("porte", N_("Porte"), parse_porte),
        LeadField("simples", N_("Simples Nacional"), parse_yes_no),
        LeadField("mei", N_("MEI"), parse_yes_no),
        LeadField("opened_on", N_("Início de atividade"), parse_opened_on),
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
FACT_KEYS = (
    "cnpj",
    "cnae",
    "uf",
    "headcount",
    "revenue",
    "branches",
    "registration",
    "financial_score",
    "federal_status",
    "porte",
    "simples",
    "mei",
    "opened_on",
)
"""The fields the ICP is scored on (:class:`LeadFacts`); every other field is text."""
TEXT_KEYS = tuple(key for key in LEAD_FIELDS if key not in FACT_KEYS)


def read_fields(raw: Mapping[str, str | None]) -> tuple[dict[str, FieldValue], dict[str, InvalidFact]]:
    """Read every known, non-blank field of ``raw``: (the typed values, the refusal of each
    field that did not parse). Unknown keys are ignored."""
    values: dict[str, FieldValue] = {}
    errors: dict[str, InvalidFact] = {}
    for key, text in raw.items():
        lead_field = LEAD_FIELDS.get(key)
        if lead_field is None or text is None or not str(text).strip():
            continue
        try:
            values[key] = lead_field.read(str(text))
        except InvalidFact as refusal:
            errors[key] = refusal
    return values, errors


def parse_fields(raw: Mapping[str, str | None]) -> tuple[dict[str, str], dict[str, InvalidFact]]:
    """:func:`read_fields`, each value in its kept text form (a spreadsheet's cells)."""
    values, errors = read_fields(raw)
    return {key: kept_text(value) for key, value in values.items()}, errors


def refusal_line(key: str, refusal: InvalidFact) -> str:
    """Portuguese "Label: message", as the chat lists a pasted field it could not use."""
    return f"{LEAD_FIELDS[key].label}: {refusal}"


@dataclass(frozen=True, slots=True)
class LeadDraft:
    """A lead's fields as read: the text fields (``""``: unknown) and the typed facts."""

    company: str = ""
    trade_name: str = ""
    city: str = ""
    contact_name: str = ""
    contact_role: str = ""
    contact_phone: str = ""
    contact_email: str = ""
    contact_linkedin: str = ""
    website: str = ""
    campaign: str = ""
    notes: str = ""
    registry_month: str = ""
    """The registry month ("2026-11") the CNPJ facts were read from; ``""``: typed by the rep."""
    facts: LeadFacts = field(default_factory=LeadFacts)

    def get(self, key: str) -> FieldValue | None:
        """One field's value (``None``: unknown)."""
        value = getattr(self.facts if key in FACT_KEYS else self, key)
        return value if value not in ("", None) else None

    def changed(self, values: Mapping[str, FieldValue | None]) -> LeadDraft:
        """The draft with ``values`` set (``None``: now unknown); unknown keys are ignored."""
        text = {key: str(values[key] or "") for key in TEXT_KEYS if key in values}
        facts = self.facts.with_(**{key: values[key] for key in FACT_KEYS if key in values})
        return replace(self, **text, facts=facts)

    @classmethod
    def read(cls, raw: Mapping[str, str | None]) -> LeadDraft:
        """A draft from text (the command line's sample, a test); :class:`ValueError` naming
        every refused field."""
        values, errors = read_fields(raw)
        if errors:
            raise ValueError("; ".join(refusal_line(key, refusal) for key, refusal in errors.items()))
        return cls().changed(values)


def plain_values(values: Mapping[str, FieldValue | None]) -> dict[str, Plain | None]:
    """Typed field values for JSON (``None`` stays: a field skipped or cleared)."""
    return {key: None if value is None else LEAD_FIELDS[key].plain(value) for key, value in values.items()}


def typed_values(plain: Mapping[str, Plain | None]) -> dict[str, FieldValue | None]:
    """What :func:`plain_values` kept, typed again (unknown keys dropped)."""
    return {
        key: None if value is None else LEAD_FIELDS[key].typed(value)
        for key, value in plain.items()
        if key in LEAD_FIELDS
    }
