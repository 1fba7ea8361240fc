"""MkDocs hook: the pages link the repository's own files with relative paths
(`../bench/report.md`), which GitHub follows. On the site, each file outside `docs/` that a
page links (and, for a Markdown file, what it links in turn) is published under
`repository/<its path>`, and the link rewritten to it. A link to a file that does not exist is
a warning, so `mkdocs build --strict` fails on it."""

import logging
import posixpath
import re
from pathlib import Path
from typing import Any

from mkdocs.config.defaults import MkDocsConfig
from mkdocs.structure.files import File, Files
from mkdocs.structure.pages import Page

log = logging.getLogger("mkdocs.plugins.repository_links")

PUBLISHED_UNDER = "repository"
# A Markdown link or image target, up to a title, a fragment or the closing parenthesis.
_LINK = re.compile(r"(\]\()([^)\s#]+)((?:#[^)\s]*)?(?:\s[^)]*)?\))")
_FENCE = re.compile(r"^(```|~~~).*?^\1[^\n]*$", re.MULTILINE | re.DOTALL)
_EXTERNAL = re.compile(r"^[a-z][a-z0-9+.-]*:|^/")


def _prose(markdown: str) -> list[tuple[bool, str]]:
    """The text cut into (is prose, piece): links inside fenced code are left alone."""
    pieces, start = [], 0
    for fence in _FENCE.finditer(markdown):
        pieces += [(True, markdown[start : fence.start()]), (False, fence.group(0))]
        start = fence.end()
    return [*pieces, (True, markdown[start:])]


def _targets(markdown: str) -> list[str]:
    return [
        match.group(2)
        for is_prose, piece in _prose(markdown)
        if is_prose
        for match in _LINK.finditer(piece)
        if not _EXTERNAL.match(match.group(2))
    ]


def _root(config: MkDocsConfig) -> Path:
    return Path(config.config_file_path).resolve().parent


def on_files(files: Files, config: MkDocsConfig) -> Files:
    root, docs = _root(config), Path(config.docs_dir).resolve()
    pending = [Path(f.abs_src_path) for f in files.documentation_pages() if f.abs_src_path]
    published: set[Path] = set()
    while pending:
        source = pending.pop()
        for target in _targets(source.read_text(encoding="utf-8")):
            linked = (source.parent / target).resolve()
            if linked.is_relative_to(docs) or not linked.is_file():
                continue  # MkDocs checks links inside docs/; a missing file is reported below
            if not linked.is_relative_to(root) or linked in published:
                continue
            published.add(linked)
            uri = f"{PUBLISHED_UNDER}/{linked.relative_to(root).as_posix()}"
            files.append(File.generated(config, uri, abs_src_path=str(linked)))
            if linked.suffix == ".md":
                pending.append(linked)
    return files


def on_page_markdown(markdown: str, page: Page, config: MkDocsConfig, **_: Any) -> str:
    root = _root(config)
    source = Path(page.file.abs_src_path or "")
    here = posixpath.dirname(page.file.src_uri)

    def rewrite(match: re.Match[str]) -> str:
        target = match.group(2)
        if _EXTERNAL.match(target):
            return match.group(0)
        linked = (source.parent / target).resolve()
        if not linked.exists():
            log.warning("%s links %s, which does not exist", page.file.src_uri, target)
            return match.group(0)
        docs = Path(config.docs_dir).resolve()
        if linked.is_relative_to(docs):
            uri = linked.relative_to(docs).as_posix()
        elif linked.is_file() and linked.is_relative_to(root):
            uri = f"{PUBLISHED_UNDER}/{linked.relative_to(root).as_posix()}"
        else:
            log.warning("%s links %s: link a file of the repository", page.file.src_uri, target)
            return match.group(0)
        return f"{match.group(1)}{posixpath.relpath(uri, here or '.')}{match.group(3)}"

    return "".join(
        _LINK.sub(rewrite, piece) if is_prose else piece for is_prose, piece in _prose(markdown)
    )
