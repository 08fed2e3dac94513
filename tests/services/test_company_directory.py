"""The online CNPJ lookup (``CNPJ_LOOKUP_URL``) against a fake BrasilAPI on 127.0.0.1: what it
fills, and that a missing company, a slow or broken service and its rate limit all end in
"unknown" quickly, with a log line, never an exception."""

from __future__ import annotations

import json
import logging
import threading
from collections.abc import Iterator
from datetime import UTC, date, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from bot.domain.registry import FederalStatus, Porte
from bot.services.company_directory import OnlineDirectory
from tests.support.fake_registry import cnpj_for

FOUND = cnpj_for(11222333)
CLOSED = cnpj_for(22333444)
MISSING = cnpj_for(33444555)
SLOW = cnpj_for(44555666)
BROKEN = cnpj_for(55666777)
BUSY = cnpj_for(66777888)

BRASILAPI_ANSWER = {
    "cnpj": FOUND,
    "razao_social": "HORIZONTE SISTEMAS LTDA",
    "nome_fantasia": "HORIZONTE",
    "cnae_fiscal": 4930202,
    "cnae_fiscal_descricao": "Transporte rodoviário de carga",
    "cnaes_secundarios": [{"codigo": 5211701, "descricao": "Armazéns gerais"}],
    "uf": "PR",
    "municipio": "CURITIBA",
    "situacao_cadastral": 2,
    "descricao_situacao_cadastral": "ATIVA",
    "data_situacao_cadastral": "2015-03-02",
    "data_inicio_atividade": "2015-03-02",
    "codigo_porte": 5,
    "porte": "DEMAIS",
    "opcao_pelo_simples": False,
    "opcao_pelo_mei": None,
    "codigo_natureza_juridica": 2062,
    "qsa": [
        {"nome_socio": "MARIANA SOUZA", "codigo_qualificacao_socio": 49, "data_entrada_sociedade": "2015-03-02"},
        {"nome_socio": "JOAO INVESTIDOR", "codigo_qualificacao_socio": 22},
    ],
}
MINHA_RECEITA_CLOSED = {  # minha-receita spells some fields as text
    "razao_social": "PADARIA FECHADA ME",
    "situacao_cadastral": "8",
    "data_situacao_cadastral": "2021-07-01",
    "porte": "MICRO EMPRESA",
    "opcao_pelo_simples": "S",
    "uf": "SP",
}


class FakeLookupService(BaseHTTPRequestHandler):
    release = threading.Event()
    requests: list[str] = []

    def do_GET(self) -> None:
        cnpj = self.path.rsplit("/", 1)[-1]
        self.requests.append(cnpj)
        if cnpj == SLOW:
            self.release.wait(5)  # longer than the client's timeout: it gives up first
            return
        status, body, headers = 404, b'{"message": "CNPJ not found"}', {}
        if cnpj == FOUND:
            status, body = 200, json.dumps(BRASILAPI_ANSWER).encode()
        elif cnpj == CLOSED:
            status, body = 200, json.dumps(MINHA_RECEITA_CLOSED).encode()
        elif cnpj == BROKEN:
            status, body = 200, b'{"razao_social": "TRUNC'
        elif cnpj == BUSY:
            status, body, headers = 429, b"{}", {"Retry-After": "120"}
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        for key, value in headers.items():
            self.send_header(key, value)
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def service() -> Iterator[str]:
    FakeLookupService.requests = []
    FakeLookupService.release.clear()
    server = ThreadingHTTPServer(("127.0.0.1", 0), FakeLookupService)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/api/cnpj/v1"
    FakeLookupService.release.set()
    server.shutdown()
    server.server_close()


