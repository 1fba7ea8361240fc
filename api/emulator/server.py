"""`orders serve`: start (or reach) local AWS, provision it, give the Lambda its environment,
then serve the API until Ctrl-C or SIGTERM."""

import logging
import os
import signal
import socket
import sys
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

import uvicorn
from moto.server import ThreadedMotoServer

from api.emulator.graphql_app import API_KEY_HEADER, build_app
from api.emulator.lambda_function import LambdaFunction, load_handler
from api.emulator.local_aws import LocalAws, url_host
from api.emulator.provisioning import Provisioned, provision
from api.emulator.resolver_cache import ResolverCache
from api.emulator.runtime import LocalAppSync
from resolvers.contract import resources
from resolvers.contract.function import lambda_environment
from resolvers.contract.resources import ResourceNames
from resolvers.domain.states import Estado


@dataclass(frozen=True)
class ServeOptions:
    host: str
    port: int
    aws_port: int
    endpoint_url: str | None
    api_key: str
    cache_ttl: int


def local_lambda_environment(
    aws: LocalAws, provisioned: Provisioned, cache_ttl: int
) -> dict[str, str]:
    """The variables the CDK stack gives the Lambda, pointed at local AWS."""
    names = provisioned.names
    return {
        **lambda_environment(
            stage=names.stage,
            orders_table=names.orders_table,
            idempotency_table=names.idempotency_table,
            queue_urls=provisioned.queue_urls,
            cache_ttl_seconds=cache_ttl,
        ),
        **aws.environment(),
        # No X-Ray daemon and no CloudWatch locally; the EMF lines would only be noise.
        "POWERTOOLS_TRACE_DISABLED": "true",
        "POWERTOOLS_METRICS_DISABLED": "true",
        "POWERTOOLS_LOG_LEVEL": os.environ.get("POWERTOOLS_LOG_LEVEL", "WARNING"),
    }


def describe(options: ServeOptions, aws: LocalAws, provisioned: Provisioned) -> dict[str, Any]:
    names = provisioned.names
    return {
        "graphql": f"http://{url_host(options.host)}:{options.port}/graphql",
        "aws_endpoint": aws.endpoint_url,
        "orders_table": names.orders_table,
        "state_index": resources.STATE_INDEX_NAME,
        "idempotency_table": names.idempotency_table,
        "queues": {e.value: names.queue(e) for e in Estado},
        "dead_letter_queues": {e.value: names.dead_letter_queue(e) for e in Estado},
        "cache_ttl_seconds": options.cache_ttl,
    }


def serve(options: ServeOptions) -> int:
    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(name)s: %(message)s")
    # moto logs every AWS call and strawberry every GraphQL error it returns (the errors
    # clients are meant to get): the console keeps the emulator's own lines.
    for chatty in ("werkzeug", "botocore"):
        logging.getLogger(chatty).setLevel(logging.WARNING)
    logging.getLogger("strawberry.execution").setLevel(logging.CRITICAL)

    # uvicorn shuts down gracefully on SIGINT/SIGTERM, then raises the signal again with
    # the previous handler in place: this one, so the process ends with a clean exit and
    # the `finally` below stops moto. A signal during provisioning ends it the same way.
    for stop_signal in (signal.SIGINT, signal.SIGTERM):
        signal.signal(stop_signal, _stop)
    aws = LocalAws.choose(options.host, options.aws_port, options.endpoint_url)
    busy = _busy_ports(options, embedded_aws=aws.embedded)
    if busy:
        print("\n".join(busy), file=sys.stderr)
        return 1
    moto = ThreadedMotoServer(ip_address=options.host, port=options.aws_port, verbose=False)
    if aws.embedded:
        moto.start()
    try:
        provisioned = provision(aws.dynamodb(), aws.sqs(), ResourceNames(resources.LOCAL_STAGE))
        os.environ.pop("AWS_PROFILE", None)
        os.environ.update(local_lambda_environment(aws, provisioned, options.cache_ttl))
        runtime = LocalAppSync(LambdaFunction(load_handler()), ResolverCache(options.cache_ttl))
        details = describe(options, aws, provisioned)
        app = build_app(runtime, options.api_key, lambda: details)
        _print_banner(options, details)
        # uvicorn turns SIGINT and SIGTERM into a graceful shutdown and returns.
        uvicorn.run(app, host=options.host, port=options.port, log_level="warning", lifespan="off")
    finally:
        if aws.embedded:
            moto.stop()
    return 0


def _busy_ports(options: ServeOptions, *, embedded_aws: bool) -> list[str]:
    """Say so before starting anything: moto, once started on a taken port, would only
    print a traceback from its thread while the process hangs."""
    wanted = [(options.port, "--port / ORDERS_PORT")]
    if embedded_aws:
        wanted.append(
            (options.aws_port, "--aws-port / ORDERS_AWS_PORT, or --endpoint-url to use it")
        )
    busy = []
    for port, option in wanted:
        with socket.socket(socket.AF_INET6 if ":" in options.host else socket.AF_INET) as probe:
            try:
                probe.bind((options.host, port))
            except OSError as error:
                busy.append(
                    f"{options.host}:{port} cannot be used ({error.strerror}); "
                    f"another program may be listening there: choose another with {option}"
                )
    return busy


def _stop(signum: int, _: object) -> None:
    raise SystemExit(0)


def _print_banner(options: ServeOptions, details: dict[str, Any]) -> None:
    graphql = details["graphql"]
    headers = quote(f'{{"{API_KEY_HEADER}": "{options.api_key}"}}')
    lines = [
        "Orders API (local AppSync emulator)",
        f"  GraphQL        {graphql}",
        f"  GraphiQL       {graphql}?headers={headers}",
        f"  API key        {options.api_key}   (header {API_KEY_HEADER})",
        f"  AWS endpoint   {details['aws_endpoint']}",
        f"  orders table   {details['orders_table']} (index {details['state_index']})",
        f"  idempotency    {details['idempotency_table']}",
        *(f"  queue          {q}" for q in details["queues"].values()),
        *(f"  dead letters   {q}" for q in details["dead_letter_queues"].values()),
        f"  cache TTL      {options.cache_ttl} s" + (" (off)" if options.cache_ttl == 0 else ""),
        "Ctrl-C stops it.",
    ]
    print("\n".join(lines), flush=True)
