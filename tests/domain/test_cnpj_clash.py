"""The CNPJ root rule: the same CNPJ is the same lead, the same root another branch."""

from __future__ import annotations

import pytest

from bot.domain.facts import CnpjClash, cnpj_clash, cnpj_root


@pytest.mark.parametrize(
    ("new", "existing", "clash"),
    [
        ("11222333000181", "11222333000181", CnpjClash.SAME),
        ("11222333000262", "11222333000181", CnpjClash.BRANCH),
        ("99888777000100", "11222333000181", None),
        ("11222333000181", None, None),
        ("11222333000181", "", None),
        ("12ABC34501DE35", "12ABC34501DE35", CnpjClash.SAME),  # alphanumeric CNPJ (July 2026)
        ("12ABC34502DE99", "12ABC34501DE35", CnpjClash.BRANCH),
        ("12ABC34501DE35", "12ABC34401DE35", None),
    ],
)
def test_how_two_cnpjs_meet(new: str, existing: str | None, clash: CnpjClash | None) -> None:
    assert cnpj_clash(new, existing) is clash


def test_the_root_is_the_first_eight_characters() -> None:
    assert cnpj_root("11222333000181") == "11222333"
