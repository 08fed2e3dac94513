"""``cadencia registry load|status|show`` as an operator uses them (and a month served over HTTP)."""

from __future__ import annotations

import functools
import subprocess
import sys
import threading
from collections.abc import Iterator
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from bot.cli.main import main
from bot.registry.store import ParquetRegistry
from tests.registry.test_registry_load import acme_dump


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    status = main(list(argv))
    out, err = capsys.readouterr()
    return status, out, err


@pytest.fixture
def registry(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> Path:
    source = acme_dump().write(tmp_path / "2026-11")
    status, out, err = run(capsys, "registry", "load", str(source), "--dir", str(tmp_path / "registry"))
    assert status == 0, err
    assert "CNPJ 2026-11 carregado" in out
    assert "3 empresas (2 ativas), 7 estabelecimentos, 2 decisores" in out
    assert "4 linhas ruins ignoradas" in out
    assert "partes 6/6" in err or "Socios0.zip" in err  # progress went to stderr
    return tmp_path / "registry"


def test_status_says_the_month_counts_and_disk(registry: Path, capsys: pytest.CaptureFixture[str]) -> None:
    status, out, _ = run(capsys, "registry", "status", "--dir", str(registry))
    assert status == 0
    assert "mês carregado: 2026-11" in out
    assert "3 empresas (2 ativas), 7 estabelecimentos, 2 decisores" in out
    assert "linhas ruins ignoradas: 4" in out
    assert "disco:" in out and "MB" in out
    assert "carga" not in out  # nothing running, nothing interrupted


def test_status_before_anything_is_loaded(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    status, out, _ = run(capsys, "registry", "status", "--dir", str(tmp_path / "none"))
    assert status == 0 and "nenhum mês carregado" in out
    status, _, err = run(capsys, "registry", "show", "11222333000181", "--dir", str(tmp_path / "none"))
    assert status == 1 and "nenhum mês do CNPJ carregado" in err and "registry load" in err


def test_show_in_portuguese(registry: Path, capsys: pytest.CaptureFixture[str]) -> None:
    status, out, _ = run(capsys, "registry", "show", "11.222.333/0001-81", "--dir", str(registry), "--lang", "pt")
    assert status == 0
    assert out.splitlines()[0] == "11.222.333/0001-81 AÇÚCAR E CIA COMÉRCIO LTDA"
    assert "Nome fantasia: AÇÚCAR & CIA" in out
    assert "Situação: ativa" in out
    assert "Início da atividade: 15/02/2010" in out
    assert "CNAE: 6201-5/01 Desenvolvimento de programas de computador sob encomenda" in out
    assert "Município: SAO PAULO / SP" in out
    assert "Filiais ativas: 2" in out
    assert "Porte: empresa de pequeno porte" in out
    assert "Simples: sim; MEI: não" in out
    assert "MARIA DA SILVA (49)" in out and "JOSÉ SÓCIO" not in out
    assert "da Receita (2026-11)" in out


def test_show_in_english(registry: Path, capsys: pytest.CaptureFixture[str]) -> None:
    status, out, _ = run(capsys, "registry", "show", "55666777000110", "--dir", str(registry), "--lang", "en")
    assert status == 0
    assert "Status: closed" in out
    assert "Size: micro company (ME)" in out
    assert "Simples: no; MEI: no" in out
    assert "from the Receita Federal (2026-11)" in out


def test_show_refuses_a_bad_cnpj_and_says_an_unknown_one(registry: Path, capsys: pytest.CaptureFixture[str]) -> None:
    status, out, err = run(capsys, "registry", "show", "1234", "--dir", str(registry))
    assert (status, out) == (2, "") and "CNPJ inválido: 1234" in err and "Traceback" not in err
    status, _, err = run(capsys, "registry", "show", "99.888.777/0001-66", "--dir", str(registry), "--lang", "en")
    assert status == 1 and "CNPJ 99.888.777/0001-66 is not in the 2026-11 registry" in err


def test_load_refuses_a_folder_without_a_month(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    source = acme_dump().write(tmp_path / "downloads")
    status, _, err = run(capsys, "registry", "load", str(source), "--dir", str(tmp_path / "registry"))
    assert status == 1 and "--month AAAA-MM" in err and "Traceback" not in err


def test_an_interrupted_load_shows_in_status(registry: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (registry / ".building-2026-12").mkdir()
    _, out, _ = run(capsys, "registry", "status", "--dir", str(registry))
    assert "mês carregado: 2026-11" in out
    assert "carga de 2026-12 interrompida" in out


@pytest.fixture
def http_month(tmp_path: Path) -> Iterator[str]:
    acme_dump().write(tmp_path / "site" / "2026-11")
    handler = functools.partial(SimpleHTTPRequestHandler, directory=str(tmp_path / "site"))
    handler.log_message = lambda *a, **k: None  # type: ignore[attr-defined]
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/2026-11/"
    server.shutdown()
    server.server_close()


def test_a_month_folder_served_over_http(http_month: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    status, out, err = run(capsys, "registry", "load", http_month, "--dir", str(tmp_path / "registry"))
    assert status == 0, err
    assert "CNPJ 2026-11 carregado" in out
    found = ParquetRegistry(tmp_path / "registry").lookup("11222333000181")
    assert found is not None and found.active_branches == 2 and found.simples is True


def test_the_command_line_starts_without_duckdb() -> None:
    code = "import sys; from bot.cli.main import build_parser; build_parser(); print('duckdb' in sys.modules)"
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert result.stdout.strip() == "False"


def test_a_running_load_shows_in_status_and_a_second_one_is_refused(
    registry: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from bot.registry.loader import load_lock

    with load_lock(registry):
        _, out, _ = run(capsys, "registry", "status", "--dir", str(registry))
        assert "mês carregado: 2026-11" in out and "carga em andamento" in out
        status, _, err = run(capsys, "registry", "load", str(tmp_path / "2026-11"), "--dir", str(registry))
        assert status == 1 and "outra carga já está rodando" in err
    _, out, _ = run(capsys, "registry", "status", "--dir", str(registry))
    assert "carga em andamento" not in out
