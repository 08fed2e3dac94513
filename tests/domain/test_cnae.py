"""CNAE 2.3: the table, the class check digit, parsing, prefixes and search."""

from __future__ import annotations

from importlib.resources import files

import pytest

from bot.domain import cnae
from bot.domain.cnae import (
    CnaePrefix,
    InvalidCnae,
    Subclass,
    all_subclasses,
    class_check_digit,
    division_name,
    hierarchy,
    parse_prefix,
    parse_subclass,
    search,
    section_name,
)

# ----------------------------------------------------------------------------- the table


def test_counts_derived_from_the_subclass_list() -> None:
    codes = list(all_subclasses())
    assert len(codes) == 1332
    assert len({code[:2] for code in codes}) == 87
    # IBGE announces 285 groups and 673 classes for CNAE 2.x; two groups (with one class
    # each) have no subclass, so the subclass list itself yields 283 and 671.
    assert len({code[:3] for code in codes}) == 283 == len(cnae.groups())
    assert len({code[:5] for code in codes}) == 671 == len(cnae.classes())
    assert len({all_subclasses()[code].section for code in codes}) == 21


def test_sections_and_divisions_tables() -> None:
    assert len(cnae.sections()) == 21
    assert list(cnae.sections()) == [chr(c) for c in range(ord("A"), ord("U") + 1)]
    assert len(cnae.divisions()) == 87
    used = {code[:2] for code in all_subclasses()}
    assert used == set(cnae.divisions())


def test_every_division_has_a_name_and_exactly_one_section() -> None:
    ranges = [
        (letter, int(first), int(last))
        for letter, first, last, _ in (
            line.split("\t")
            for line in (files("bot.domain.data") / "cnae_sections.tsv")
            .read_text(encoding="utf-8")
            .splitlines()
            if line and not line.startswith("#")
        )
    ]
    for division in {code[:2] for code in all_subclasses()}:
        assert division_name(division)
        owners = [letter for letter, first, last in ranges if first <= int(division) <= last]
        assert len(owners) == 1, division
        assert cnae.section_of_division(division) == owners[0]
    # every section is used by at least one division
    assert {cnae.section_of_division(d) for d in cnae.divisions()} == set(cnae.sections())


@pytest.mark.parametrize(
    ("division", "name", "section"),
    [
        ("01", "Agricultura, pecuária e serviços relacionados", "A"),
        ("10", "Fabricação de produtos alimentícios", "C"),
        ("47", "Comércio varejista", "G"),
        ("56", "Alimentação", "I"),
        ("62", "Atividades dos serviços de tecnologia da informação", "J"),
        ("69", "Atividades jurídicas, de contabilidade e de auditoria", "M"),
        ("85", "Educação", "P"),
        ("99", "Organismos internacionais e outras instituições extraterritoriais", "U"),
    ],
)
def test_division_names(division: str, name: str, section: str) -> None:
    assert division_name(division) == name
    assert cnae.section_of_division(division) == section


@pytest.mark.parametrize(
    ("letter", "name"),
    [
        ("A", "Agricultura, pecuária, produção florestal, pesca e aqüicultura"),
        ("C", "Indústrias de transformação"),
        ("J", "Informação e comunicação"),
        ("j", "Informação e comunicação"),
        ("U", "Organismos internacionais e outras instituições extraterritoriais"),
    ],
)
def test_section_names(letter: str, name: str) -> None:
    assert section_name(letter) == name


@pytest.mark.parametrize("call", [lambda: section_name("V"), lambda: division_name("04")])
def test_unknown_section_or_division(call: object) -> None:
    with pytest.raises(InvalidCnae, match="não existe"):
        call()  # type: ignore[operator]


@pytest.mark.parametrize(
    ("code", "name"),
    [
        ("6201501", "Desenvolvimento de programas de computador sob encomenda"),
        ("6920601", "Atividades de contabilidade"),
        ("4711301", "Comércio varejista de mercadorias em geral, com predominância de produtos "
         "alimentícios - hipermercados"),
        ("4682600", "Comércio atacadista de gás liqüefeito de petróleo (GLP)"),
        ("6190602", "Provedores de voz sobre protocolo internet - VoIP"),
        ("4762800", "Comércio varejista de discos, CDs, DVDs e fitas"),
        ("6410700", "Banco Central"),
        ("8621601", "UTI móvel"),
        ("1091102", "Fabricação de produtos de padaria e confeitaria com predominância de "
         "produção própria"),
    ],
)
def test_names_are_readable_sentence_case(code: str, name: str) -> None:
    assert all_subclasses()[code].name == name


def test_no_name_has_stray_spaces() -> None:
    for subclass in all_subclasses().values():
        assert subclass.name == subclass.name.strip()
        assert "  " not in subclass.name
        assert subclass.name[0].isupper()


