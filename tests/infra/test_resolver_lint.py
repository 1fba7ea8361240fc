"""The APPSYNC_JS code as uploaded (one file per resolver, with its EVICTIONS declaration)
passes AppSync's own ESLint rules: synthesis and cfn-lint take any JavaScript, AppSync
rejects what its runtime does not support only at deploy or run time."""

import json
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest

from infra.resolver_code import resolver_code
from resolvers.definitions.fields import RESOLVER_FIELDS

pytestmark = [
    pytest.mark.infra,
    pytest.mark.skipif(shutil.which("node") is None, reason="needs Node.js"),
]

ROOT = Path(__file__).resolve().parents[2]
ESLINT = ROOT / "node_modules" / ".bin" / "eslint"
CONFIG = ROOT / "infra" / "appsync" / "eslint.config.mjs"

# What APPSYNC_JS rejects, one construct per rule, including the type-aware ones.
UNSUPPORTED = """
import { util } from '@aws-appsync/utils';
function apply(fn, value) { return fn(value); }
export function request(ctx) {
  let total = 0;
  for (let i = 0; i < 3; i++) { total += i; }
  try { total = 1; } catch (e) { total = 2; }
  return { total, has: 'id' in ctx.args, same: apply((v) => v, total) };
}
export function response(ctx) { return ctx.result; }
"""


def _lint(folder: Path) -> dict[str, list[str]]:
    """Rule ids reported per file name of `folder`."""
    if not ESLINT.exists():
        pytest.fail("ESLint is not installed: run `npm ci` (make install does)")
    completed = subprocess.run(  # noqa: S603 - fixed argv, our own files
        [str(ESLINT), "--config", str(CONFIG), "--format", "json", "."],
        cwd=folder,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    # 0: clean, 1: findings; anything else is ESLint failing to run.
    assert completed.returncode in (0, 1), completed.stderr
    results: list[dict[str, Any]] = json.loads(completed.stdout)
    return {
        Path(result["filePath"]).name: [str(m.get("ruleId")) for m in result["messages"]]
        for result in results
    }


def test_uploaded_resolver_code_passes_appsync_lint_rules(tmp_path: Path) -> None:
    # given the code of every resolver, as the stack uploads it
    for field in RESOLVER_FIELDS:
        (tmp_path / f"{field.path}.js").write_text(resolver_code(field), encoding="utf-8")
    # when / then
    assert _lint(tmp_path) == {f"{field.path}.js": [] for field in RESOLVER_FIELDS}


def test_the_lint_rejects_what_appsync_js_does_not_support(tmp_path: Path) -> None:
    # given code that APPSYNC_JS would refuse
    (tmp_path / "unsupported.js").write_text(UNSUPPORTED, encoding="utf-8")
    # when
    findings = set(_lint(tmp_path)["unsupported.js"])
    # then the syntactic and the type-aware rules both run
    assert {
        "@aws-appsync/no-for",
        "@aws-appsync/no-disallowed-unary-operators",
        "@aws-appsync/no-try",
        "@aws-appsync/no-in-operator",
        "@aws-appsync/no-function-passing",
    } <= findings
