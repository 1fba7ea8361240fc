"""What a cold start imports and builds, checked in fresh interpreters: the X-Ray SDK only
where tracing is on, and then patching botocore alone; Powertools idempotency only once a
clientToken needs it; SnapStart's hooks keep credentials and clients out of the snapshot.
(What these save is measured by `make bench`, bench/report.md; never asserted here.)"""

import json
import os
import random
import subprocess
import sys
import types
from collections.abc import Callable
from typing import Any

import pytest

from harness.serve_process import PROJECT_ROOT
from resolvers import snapstart
from resolvers.definitions import resources
from resolvers.domain.states import Estado

LAMBDA_VARIABLES = ("LAMBDA_TASK_ROOT", "POWERTOOLS_TRACE_DISABLED", "AWS_SAM_LOCAL")


def _fresh(code: str, **variables: str) -> Any:
    """Run `code` in a fresh interpreter with the Lambda's settings; its printed JSON."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(LAMBDA_VARIABLES)}
    env.update(
        {
            "AWS_DEFAULT_REGION": "eu-west-1",
            "AWS_ACCESS_KEY_ID": "testing",
            "AWS_SECRET_ACCESS_KEY": "testing",
            **{resources.env_queue_url(e): f"https://sqs.invalid/{e.value}" for e in Estado},
            **variables,
        }
    )
    done = subprocess.run(  # noqa: S603  # this interpreter, fixed code
        [sys.executable, "-c", code],
        cwd=PROJECT_ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    return json.loads(done.stdout.strip().splitlines()[-1])


LOADED = """
import json, sys
import resolvers.handler
from resolvers import observability
print(json.dumps({
    "tracer": observability.tracer is not None,
    "xray": "aws_xray_sdk" in sys.modules,
    "idempotency": "aws_lambda_powertools.utilities.idempotency" in sys.modules,
    "patched": sorted(
        getattr(sys.modules.get("aws_xray_sdk.core.patcher"), "_PATCHED_MODULES", [])
    ),
}))
"""


def test_tracing_off_imports_no_xray_sdk_and_no_idempotency() -> None:
    # given the emulator's and the tests' setting, when the handler is imported
    loaded = _fresh(LOADED, POWERTOOLS_TRACE_DISABLED="true")
    # then neither the X-Ray SDK nor Powertools idempotency was imported
    assert loaded == {"tracer": False, "xray": False, "idempotency": False, "patched": []}


def test_outside_lambda_tracing_is_off_as_powertools_decides() -> None:
    # Powertools disables tracing without LAMBDA_TASK_ROOT; so does the handler
    assert _fresh(LOADED)["xray"] is False


def test_tracing_on_in_lambda_patches_botocore_only() -> None:
    # given the Lambda runtime's LAMBDA_TASK_ROOT and tracing not disabled (the cloud)
    loaded = _fresh(LOADED, LAMBDA_TASK_ROOT=str(PROJECT_ROOT))
    # then the Tracer exists and X-Ray patched the AWS SDK and nothing else
    assert loaded["tracer"] is True
    assert loaded["patched"] == ["botocore"]
    assert loaded["idempotency"] is False


def test_idempotency_is_imported_when_a_client_token_first_needs_it() -> None:
    loaded = _fresh(
        """
import json, sys
from resolvers import bootstrap
application = bootstrap.from_environment()
before = "aws_lambda_powertools.utilities.idempotency" in sys.modules
application.idempotent_creation.prepare()
after = "aws_lambda_powertools.utilities.idempotency" in sys.modules
print(json.dumps([before, after]))
""",
        POWERTOOLS_TRACE_DISABLED="true",
    )
    assert loaded == [False, True]


def test_clients_built_after_a_restore_sign_with_the_restored_credentials() -> None:
    # given the hook run before the snapshot, with the credentials of that moment
    signed_with = _fresh(
        """
import json, os
from resolvers import snapstart
from resolvers.adapters import aws_clients
snapstart.before_snapshot()
# when the copy is restored with other credentials and builds its clients
os.environ["AWS_ACCESS_KEY_ID"] = "after-restore"
snapstart.after_restore()
client = aws_clients.dynamodb_client()
print(json.dumps(client._request_signer._credentials.access_key))
""",
        POWERTOOLS_TRACE_DISABLED="true",
    )
    # then nothing resolved credentials before the snapshot: the client uses the new ones
    assert signed_with == "after-restore"


def test_after_restore_reseeds_the_random_generator() -> None:
    # given two restored copies of one snapshot (the same generator state)
    random.seed(12345)
    state = random.getstate()
    drawn = []
    for _ in range(2):
        random.setstate(state)
        # when each runs the after-restore hook
        snapstart.after_restore()
        drawn.append(random.random())
    # then they draw different numbers
    assert drawn[0] != drawn[1]


def test_hooks_are_registered_with_the_lambda_runtime_library(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # given the Lambda Python runtime's snapshot_restore_py (a stand-in with its two calls)
    registered: dict[str, Callable[[], None]] = {}
    library = types.ModuleType("snapshot_restore_py")
    library.register_before_snapshot = lambda hook: registered.setdefault("before", hook)  # type: ignore[attr-defined]
    library.register_after_restore = lambda hook: registered.setdefault("after", hook)  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, "snapshot_restore_py", library)
    # when / then
    assert snapstart.register() is True
    assert registered == {"before": snapstart.before_snapshot, "after": snapstart.after_restore}


def test_without_the_runtime_library_nothing_is_registered(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setitem(sys.modules, "snapshot_restore_py", None)  # import fails
    assert snapstart.register() is False
