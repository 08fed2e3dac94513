"""What the prospect said → the playbook's objections that sound like it, accent- and
typo-tolerant, best first, never more than three, and nothing for small talk."""

from __future__ import annotations

import pytest

from bot.domain.objection_match import best_matches, similarity
from bot.domain.playbook.loader import load_playbook
from bot.domain.playbook.model import Playbook
from bot.resources import bundled_dir


@pytest.fixture(scope="module")
def default_playbook() -> Playbook:
    return load_playbook(bundled_dir("playbook"))


def _recognise(playbook: Playbook) -> list[tuple[str, list[str]]]:
    return [(o.id, o.recognise) for o in playbook.objections]


@pytest.mark.parametrize(
    ("heard", "first"),
    [
        ("tá caro", "esta_caro"),
        ("TA CARO DEMAIS", "esta_caro"),
        ("prço alto", "esta_caro"),  # a typo
        ("já uso planilha", "planilha_resolve"),
        ("ja uzo planilia", "planilha_resolve"),  # no accents, two typos
        ("fazemos tudo no excel", "planilha_resolve"),
        ("nao tenho orçamento", "sem_orcamento"),
        ("estamos em corte de custo", "sem_orcamento"),
        ("me manda um email", "manda_por_email"),
        ("já temos o totvs", "ja_tem_sistema"),
        ("preciso falar com meu chefe", "falar_com_decisor"),
        ("como vc conseguiu meu numero", "como_conseguiu_contato"),
        ("lgpd", "seguranca_lgpd"),
    ],
)
def test_the_best_match_is_the_objection_heard(default_playbook: Playbook, heard: str, first: str) -> None:
    found = best_matches(heard, _recognise(default_playbook))
    assert found and found[0].objection_id == first
    assert len(found) <= 3
    assert [m.score for m in found] == sorted((m.score for m in found), reverse=True)


@pytest.mark.parametrize("heard", ["", "   ", "xyz", "o cachorro latiu", "bom dia tudo bem", "pode falar", "!!!"])
def test_small_talk_matches_nothing(default_playbook: Playbook, heard: str) -> None:
    assert best_matches(heard, _recognise(default_playbook)) == []


def test_two_objections_that_fit_are_both_offered(default_playbook: Playbook) -> None:
    found = [m.objection_id for m in best_matches("não é prioridade agora", _recognise(default_playbook))]
    assert found[:2] == ["nao_e_prioridade", "sem_tempo"]  # equal scores keep the playbook's order


def test_similarity_is_symmetric_enough_and_bounded() -> None:
    assert similarity("está caro", "esta caro") == 1.0
    assert 0.0 <= similarity("a" * 10_000, "está caro") <= 1.0
