"""Who gets each imported lead: the row's rep column, the UF map or round-robin among the reps."""

from __future__ import annotations

from dataclasses import dataclass, field

from bot.domain.vocabulary import Role
from bot.services.import_files import ImportFailed
from bot.storage.members import describe_member, members_named
from bot.storage.models import Member


@dataclass
class Assignment:
    """Who gets each lead: the row's rep column wins, then the UF map, then round-robin."""

    reps: list[str] = field(default_factory=list)
    by_uf: dict[str, str] = field(default_factory=dict)
    """UF → rep; ``*`` for every other UF."""
    whole_team: bool = False
    """With neither ``reps`` nor ``by_uf``: round-robin among every active rep who is not
    paused (what the chat and ``cadencia import`` do when nobody is named)."""

    @classmethod
    def parse(cls, *, reps: str | None = None, by_uf: str | None = None, whole_team: bool = False) -> Assignment:
        names = [r.strip() for r in (reps or "").split(",") if r.strip()]
        mapping: dict[str, str] = {}
        for part in filter(None, (p.strip() for p in (by_uf or "").split(","))):
            uf, sep, rep = part.partition("=")
            if not sep or not rep.strip():
                raise ImportFailed(f"--by-uf: '{part}' deveria ser UF=vendedor, como SP=ana")
            mapping[uf.strip().upper()] = rep.strip()
        return cls(names, mapping, whole_team)


class Assigner:
    """:class:`Assignment` applied to the team, one row after the other (round-robin keeps its turn)."""

    def __init__(self, assignment: Assignment, members: list[Member]) -> None:
        self.members = members

        def resolve(name: str) -> Member:
            found = self.named(name)
            if isinstance(found, str):
                raise ImportFailed(found)
            return found

        self.round_robin = [resolve(n) for n in assignment.reps]
        if assignment.whole_team and not assignment.reps and not assignment.by_uf:
            self.round_robin = [m for m in members if m.role == Role.REP.value and not m.paused]
        self.by_uf = {uf: resolve(n) for uf, n in assignment.by_uf.items()}
        self.turn = 0
        self.whole_team = assignment.whole_team and not assignment.reps and not assignment.by_uf

    def named(self, name: str) -> Member | str:
        """The one member ``name`` means, or why not: nobody, or several (named, so the manager
        can write the one meant)."""
        found = members_named(self.members, name)
        if len(found) == 1:
            return found[0]
        if not found:
            return f"vendedor '{name[:40]}' não encontrado na equipe"
        who = " ou ".join(describe_member(m) for m in found[:5])
        return f"vendedor '{name[:40]}' é ambíguo: {who}; escreva o nome completo ou o @usuário"

    def owner(self, rep_cell: str | None, uf: str | None) -> Member | str:
        """The member, or the reason the row cannot be assigned."""
        if rep_cell:
            return self.named(rep_cell)
        if self.by_uf:
            found = self.by_uf.get(uf or "") or self.by_uf.get("*")
            if found is not None:
                return found
            if not self.round_robin:
                return f"nenhum vendedor para a UF {uf or '(vazia)'}"
        if self.round_robin:
            member = self.round_robin[self.turn % len(self.round_robin)]
            self.turn += 1
            return member
        if self.whole_team:
            return "nenhum vendedor ativo na equipe: adicione um (convite no chat ou cadencia team add)"
        return "sem vendedor: preencha a coluna vendedor ou escolha vendedores para a importação"
