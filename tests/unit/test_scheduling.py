"""How `make test` spreads files over its workers (tests/conftest.py): a file stays on one
worker, and the files that share a costly session fixture share a worker."""

from pathlib import Path

from tests import conftest

ROOT = Path(__file__).resolve().parents[2]


def test_every_file_using_the_tls_emulator_is_in_its_group() -> None:
    using = {
        str(path.relative_to(ROOT))
        for path in (ROOT / "tests").rglob("test_*.py")
        if path != Path(__file__).resolve()
        if "tls_emulator" in path.read_text(encoding="utf-8")
    }
    assert using == conftest._TLS_EMULATOR_FILES
    assert {conftest._group(f"{module}::test") for module in using} == {"tls_emulator"}


def test_a_files_tests_stay_together_and_infra_shares_one_worker() -> None:
    assert conftest._group("tests/e2e/test_load.py::test_a[1]") == "tests/e2e/test_load.py"
    assert conftest._group("tests/infra/test_api.py::test_b") == "infra"
    assert conftest._group("tests/infra/test_data.py::test_c[dev]") == "infra"