def test_subclass_properties() -> None:
    subclass = all_subclasses()["6201501"]
    assert subclass == Subclass("6201501", subclass.name)
    assert subclass.formatted == "6201-5/01"
    assert subclass.division == "62"
    assert subclass.group == "620"
    assert subclass.class_code == "62015"
    assert subclass.section == "J"
    assert subclass.label == "6201-5/01 Desenvolvimento de programas de computador sob encomenda"


@pytest.mark.parametrize(
    ("text", "expected"),
    [("6201501", "6201-5/01"), ("6201-5/01", "6201-5/01"), ("abc", "abc"), ("62015", "62015")],
)
def test_format_subclass(text: str, expected: str) -> None:
    assert cnae.format_subclass(text) == expected


# ----------------------------------------------------------------------------- check digit


def test_check_digit_reproduces_every_class_of_the_official_list() -> None:
    classes = {code[:5] for code in all_subclasses()}
    assert len(classes) == 671
    for class_code in classes:
        assert class_check_digit(class_code[:4]) == int(class_code[4]), class_code


@pytest.mark.parametrize(
    ("class4", "digit"),
    [("6201", 5), ("6202", 3), ("6920", 6), ("4721", 1), ("0111", 3), ("0113", 0), ("9900", 8)],
)
def test_check_digit_examples(class4: str, digit: int) -> None:
    assert class_check_digit(class4) == digit


@pytest.mark.parametrize("bad", ["620", "62015", "62a1", ""])
def test_check_digit_needs_four_digits(bad: str) -> None:
    with pytest.raises(ValueError):
        class_check_digit(bad)


# ----------------------------------------------------------------------------- parse_subclass


@pytest.mark.parametrize(
    "text",
    ["6201501", "6201-5/01", "62.01-5-01", " 6201-5/01 ", "6201 5 01", "62.01-5/01", "6201-501"],
)
def test_parse_subclass_accepts_every_written_form(text: str) -> None:
    assert parse_subclass(text).code == "6201501"


@pytest.mark.parametrize(
    ("text", "fragments"),
    [
        ("", ["Informe o CNAE", "6201-5/01"]),
        ("   ", ["Informe o CNAE"]),
        ("software", ["não é um código", "procure por palavras"]),
        ("6201-5/0A", ["não é um código"]),
        ("620150", ["tem 6 dígitos", "7"]),
        ("62015011", ["tem 8 dígitos"]),
        ("6201-9/01", ["6201-9/01 não confere", "dígito verificador da classe 6201 é 5",
                       "(6201-5/01)"]),
        ("6202-0/00", ["não confere", "classe 6202 é 3", "(6202-3/00)"]),
        ("6201-9/07", ["não confere", "é 5", "(6201-5)"]),
        ("1234567", ["1234-5/67 não existe na tabela CNAE 2.3", "Digite 7 dígitos"]),
        ("6201-5/07", ["6201-5/07 não existe", "classe 6201-5 tem as subclasses",
                       "6201-5/01, 6201-5/02"]),
        ("6920-6/09", ["6920-6/09 não existe", "6920-6/01, 6920-6/02"]),
        ("6204-0/01", ["classe 6204-0 tem a subclasse 6204-0/00"]),
    ],
)
def test_parse_subclass_rejections_say_what_is_wrong(text: str, fragments: list[str]) -> None:
    with pytest.raises(InvalidCnae) as caught:
        parse_subclass(text)
    message = str(caught.value)
    for fragment in fragments:
        assert fragment in message
    assert isinstance(caught.value, ValueError)


def test_parse_subclass_round_trips_the_whole_table() -> None:
    for code, subclass in all_subclasses().items():
        assert parse_subclass(subclass.formatted) is subclass
        assert parse_subclass(code) is subclass


# ----------------------------------------------------------------------------- prefixes


@pytest.mark.parametrize(
    ("text", "level", "code", "formatted"),
    [
        ("J", "section", "J", "J"),
        (" j ", "section", "J", "J"),
        ("62", "division", "62", "62"),
        ("01", "division", "01", "01"),
        ("62.0", "group", "620", "62.0"),
        ("620", "group", "620", "62.0"),
        ("62.01-5", "class", "62015", "6201-5"),
        ("6201-5", "class", "62015", "6201-5"),
        ("62015", "class", "62015", "6201-5"),
        ("6201", "class", "62015", "6201-5"),
        ("62.01", "class", "62015", "6201-5"),
        ("6201-5/01", "subclass", "6201501", "6201-5/01"),
        ("6201501", "subclass", "6201501", "6201-5/01"),
        ("62.01-5-01", "subclass", "6201501", "6201-5/01"),
        ("6201 5 01", "subclass", "6201501", "6201-5/01"),
    ],
)
def test_parse_prefix_accepts_every_level(
    text: str, level: cnae.Level, code: str, formatted: str
) -> None:
    prefix = parse_prefix(text)
    assert prefix == CnaePrefix(level, code)
    assert prefix.formatted == formatted


