"""What `make synth` and `make deploy` run, checked here rather than by synthesizing again:
cfn-lint passes the templates the other infra tests read, the CDK command line accepts
their assembly, and it starts the app cdk.json names with the context `-c` gives.

The stacks are synthesized once, in this process (conftest.py). A `cdk synth` of each
stage would be the same jsii work again: about 16 CPU-seconds a stage
(docs/contributing.md)."""

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.infra.conftest import Synthesized

pytestmark = [
    pytest.mark.infra,
    pytest.mark.skipif(shutil.which("node") is None, reason="needs Node.js"),
]

ROOT = Path(__file__).resolve().parents[2]
CDK = ROOT / "node_modules" / ".bin" / "cdk"
# The interpreter's own: the venv's cfn-lint, as `make` runs it.
CFN_LINT = Path(sys.executable).parent / "cfn-lint"


def _template_file(synthesized: Synthesized) -> Path:
    return Path(synthesized.assembly.directory) / f"{synthesized.stack.artifact_id}.template.json"


def _run(argv: list[str]) -> subprocess.CompletedProcess[str]:
    # A test run sends no CLI telemetry (the opt-out the CDK guide names: cli-telemetry.html).
    env = {**os.environ, "CDK_DISABLE_CLI_TELEMETRY": "true"}
    return subprocess.run(  # noqa: S603 - fixed argv, our own tools and files
        argv, cwd=ROOT, env=env, capture_output=True, text=True, timeout=180, check=False
    )


def test_cfn_lint_passes_both_stages_and_catches_a_broken_template(
    dev: Synthesized, prod: Synthesized, tmp_path: Path
) -> None:
    # given both stages' templates, and a copy of dev's with a queue CloudFormation refuses
    # (retention above SQS's 14 days, in seconds)
    broken = json.loads(_template_file(dev).read_text())
    queue = next(r for r in broken["Resources"].values() if r["Type"] == "AWS::SQS::Queue")
    queue["Properties"]["MessageRetentionPeriod"] = 14 * 86_400 + 1
    broken_file = tmp_path / "broken.template.json"
    broken_file.write_text(json.dumps(broken, indent=1))
    # when cfn-lint reads them as `make` runs it (from the root: .cfnlintrc applies)
    linted = _run(
        [
            str(CFN_LINT),
            "--format",
            "parseable",
            *map(str, (_template_file(dev), _template_file(prod), broken_file)),
        ]
    )
    # then the one finding is the broken copy's retention (E3034: a value out of range)
    findings = [line for line in linted.stdout.splitlines() if line.strip()]
    assert findings, linted.stderr
    assert all(line.startswith(f"{broken_file}:") for line in findings), linted.stdout
    assert [line.split(":")[5:] for line in findings] == [
        ["E3034", "1209601 is greater than the maximum of 1209600"]
    ]


def test_the_command_line_accepts_the_assembly(dev: Synthesized) -> None:
    # when the CDK command line reads the synthesized assembly, as `make deploy` reads the
    # one it synthesized (`--app FOLDER`)
    read = _run([str(CDK), "synth", "--app", dev.assembly.directory, "--quiet"])
    # then it takes it: a command line older than the library's assembly version refuses
    assert read.returncode == 0, read.stderr[-3000:]


def test_the_command_line_passes_its_context_to_the_app(tmp_path: Path) -> None:
    # given cdk.json's app: the project's interpreter and infra/app.py
    app = json.loads((ROOT / "cdk.json").read_text())["app"]
    assert app == ".venv/bin/python -m infra.app", app
    # when `cdk synth` runs it with a stage that does not exist
    refused = _run([str(CDK), "synth", "--quiet", "-c", "stage=staging", "-o", str(tmp_path)])
    # then the app read it, and refused it in one line
    assert refused.returncode != 0
    assert re.search(r"synth refused: .*stage.*'staging'", refused.stderr), refused.stderr[-3000:]
    assert not list(tmp_path.glob("*.template.json"))
