"""A contact typed in one message: the pieces are told apart by their look and validated as
/novo and the import validate them; nothing is taken from a message with a bad piece."""

from __future__ import annotations

import pytest

from bot.domain.contacts import MAX_CONTACT_TEXT, ContactDraft, read_contact
from bot.domain.facts import InvalidFact


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        (
            "João Reis\nDiretor de TI\n(11) 98765-4321\njoao@horizonte.com.br",
            ContactDraft("João Reis", "Diretor de TI", "+55 11 98765-4321", "joao@horizonte.com.br"),
        ),
        ("João Reis, Diretor de TI, 11987654321", ContactDraft("João Reis", "Diretor de TI", "+55 11 98765-4321")),
        ("  Ana   Paula  ;  <ANA@Empresa.com.br> ", ContactDraft("Ana Paula", email="ana@empresa.com.br")),
        ("Bia\nlinkedin.com/in/bia-souza", ContactDraft("Bia", linkedin="https://linkedin.com/in/bia-souza")),
        ("Carlos\nGerente\nCompras\n+1 415 555 0100", ContactDraft("Carlos", "Gerente, Compras", "+14155550100")),
        ("Só o nome", ContactDraft("Só o nome")),
    ],
)
def test_a_typed_contact_is_read_piece_by_piece(typed: str, expected: ContactDraft) -> None:
    assert read_contact(typed) == expected


@pytest.mark.parametrize(
    ("typed", "says"),
    [
        ("", "nome do contato"),
        ("   \n ; ", "nome do contato"),
        ("(11) 98765-4321", "nome do contato"),
        ("João\n(00) 1234-5678", "DDD 00 não existe"),
        ("João\n12345678", "Telefone com DDD"),
        ("João\njoao@", "E-mail inválido"),
        ("João\na@b.com\nc@d.com", "Um telefone, um e-mail"),
        ("x" * 10_000, "Texto longo demais"),
        ("N" * 121, "até 120 caracteres"),
    ],
)
def test_a_bad_piece_is_refused_with_a_reason(typed: str, says: str) -> None:
    with pytest.raises(InvalidFact) as refused:
        read_contact(typed)
    assert says in str(refused.value)


def test_the_limit_is_for_a_whole_message() -> None:
    assert len("João Reis\nDiretor de TI\n(11) 98765-4321\njoao@horizonte.com.br") < MAX_CONTACT_TEXT
