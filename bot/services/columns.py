"""Column names reps and spreadsheets use for lead fields, in Portuguese and English.

Headers are compared without accents, case or punctuation: "Nº Funcionários", "nº. funcionarios"
and "N_FUNCIONARIOS" are the same header; "E-mail", "email" and "E mail" too.
"""

from __future__ import annotations

import re

from bot.domain.text import fold

#: canonical field → accepted header spellings (any accents, case or punctuation).
ALIASES: dict[str, tuple[str, ...]] = {
    "company": ("empresa", "company", "razão social", "nome", "nome da empresa", "company name", "conta", "account"),
    "trade_name": ("nome fantasia", "fantasia", "trade name", "brand", "marca"),
    "cnpj": ("cnpj", "tax id"),
    "cnae": ("cnae", "cnae principal", "cnae fiscal", "atividade", "activity code"),
    "uf": ("uf", "estado", "state"),
    "city": ("cidade", "município", "city"),
    "headcount": (
        "funcionários",
        "nº funcionários",
        "n funcionários",
        "no funcionários",
        "número de funcionários",
        "nº de funcionários",
        "n de funcionários",
        "qtd funcionários",
        "qtde funcionários",
        "qtd de funcionários",
        "quantidade de funcionários",
        "colaboradores",
        "nº colaboradores",
        "número de colaboradores",
        "headcount",
        "employees",
        "number of employees",
    ),
    "revenue": ("faturamento", "faturamento anual", "receita", "receita anual", "revenue", "annual revenue"),
    "branches": ("filiais", "nº filiais", "número de filiais", "branches"),
    "registration": ("inscrição estadual", "ie", "sintegra", "situação ie", "registration", "state registration"),
    "financial_score": (
        "score",
        "score serasa",
        "score financeiro",
        "financial score",
        "serasa",
        "credit score",
    ),
    "contact_name": ("contato", "nome do contato", "contact", "contact name"),
    "contact_role": ("cargo", "role", "title", "job title", "cargo do contato"),
    "contact_phone": ("telefone", "celular", "whatsapp", "phone", "mobile", "telefone do contato"),
    "contact_email": ("email", "e-mail", "e-mail do contato", "contact email"),
    "contact_linkedin": ("linkedin", "linkedin url"),
    "website": ("site", "website", "web site", "url", "página", "home page"),
    "campaign": ("campanha", "campaign", "lista", "list"),
    "notes": ("observações", "observação", "obs", "notas", "nota", "notes", "comentários", "comments"),
    "rep": ("vendedor", "responsável", "sdr", "bdr", "rep", "owner", "dono"),
    "federal_status": ("situação cadastral", "situação na receita", "federal status"),
    "porte": ("porte", "porte da empresa", "company size class"),
    "simples": ("simples", "simples nacional", "opção pelo simples", "optante pelo simples"),
    "mei": ("mei", "opção pelo mei"),
    "opened_on": ("início de atividade", "data de início de atividade", "data de abertura", "abertura"),
    "registry_month": ("mês da receita", "registry month"),
}

_PUNCTUATION = re.compile(r"[^a-z0-9]+")


def header_key(header: str) -> str:
    """ "Nº Funcionários" → "no funcionarios"; "E-mail" → "e mail"; "N_FUNCIONARIOS" → "n funcionarios"."""
    return " ".join(_PUNCTUATION.sub(" ", fold(header)).split())


_LOOKUP = {header_key(alias): field for field, aliases in ALIASES.items() for alias in aliases}
_LOOKUP.update({header_key(field): field for field in ALIASES})
_LOOKUP.update({field: field for field in ALIASES})


def canonical_field(header: str) -> str | None:
    """The field a spreadsheet header means, or None if it is not one we know."""
    return _LOOKUP.get(header_key(header)) or _LOOKUP.get(fold(header).strip())
