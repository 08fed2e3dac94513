"""Column names reps and spreadsheets use for lead facts, in Portuguese and English."""

from __future__ import annotations

from bot.domain.text import fold

#: canonical field → accepted header spellings (folded: no accents, lower case).
ALIASES: dict[str, tuple[str, ...]] = {
    "company": ("empresa", "company", "razao social", "nome", "nome fantasia", "company name", "conta", "account"),
    "cnpj": ("cnpj", "tax id"),
    "cnae": ("cnae", "cnae principal", "cnae fiscal", "atividade", "activity code"),
    "uf": ("uf", "estado", "state"),
    "city": ("cidade", "municipio", "city"),
    "headcount": (
        "funcionarios",
        "colaboradores",
        "headcount",
        "employees",
        "n funcionarios",
        "numero de funcionarios",
    ),
    "revenue": ("faturamento", "faturamento anual", "receita", "revenue", "annual revenue"),
    "branches": ("filiais", "branches", "numero de filiais"),
    "registration": ("inscricao estadual", "ie", "sintegra", "situacao ie", "registration", "state registration"),
    "financial_score": ("score", "score financeiro", "financial score", "serasa", "credit score"),
    "contact_name": ("contato", "nome do contato", "contact", "contact name"),
    "contact_role": ("cargo", "role", "title", "job title", "cargo do contato"),
    "contact_phone": ("telefone", "celular", "whatsapp", "phone", "mobile"),
    "contact_email": ("email", "e-mail", "e mail"),
    "contact_linkedin": ("linkedin", "linkedin url"),
    "campaign": ("campanha", "campaign", "lista", "list"),
    "rep": ("vendedor", "responsavel", "sdr", "bdr", "rep", "owner", "dono"),
}

_LOOKUP = {fold(alias): field for field, aliases in ALIASES.items() for alias in aliases}
_LOOKUP.update({field: field for field in ALIASES})


def canonical_field(header: str) -> str | None:
    """The field a spreadsheet header means, or None if it is not one we know."""
    return _LOOKUP.get(fold(header).replace("_", " ").strip()) or _LOOKUP.get(fold(header).strip())
