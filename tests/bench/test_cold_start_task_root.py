"""The cold-start bench measures a copy of resolvers/ in a task root of its own: its
children import that copy, with the bytecode the bench compiled there, and the project's
resolvers/ is never written (a test run importing it at the same time would race with
the bench's compiling)."""

import importlib.util
import os
from pathlib import Path

import pytest

from bench.cold_start import RESOLVERS_DIR, _child, task_root, with_shipped_bytecode

CHECKED_HASH_FLAGS = 0b11  # PEP 552: hash-based, checked


def _project_bytecode() -> dict[Path, int]:
    return {pyc: pyc.stat().st_mtime_ns for pyc in RESOLVERS_DIR.rglob("*.pyc")}


def test_every_module_of_the_copy_gets_checked_hash_bytecode_and_the_project_none() -> None:
    before = _project_bytecode()
    with task_root() as root:
        copy = root / RESOLVERS_DIR.name
        with_shipped_bytecode(root)
        sources = sorted(copy.rglob("*.py"))
        assert len(sources) == len(list(RESOLVERS_DIR.rglob("*.py")))
        for source in sources:
            header = Path(importlib.util.cache_from_source(str(source))).read_bytes()[:8]
            assert header[:4] == importlib.util.MAGIC_NUMBER, source
            assert int.from_bytes(header[4:8], "little") == CHECKED_HASH_FLAGS, source
    assert not root.exists()
    assert _project_bytecode() == before


def test_the_children_import_the_copy_not_the_project() -> None:
    environment = {name: value for name, value in os.environ.items() if name != "PYTHONPATH"}
    with task_root() as root:
        marker = "imported from the bench's task root"
        init = root / RESOLVERS_DIR.name / "__init__.py"
        init.write_text(init.read_text() + f"\nraise ImportError({marker!r})\n")
        with pytest.raises(RuntimeError, match=marker):
            _child("compile", environment, root)
        _child("compile", environment, RESOLVERS_DIR.parent)  # the project's own imports
