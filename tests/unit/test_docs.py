"""The docs keep their conventions (docs/contributing.md): every runnable block in README.md
and docs/ is run by the e2e suite or says why not, no example date expires, the README stays
a front door, and nothing cites a document the repository does not hold."""

import re
import subprocess
from datetime import date
from pathlib import Path

import pytest

from tests.doc_examples import PROJECT_ROOT, Example, MarkerError, documents, examples

README_MAX_LINES = 200
# A reference a reader of the repository cannot follow: a design document kept elsewhere, an
# issue tracker's number. Spelled in pieces so that this file does not match itself.
OUTSIDE_REFERENCE = re.compile("DESIGN" + r"\.md|\b[Ii]ssue" + r"s? #?\d+")
CHECKED_SUFFIXES = {".py", ".md", ".js", ".mjs", ".toml", ".yml", ".yaml", ".html", ".css"}
_DELIVERY_DATE = re.compile(r"fecha_entrega\W+(\d{4}-\d{2}-\d{2})")


def _all_examples() -> list[Example]:
    return [example for path in documents() for example in examples(path)]


@pytest.mark.parametrize("example", _all_examples(), ids=lambda e: e.where)
def test_each_runnable_block_is_marked_run_or_skipped_with_a_reason(example: Example) -> None:
    if example.kind is None:
        return  # json, text, diagrams: nothing to run
    assert example.marker is not None, (
        f"{example.where}: a {example.language} block needs `<!-- example -->` or "
        "`<!-- example: skip (reason) -->` on the line before its fence (docs/contributing.md)"
    )
    if example.skip_reason is None:
        assert example.options  # raises MarkerError on a marker the convention lacks


def test_an_unknown_marker_is_refused(tmp_path: Path) -> None:
    page = tmp_path / "page.md"
    page.write_text("<!-- example: sometimes -->\n```sh\ntrue\n```\n<!-- example: skip () -->\n")
    (example,) = examples(page)
    with pytest.raises(MarkerError):
        _ = example.options


def test_a_block_is_found_with_its_marker_also_inside_a_list(tmp_path: Path) -> None:
    page = tmp_path / "page.md"
    page.write_text("- item:\n\n  <!-- example: error -->\n  ```sh\n  curl x\n  ```\n")
    (example,) = examples(page)
    assert (example.code, example.options) == ("curl x\n", frozenset({"error", "plain"}))


@pytest.mark.parametrize("example", _all_examples(), ids=lambda e: e.where)
def test_no_example_date_expires(example: Example) -> None:
    for written in _DELIVERY_DATE.findall(example.code):
        # far enough ahead to never expire: 2099-12-31, or a date computed at run time
        assert date.fromisoformat(written).year >= 2099, f"{example.where}: {written} expires"


def test_the_readme_is_a_front_door() -> None:
    readme = (PROJECT_ROOT / "README.md").read_text(encoding="utf-8")
    assert len(readme.splitlines()) <= README_MAX_LINES


def _tracked_files() -> list[Path]:
    listed = subprocess.run(
        ["git", "ls-files", "--cached", "--others", "--exclude-standard"],  # noqa: S607
        cwd=PROJECT_ROOT,
        capture_output=True,
        text=True,
        check=True,
    ).stdout.splitlines()
    return [
        PROJECT_ROOT / name
        for name in listed
        if (Path(name).suffix in CHECKED_SUFFIXES or Path(name).name == "Makefile")
        and "/vendor/" not in name
        and (PROJECT_ROOT / name).is_file()
    ]


def test_nothing_cites_a_document_outside_the_repository() -> None:
    found = [
        f"{path.relative_to(PROJECT_ROOT)}:{number}: {line.strip()}"
        for path in _tracked_files()
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
        if OUTSIDE_REFERENCE.search(line)
    ]
    assert not found, "cite the repository's own page instead:\n" + "\n".join(found)


def test_the_check_sees_an_outside_reference() -> None:
    assert OUTSIDE_REFERENCE.search("as " + "DESIGN" + ".md asks")
    assert OUTSIDE_REFERENCE.search("(" + "issue" + " 9, point 3)")
    assert not OUTSIDE_REFERENCE.search("aws-appsync-community#209")


def test_the_docs_state_the_lambda_timeout_the_code_deploys() -> None:
    from resolvers.definitions.function import LAMBDA_TIMEOUT_SECONDS

    # "the Lambda's timeout (27 s" (docs/design.md), "X-Ray, 512 MB, 27 s" (docs/deploying.md)
    pattern = re.compile(r"Lambda's timeout \((\d+) s|X-Ray, \d+ MB, (\d+) s")
    stated = [
        int(in_prose or in_list)
        for path in documents()
        for in_prose, in_list in pattern.findall(path.read_text(encoding="utf-8"))
    ]
    assert len(stated) >= 2, "the docs no longer state the Lambda's timeout: update this test"
    assert set(stated) == {LAMBDA_TIMEOUT_SECONDS}, stated
