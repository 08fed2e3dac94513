"""Off-boarding rules: who may deactivate whom, who may use a named invite, and how a leaving
member's open leads are spread. Pure: the service asks these questions with what it loaded.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TypeVar

from bot.domain.problems import N_, Problem
from bot.domain.vocabulary import Role

T = TypeVar("T")

#: Telegram usernames: 5-32 letters, digits and underscores (the "@" is not part of them).
_USERNAME = re.compile(r"^[A-Za-z][A-Za-z0-9_]{3,31}$")


MANAGER_INVITE_NEEDS_USERNAME = N_("Um convite de gestor precisa do @usuário de quem vai usá-lo.")


NOT_ON_TEAM = N_("Essa pessoa não está no time.")
CANNOT_RECEIVE = N_("Essa pessoa não pode receber os leads: escolha alguém ativo do time.")


class DeactivationRefused(Problem):
    """A deactivation that the rules forbid; the message says why."""


class InvalidUsername(Problem):
    """What was typed after /convidar gestor is not a Telegram username."""


@dataclass(frozen=True, slots=True)
class Person:
    """What the rules need of a member."""

    id: int
    role: str
    active: bool
    paused: bool = False


def check_deactivation(actor: Person | None, target: Person, active_managers: int) -> None:
    """Raise :class:`DeactivationRefused` unless ``actor`` may deactivate ``target`` now.

    ``actor`` is ``None`` for the server's operator (``cadencia team deactivate``), who may
    deactivate anyone but the last active manager. ``active_managers`` counts the target too.
    """
    if actor is not None and actor.role != Role.MANAGER:
        raise DeactivationRefused(N_("Só gestores podem desativar pessoas do time."))
    if actor is not None and actor.id == target.id:
        raise DeactivationRefused(N_("Você não pode desativar a si mesmo. Peça a outro gestor."))
    if not target.active:
        raise DeactivationRefused(N_("Essa pessoa já está desativada."))
    if target.role == Role.MANAGER and active_managers <= 1:
        raise DeactivationRefused(N_("Não dá para desativar o último gestor ativo: convide outro gestor antes."))


def check_receiver(receiver: Person, leaving: Person) -> None:
    """The member picked to receive the leads must be someone else, still active."""
    if receiver.id == leaving.id or not receiver.active:
        raise DeactivationRefused(CANNOT_RECEIVE)


def round_robin_receivers(candidates: Sequence[Person], leaving: Person) -> list[Person]:
    """Who a round-robin spread deals to: active reps who are not paused, other than the one
    leaving, in a stable order (by id)."""
    return sorted(
        (p for p in candidates if p.active and not p.paused and p.role == Role.REP and p.id != leaving.id),
        key=lambda p: p.id,
    )


def spread(items: Sequence[T], receivers: Sequence[int]) -> dict[int, list[T]]:
    """Deal ``items`` to ``receivers`` in turn (the first item to the first receiver): every
    item goes to exactly one receiver and no two receivers' counts differ by more than one."""
    if items and not receivers:
        raise DeactivationRefused(
            N_("Não há vendedores ativos (fora de pausa) para dividir os leads. Escolha uma pessoa.")
        )
    dealt: dict[int, list[T]] = {receiver: [] for receiver in receivers}
    for index, item in enumerate(items):
        dealt[receivers[index % len(receivers)]].append(item)
    return {receiver: got for receiver, got in dealt.items() if got}


def normalise_username(text: str) -> str:
    """``@Maria_S`` → ``maria_s`` (Telegram usernames are case-insensitive)."""
    name = text.strip().removeprefix("@")
    if not _USERNAME.match(name):
        raise InvalidUsername(
            N_("'%(typed)s' não é um nome de usuário do Telegram (5 a 32 letras, números ou _)."),
            typed=text.strip()[:40],
        )
    return name.casefold()


def may_use_invite(for_username: str | None, username: str) -> bool:
    """An invite that names a username is only for that Telegram user (case ignored)."""
    return not for_username or for_username.casefold() == username.strip().removeprefix("@").casefold()