class Ticks:
    """A monotonic clock the test moves by hand."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def directory(url: str, clock: Ticks | None = None, **options: object) -> OnlineDirectory:
    return OnlineDirectory(
        url,
        clock=clock or Ticks(),
        today=lambda: datetime(2026, 12, 2, 12, tzinfo=UTC),
        **options,  # type: ignore[arg-type]
    )


def test_a_known_cnpj_gives_its_facts_and_decision_makers(service: str) -> None:
    found = directory(service).lookup(FOUND)
    assert found is not None
    assert (found.legal_name, found.trade_name, found.cnae, found.secondary_cnaes) == (
        "HORIZONTE SISTEMAS LTDA",
        "HORIZONTE",
        "4930202",
        ("5211701",),
    )
    assert (found.uf, found.city, found.status, found.porte, found.simples, found.mei) == (
        "PR",
        "Curitiba",
        FederalStatus.ACTIVE,
        Porte.OTHER,
        False,
        None,
    )
    assert found.opened_on == date(2015, 3, 2) and found.month == "2026-12"
    assert [(m.name, m.qualification) for m in found.decision_makers] == [("MARIANA SOUZA", "49")]


def test_the_text_spelling_of_minha_receita_reads_the_same(service: str) -> None:
    found = directory(service).lookup(CLOSED)
    assert found is not None
    assert (found.status, found.status_since, found.porte, found.simples) == (
        FederalStatus.CLOSED,
        date(2021, 7, 1),
        Porte.MICRO,
        True,
    )
    assert not found.active


def test_answers_are_cached_unknown_ones_too_until_the_ttl(service: str) -> None:
    clock = Ticks()
    online = directory(service, clock, cache_seconds=3600)
    assert online.lookup(FOUND) is not None and online.lookup(FOUND) is not None
    assert online.lookup(MISSING) is None and online.lookup(MISSING) is None
    assert FakeLookupService.requests == [FOUND, MISSING]
    clock.now += 3601
    assert online.lookup(FOUND) is not None
    assert FakeLookupService.requests == [FOUND, MISSING, FOUND]


def test_a_slow_service_is_given_up_on_after_the_timeout(service: str, caplog: pytest.LogCaptureFixture) -> None:
    online = directory(service, timeout=0.2)
    with caplog.at_level(logging.WARNING):
        assert online.lookup(SLOW) is None
    assert "timed out" in caplog.text
    FakeLookupService.release.set()


def test_a_malformed_answer_is_unknown_and_logged(service: str, caplog: pytest.LogCaptureFixture) -> None:
    online = directory(service)
    with caplog.at_level(logging.WARNING):
        assert online.lookup(BROKEN) is None
    assert "unusable answer" in caplog.text
    assert online.lookup(BROKEN) is None
    assert FakeLookupService.requests == [BROKEN, BROKEN]  # a failure is not cached


def test_the_rate_limit_spares_the_service(service: str, caplog: pytest.LogCaptureFixture) -> None:
    clock = Ticks()
    online = directory(service, clock, per_minute=2)
    assert online.lookup(FOUND) is not None
    assert online.lookup(MISSING) is None
    with caplog.at_level(logging.WARNING):
        assert online.lookup(CLOSED) is None  # a third lookup within the minute: not sent
    assert "rate limit" in caplog.text
    assert FakeLookupService.requests == [FOUND, MISSING]
    clock.now += 30  # one more token
    assert online.lookup(CLOSED) is not None


def test_a_429_pauses_lookups_for_its_retry_after(service: str) -> None:
    clock = Ticks()
    online = directory(service, clock, per_minute=600)
    assert online.lookup(BUSY) is None
    assert online.lookup(FOUND) is None  # paused: not even asked
    assert FakeLookupService.requests == [BUSY]
    clock.now += 121
    assert online.lookup(FOUND) is not None


def test_an_unreachable_service_is_unknown(caplog: pytest.LogCaptureFixture) -> None:
    online = directory("http://127.0.0.1:9/api", timeout=0.5)  # the discard port: nobody listens
    with caplog.at_level(logging.WARNING):
        assert online.lookup(FOUND) is None
    assert "failed" in caplog.text or "timed out" in caplog.text
