"""Contact details as reps type them: phone, e-mail, LinkedIn."""

from __future__ import annotations

import re
from dataclasses import dataclass

from bot.domain import numbers
from bot.domain.facts import InvalidFact
from bot.domain.problems import N_

_EMAIL = re.compile(r"^[A-Za-z0-9._%+'-]+@[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}$")
_LINKEDIN = re.compile(r"^(https?://)?([a-z]{2,3}\.)?linkedin\.com/(in|company)/[^\s/?#]+/?$", re.I)
_HANDLE = re.compile(r"^[A-Za-z0-9-]{3,100}$")


def parse_phone(text: str) -> str:
    """A Brazilian phone (with DDD) or an international one → "+55 11 98765-4321" style."""
    cleaned = (text or "").strip()
    try:
        numbers.refuse_other_digits(cleaned)
    except numbers.InvalidNumber as exc:
        raise InvalidFact(exc.template, **exc.params) from None
    if len(cleaned) > 40:
        raise InvalidFact(N_("Telefone com DDD, por exemplo (11) 98765-4321."))
    digits = numbers.digits_of(cleaned)
    if cleaned.startswith("+") and not cleaned.startswith("+55"):
        if 8 <= len(digits) <= 15:
            return "+" + digits
        raise InvalidFact(N_("Telefone internacional deve ter de 8 a 15 dígitos, com o código do país."))
    if digits.startswith("55") and len(digits) in (12, 13):
        digits = digits[2:]
    if digits.startswith("0") and len(digits) in (11, 12):
        digits = digits[1:]
    if len(digits) not in (10, 11):
        raise InvalidFact(N_("Telefone com DDD, por exemplo (11) 98765-4321."))
    ddd, rest = digits[:2], digits[2:]
    if ddd[0] == "0" or ddd[1] == "0":
        raise InvalidFact(N_("DDD %(ddd)s não existe. Exemplo: (11) 98765-4321."), ddd=ddd)
    return f"+55 {ddd} {rest[:-4]}-{rest[-4:]}"


def parse_email(text: str) -> str:
    cleaned = (text or "").strip().strip("<>").lower()
    if len(cleaned) > 200 or not _EMAIL.match(cleaned):
        raise InvalidFact(N_("E-mail inválido. Exemplo: nome@empresa.com.br."))
    return cleaned


def parse_linkedin(text: str) -> str:
    cleaned = (text or "").strip()
    if _LINKEDIN.match(cleaned) and len(cleaned) <= 290:  # the lead keeps up to 300 characters
        url = cleaned if cleaned.lower().startswith("http") else "https://" + cleaned
        return url.replace("http://", "https://").rstrip("/")
    if _HANDLE.match(cleaned):
        return f"https://www.linkedin.com/in/{cleaned}"
    raise InvalidFact(N_("LinkedIn: cole o endereço do perfil, como linkedin.com/in/nome-sobrenome."))


# ---------------------------------------------------------------------------- a whole contact

MAX_CONTACT_TEXT = 600
"""A contact typed in one message: a name, a role, a phone, an e-mail, a LinkedIn, with room."""
MAX_NAME = 120
MAX_ROLE = 120
_SEPARATORS = re.compile(r"[\n;,]")

#: ``qualificacao_do_socio`` of the registry's decision makers, as the role of their contact
#: (kept in Portuguese, as the registry says it: a role is data, like a typed one).
QUALIFICATIONS = {
    "05": "Administrador",
    "08": "Conselheiro de administração",
    "10": "Diretor",
    "16": "Presidente",
    "17": "Procurador",
    "18": "Procurador",
    "49": "Sócio-administrador",
    "65": "Titular",
}


@dataclass(frozen=True, slots=True)
class ContactDraft:
    """One person at a company, as a rep typed them or the registry named them."""

    name: str
    role: str = ""
    phone: str = ""
    email: str = ""
    linkedin: str = ""


def _kind(part: str) -> str:
    """What a piece of a typed contact looks like: email | linkedin | phone | text."""
    if "@" in part:
        return "email"
    if "linkedin" in part.lower():
        return "linkedin"
    if sum(ch.isdigit() for ch in part) >= 8 and not any(ch.isalpha() for ch in part):
        return "phone"
    return "text"


def read_contact(text: str) -> ContactDraft:
    """A contact typed in one message, one piece a line (or separated by ``;`` or ``,``):
    the first text is the name, further text the role; a phone, an e-mail and a LinkedIn are
    told by their look and validated as /novo and the import validate them.

    ``"João Reis, Diretor de TI, (11) 98765-4321"`` → name, role and phone. InvalidFact with a
    message fit for the rep when a piece cannot be used (nothing is taken then)."""
    cleaned = (text or "").strip()
    if len(cleaned) > MAX_CONTACT_TEXT:
        raise InvalidFact(N_("Texto longo demais para um contato (até %(n)s caracteres)."), n=MAX_CONTACT_TEXT)
    texts: list[str] = []
    found: dict[str, str] = {}
    parsers = {"email": parse_email, "linkedin": parse_linkedin, "phone": parse_phone}
    for part in (p.strip() for p in _SEPARATORS.split(cleaned)):
        if not part:
            continue
        kind = _kind(part)
        if kind == "text":
            texts.append(" ".join(part.split()))
            continue
        if kind in found:
            raise InvalidFact(N_("Um telefone, um e-mail e um LinkedIn por contato."))
        found[kind] = parsers[kind](part)
    if not texts:
        raise InvalidFact(N_("Escreva o nome do contato na primeira linha, por exemplo: João Reis."))
    name, role = texts[0], ", ".join(texts[1:])
    if len(name) > MAX_NAME or len(role) > MAX_ROLE:
        raise InvalidFact(N_("Nome e cargo têm até %(n)s caracteres cada."), n=MAX_NAME)
    return ContactDraft(name=name, role=role, **found)


def first_name(name: str) -> str:
    return (name or "").split(" ")[0]
