"""The Makefile's commands are phony: `bench`, `docs`, `capacity` and `soak` are folders too,
and make skips a target whose file (here a folder) is newer than its prerequisites, so
`make docs` would skip the strict docs build after a page was edited."""

import re
import subprocess

from harness.serve_process import PROJECT_ROOT

MAKEFILE = PROJECT_ROOT / "Makefile"


def _documented_targets() -> list[str]:
    return re.findall(r"^([a-z-]+):.*## ", MAKEFILE.read_text(), flags=re.MULTILINE)


def _phony() -> set[str]:
    declared = re.search(r"^\.PHONY:((?:.*\\\n)*.*)$", MAKEFILE.read_text(), flags=re.MULTILINE)
    assert declared is not None
    return set(declared.group(1).replace("\\\n", " ").split())


def test_every_documented_target_is_phony() -> None:
    targets = _documented_targets()
    assert {"test", "serve", "bench", "docs"} <= set(targets)
    assert set(targets) <= _phony()


def test_a_target_named_like_a_folder_runs_even_when_the_folder_is_newer() -> None:
    # The folder bench/ made newer than the install stamps: without .PHONY make answers
    # "'bench' is up to date" and runs nothing (no -B here).
    (PROJECT_ROOT / "bench").touch()
    dry = subprocess.run(
        ["make", "-n", "--no-print-directory", "bench"],  # noqa: S607
        cwd=PROJECT_ROOT,
        capture_output=True,
        text=True,
        check=True,
    )
    assert "-m bench" in dry.stdout


def test_make_alone_lists_the_documented_targets() -> None:
    listed = subprocess.run(
        ["make", "--no-print-directory"],  # noqa: S607
        cwd=PROJECT_ROOT,
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    assert [line.split()[0] for line in listed.splitlines()] == _documented_targets()