@pytest.mark.parametrize(
    ("text", "fragments"),
    [
        ("", ["Informe um código CNAE", "seção (J)"]),
        ("V", ["Seção 'V' não existe", "de A a U"]),
        ("x", ["Seção 'x' não existe"]),
        ("JJ", ["não é um código CNAE", "divisão (62)"]),
        ("04", ["Divisão 04 não existe"]),
        ("62.5", ["Grupo 62.5 não existe", "a divisão 62 tem o grupo 62.0"]),
        ("01.8", ["Grupo 01.8 não existe", "os grupos 01.1, 01.2"]),
        ("04.1", ["Divisão 04 não existe"]),
        ("6201-9", ["6201-9 não confere", "classe 6201 é 5", "(6201-5)"]),
        ("6205", ["Classe 6205-8 não existe", "o grupo 62.0 tem as classes 6201-5"]),
        ("6205-8", ["Classe 6205-8 não existe"]),
        ("6301", ["Grupo 63.0 não existe", "63.1, 63.9"]),
        ("620150", ["tem 6 dígitos", "subclasse (6201-5/01)"]),
        ("62015011", ["tem 8 dígitos"]),
        ("6201-9/01", ["não confere", "(6201-5/01)"]),
        ("6201-5/07", ["6201-5/07 não existe"]),
    ],
)
def test_parse_prefix_rejections(text: str, fragments: list[str]) -> None:
    with pytest.raises(InvalidCnae) as caught:
        parse_prefix(text)
    for fragment in fragments:
        assert fragment in str(caught.value)


@pytest.mark.parametrize(
    ("prefix", "description"),
    [
        ("J", "seção J 'Informação e comunicação'"),
        ("62", "divisão 62 'Atividades dos serviços de tecnologia da informação'"),
        ("620", "grupo 62.0"),
        ("62015", "classe 6201-5"),
        ("6201501", "subclasse 6201-5/01 'Desenvolvimento de programas de computador sob "
         "encomenda'"),
    ],
)
def test_describe(prefix: str, description: str) -> None:
    assert parse_prefix(prefix).describe() == description


def test_specificity_orders_the_levels() -> None:
    prefixes = [parse_prefix(t) for t in ("6201-5/01", "J", "6201-5", "62", "62.0")]
    ordered = sorted(prefixes, key=lambda p: p.specificity)
    assert [p.level for p in ordered] == ["section", "division", "group", "class", "subclass"]
    assert [p.specificity for p in ordered] == [1, 2, 3, 4, 5]


@pytest.mark.parametrize(
    ("prefix", "subclass", "expected"),
    [
        ("J", "6201501", True),
        ("J", "5811500", True),  # division 58 opens section J
        ("J", "5620101", False),  # division 56 is section I
        ("I", "5620101", True),
        ("62", "6201-5/01", True),
        ("62", "6311900", False),
        ("62.0", "6209100", True),
        ("6201-5", "6201502", True),
        ("6201-5", "6202300", False),
        ("6201-5/01", "6201501", True),
        ("6201-5/01", "6201502", False),
        ("62", "not a code", False),
        ("J", "", False),
    ],
)
def test_matches(prefix: str, subclass: str, expected: bool) -> None:
    node = parse_prefix(prefix)
    assert node.matches(subclass) is expected
    if subclass in all_subclasses():
        assert node.matches(all_subclasses()[subclass]) is expected


def test_every_subclass_matches_its_whole_path() -> None:
    for subclass in all_subclasses().values():
        for text in (subclass.section, subclass.division, subclass.group, subclass.class_code,
                     subclass.code):
            assert parse_prefix(text).matches(subclass)


def test_most_specific_prefix_wins() -> None:
    rules = [parse_prefix(t) for t in ("J", "62", "6201-5/01", "6202")]
    subclass = all_subclasses()["6201501"]
    best = max((p for p in rules if p.matches(subclass)), key=lambda p: p.specificity)
    assert best.level == "subclass"


def test_prefix_subclasses() -> None:
    assert [s.formatted for s in parse_prefix("6201").subclasses()] == ["6201-5/01", "6201-5/02"]
    assert len(parse_prefix("J").subclasses()) == sum(
        1 for s in all_subclasses().values() if s.section == "J"
    )


@pytest.mark.parametrize(("level", "code"), [("division", "6"), ("class", "6201"), ("x", "J")])
def test_prefix_constructor_checks_the_shape(level: str, code: str) -> None:
    with pytest.raises(ValueError):
        CnaePrefix(level, code)  # type: ignore[arg-type]


