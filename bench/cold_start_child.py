"""One fresh interpreter playing a Lambda cold start: `python -m bench.cold_start_child MODE`.
Prints one line, REPORT_PREFIX and a JSON object, with the phases it timed in milliseconds.

Only the standard library is imported up front, so each mode pays for exactly what it
measures. The parent (bench.cold_start) gives the process the Lambda's environment.

Modes:
  handler    import the handler and serve one createOrder (what a Lambda cold start does)
  boto3      `import boto3`, a DynamoDB and an SQS client, the same PutItem + SendMessage
  snapstart  what runs before a snapshot (import, before-snapshot hooks), then, timed apart,
             what runs after a restore (after-restore hooks, the first createOrder)
  Levers: each times, in a fresh interpreter, the work one lever avoids or keeps:
  tracer-off      a Powertools Tracer where tracing is off (it still imports the X-Ray SDK)
  tracer-all      a Tracer with Powertools' default patching (every library X-Ray knows)
  tracer-botocore a Tracer patching botocore only (what the handler builds when tracing)
  idempotency     Powertools idempotency set up (skipped until a clientToken arrives)
  clients         the two clients built again once warm (what per-invocation clients cost)
  compile         compiling the resolvers package's sources (what the shipped bytecode saves)
"""

import json
import os
import sys
import time
import uuid
from typing import Any

STARTED = time.perf_counter()
REPORT_PREFIX = "cold-start-report "
EVENT_VARIABLE = "BENCH_CREATE_EVENT"


def _ms(since: float) -> float:
    return (time.perf_counter() - since) * 1000


def create_event() -> str:
    """The createOrder event a child serves, as JSON: built by the parent and handed over in
    EVENT_VARIABLE, as the runtime hands a Lambda its event, so that no child imports the
    harness that builds it."""
    from harness.appsync_events import appsync_event

    return json.dumps(
        appsync_event(
            "create_order",
            {"input": {"descripcion": f"cold start {uuid.uuid4()}", "fecha_entrega": "2099-12-31"}},
        )
    )


def _create_event() -> dict[str, Any]:
    event: dict[str, Any] = json.loads(os.environ[EVENT_VARIABLE])
    return event


def _serve_first_create(handler: Any) -> None:
    # The one Lambda context stand-in; imported after the handler, whose import is timed.
    from api.emulator.lambda_context import LambdaContext

    memory = int(os.environ.get("AWS_LAMBDA_FUNCTION_MEMORY_SIZE") or 0)
    context = LambdaContext(memory_limit_in_mb=memory) if memory else LambdaContext()
    answer = handler(_create_event(), context)
    if not isinstance(answer, dict) or "id" not in answer:
        raise RuntimeError(f"createOrder answered {answer}")


def handler() -> dict[str, float]:
    started = time.perf_counter()
    from resolvers.handler import lambda_handler

    imported = _ms(started)
    started = time.perf_counter()
    _serve_first_create(lambda_handler)
    return {"import_ms": imported, "first_call_ms": _ms(started)}


def _shard_number(order_id: str) -> int:
    import hashlib

    shards = int(os.environ.get("ORDERS_STATE_SHARDS") or "1")
    digest = hashlib.sha256(order_id.encode("utf-8", "surrogatepass")).digest()
    return int.from_bytes(digest[:8], "big") % shards


def bare_boto3() -> dict[str, float]:
    started = time.perf_counter()
    import boto3

    imported = _ms(started)
    started = time.perf_counter()
    dynamodb = boto3.client("dynamodb")
    sqs = boto3.client("sqs")
    clients = _ms(started)
    started = time.perf_counter()
    order_id = str(uuid.uuid4())
    item = {
        "id": {"S": order_id},
        "descripcion": {"S": "cold start"},
        "fecha_entrega": {"S": "2099-12-31"},
        "estado": {"S": "recibida"},
        "fecha_registro": {"S": "2030-01-01T12:00:00.000000Z"},
        "timestamp": {"N": "1893499200"},
        "version": {"N": "1"},
        # The state index key the handler writes with the state (resolvers.domain.partitions,
        # inlined: this mode imports nothing of the package).
        "estado_shard": {"S": f"recibida#{_shard_number(order_id)}"},
    }
    dynamodb.put_item(
        TableName=os.environ["ORDERS_TABLE"],
        Item=item,
        ConditionExpression="attribute_not_exists(#id)",
        ExpressionAttributeNames={"#id": "id"},
    )
    sqs.send_message(
        QueueUrl=os.environ["ORDERS_QUEUE_URL_RECIBIDA"],
        MessageBody=json.dumps({"id": order_id, "estado": "recibida"}),
        MessageGroupId="recibida",
        MessageDeduplicationId=f"{order_id}:recibida:1",
    )
    return {"import_ms": imported, "clients_ms": clients, "calls_ms": _ms(started)}


def snapstart() -> dict[str, float]:
    started = time.perf_counter()
    from resolvers import snapstart as hooks
    from resolvers.handler import lambda_handler

    hooks.before_snapshot()
    before = _ms(started)
    # The snapshot would be taken here; everything below runs in each restored copy.
    started = time.perf_counter()
    hooks.after_restore()
    _serve_first_create(lambda_handler)
    return {"before_snapshot_ms": before, "after_restore_ms": _ms(started)}


def _tracer(**options: Any) -> dict[str, float]:
    started = time.perf_counter()
    from aws_lambda_powertools import Tracer

    Tracer(service="orders", **options)
    return {"lever_ms": _ms(started)}


def tracer_all() -> dict[str, float]:
    return _tracer()


def tracer_botocore() -> dict[str, float]:
    from resolvers.observability import TRACED_LIBRARIES  # cheap, and timed apart below

    return _tracer(patch_modules=TRACED_LIBRARIES)


def idempotency() -> dict[str, float]:
    from resolvers import bootstrap

    application = bootstrap.from_environment()
    if application.idempotent_creation is None:
        raise RuntimeError("the application has no client tokens")
    started = time.perf_counter()
    application.idempotent_creation.prepare()
    return {"lever_ms": _ms(started)}


def clients() -> dict[str, float]:
    from resolvers.adapters import aws_clients

    aws_clients.dynamodb_client(), aws_clients.sqs_client()
    started = time.perf_counter()
    aws_clients.dynamodb_client(), aws_clients.sqs_client()
    return {"lever_ms": _ms(started)}


def compile_sources() -> dict[str, float]:
    from pathlib import Path

    import resolvers

    package = Path(resolvers.__file__).parent
    started = time.perf_counter()
    for source in sorted(package.rglob("*.py")):
        compile(source.read_bytes(), str(source), "exec")
    return {"lever_ms": _ms(started)}


MODES = {
    "handler": handler,
    "boto3": bare_boto3,
    "snapstart": snapstart,
    "tracer-off": tracer_all,  # run with tracing disabled: what the handler no longer builds
    "tracer-all": tracer_all,
    "tracer-botocore": tracer_botocore,
    "idempotency": idempotency,
    "clients": clients,
    "compile": compile_sources,
}


def main() -> int:
    mode = sys.argv[1]
    report = MODES[mode]()
    report["in_process_ms"] = _ms(STARTED)
    print(REPORT_PREFIX + json.dumps(report), flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
