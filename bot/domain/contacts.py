"""Contact details as reps type them: phone, e-mail, LinkedIn."""

from __future__ import annotations

import re

from bot.domain.facts import InvalidFact
from bot.domain.problems import N_

_EMAIL = re.compile(r"^[A-Za-z0-9._%+'-]+@[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}$")
_LINKEDIN = re.compile(r"^(https?://)?([a-z]{2,3}\.)?linkedin\.com/(in|company)/[^\s/?#]+/?$", re.I)
_HANDLE = re.compile(r"^[A-Za-z0-9-]{3,100}$")


def parse_phone(text: str) -> str:
    """A Brazilian phone (with DDD) or an international one → "+55 11 98765-4321" style."""
    cleaned = (text or "").strip()
    digits = re.sub(r"\D", "", cleaned)
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