def test_hierarchy() -> None:
    expected = [
        ("section", "J", "Informação e comunicação"),
        ("division", "62", "Atividades dos serviços de tecnologia da informação"),
        ("group", "62.0", None),
        ("class", "6201-5", None),
        ("subclass", "6201-5/01", "Desenvolvimento de programas de computador sob encomenda"),
    ]
    assert hierarchy("6201-5/01") == expected
    assert hierarchy(all_subclasses()["6201501"]) == expected
    with pytest.raises(InvalidCnae):
        hierarchy("6201-9/01")


# ----------------------------------------------------------------------------- search


def _codes(query: str, limit: int = 10) -> list[str]:
    return [s.formatted for s in search(query, limit=limit)]


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("software", ["6201-5/01", "6202-3/00", "6203-1/00"]),
        ("saas", ["6201-5/01", "6202-3/00", "6203-1/00"]),
        ("sistema", ["6201-5/01", "6202-3/00", "6203-1/00"]),
        ("ti", ["6201-5/01", "6202-3/00", "6203-1/00", "6204-0/00"]),
        ("padaria", ["4721-1/02", "1091-1/02"]),
        ("restaurante", ["5611-2/01"]),
        ("contabilidade", ["6920-6/01"]),
        ("hospital", ["8610-1/01", "8610-1/02"]),
        ("escola", ["8513-9/00", "8520-1/00"]),
        ("farmácia", ["4771-7/01", "4771-7/02"]),
        ("farmacia", ["4771-7/01"]),
        ("supermercado", ["4711-3/02"]),
        ("transportadora", ["4930-2/01", "4930-2/02"]),
        ("frete", ["4930-2/01", "4930-2/02"]),
        ("academia", ["9313-1/00"]),
        ("oficina mecânica", ["4520-0/01"]),
        ("construtora", ["4120-4/00"]),
        ("advogado", ["6911-7/01"]),
        ("advocacia", ["6911-7/01"]),
        ("clínica médica", ["8630-5/01", "8630-5/02", "8630-5/03"]),
        ("imobiliária", ["6821-8/01", "6821-8/02"]),
        ("hotel", ["5510-8/01"]),
        ("indústria de alimentos", ["1096-1/00"]),
        ("Desenvolvimento de Programas", ["6201-5/01", "6202-3/00", "6203-1/00"]),
        ("COMERCIO VAREJISTA CARNES", ["4722-9/01"]),
        ("advoca", ["6911-7/01"]),
        ("call center", ["8220-2/00"]),
        ("escola de idiomas", ["8593-7/00"]),
    ],
)
def test_search_finds(query: str, expected: list[str]) -> None:
    found = _codes(query)
    for code in expected:
        assert code in found, (query, found)


@pytest.mark.parametrize(
    ("query", "top"),
    [
        ("software", {"6201-5/01", "6202-3/00", "6203-1/00"}),
        ("restaurante", {"5611-2/01"}),
        ("contabilidade", {"6920-6/01", "6920-6/02"}),
        ("padaria", {"4721-1/02", "1091-1/02"}),
        ("hospital", {"8610-1/01", "8610-1/02"}),
    ],
)
def test_search_ranks_the_obvious_answers_first(query: str, top: set[str]) -> None:
    assert set(_codes(query)[: len(top)]) == top


def test_search_ranks_name_matches_above_division_matches() -> None:
    # "contabilidade" is in the name of 6920-6/01 and only in the division name of 6911-7/01
    found = _codes("contabilidade", limit=20)
    assert found.index("6920-6/01") < found.index("6911-7/01")


def test_search_needs_every_word() -> None:
    assert _codes("padaria revenda") == ["4721-1/02"]
    assert _codes("software padaria") == []


def test_short_words_match_whole_words_only() -> None:
    # "ti" must not find "tintas" or "tijolos"
    assert all(code.startswith("62") for code in _codes("ti", limit=50))


@pytest.mark.parametrize("query", ["", "   ", "de", "de da do", "xyzzy", "-"])
def test_search_without_results(query: str) -> None:
    assert search(query) == []


def test_search_by_code_lists_the_subclasses_under_it() -> None:
    assert _codes("6201") == ["6201-5/01", "6201-5/02"]
    assert _codes("6201-9") == []


def test_search_limit() -> None:
    assert len(search("comercio", limit=3)) == 3
    assert search("comercio", limit=0) == []


def test_every_synonym_alternative_finds_something() -> None:
    index = cnae._search_index()
    for key, synonym in index.synonyms.items():
        for alternative in synonym.word_alternatives:
            assert index.names.all_of(alternative), (key, alternative)
        for prefix in synonym.code_alternatives:
            assert any(code.startswith(prefix) for code in all_subclasses()), (key, prefix)
        assert search(" ".join(key)), key
