"""`orders serve`: claim the data directory, start (or reach) local AWS with the state kept
there, provision it, give the Lambda its environment, then serve the API until Ctrl-C or
SIGTERM."""

import ipaddress
import logging
import os
import secrets
import signal
import socket
import sys
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import quote

import uvicorn
from botocore.exceptions import BotoCoreError, ClientError

from api.emulator import running_servers, tls_or_hint
from api.emulator.aws_process import EmbeddedAwsProcess
from api.emulator.callers import API_KEY_HEADER, Authenticator
from api.emulator.data_dir import DataDirectory, DataDirError
from api.emulator.graphql_app import build_app
from api.emulator.lambda_function import LambdaContainers
from api.emulator.local_aws import LocalAws, url_host
from api.emulator.provisioning import Provisioned, TableMismatch, provision
from api.emulator.resolver_cache import ResolverCache
from api.emulator.runtime import LocalAppSync
from api.emulator.sigv4 import LocalIamIdentity, local_iam_identity
from api.emulator.tls import TlsFiles, ensure_certificates
from api.emulator.user_pool import LocalUserPool, provision_user_pool
from api.emulator.user_pool_tokens import UserPoolTokens
from resolvers.definitions import resources, scale
from resolvers.definitions.function import lambda_environment
from resolvers.definitions.resources import ResourceNames
from resolvers.domain.states import Estado


@dataclass(frozen=True)
class ServeOptions:
    host: str
    port: int
    aws_port: int
    endpoint_url: str | None
    # None: the key kept in the data directory (a fresh random one when ephemeral).
    api_key: str | None
    cache_ttl: int
    # None: everything in memory (--ephemeral).
    data_dir: Path | None
    tls: bool
    keepalive_seconds: float
    state_shards: int = scale.DEFAULT_STATE_SHARDS
    queue_groups: int = scale.DEFAULT_QUEUE_GROUPS
    # The local user pool requires software-token (TOTP) MFA, as prod's does.
    mfa: bool = False


def local_lambda_environment(
    aws: LocalAws,
    provisioned: Provisioned,
    cache_ttl: int,
    *,
    queue_groups: int = scale.DEFAULT_QUEUE_GROUPS,
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
            state_shards=provisioned.state_shards,
            queue_groups=queue_groups,
        ),
        **aws.environment(),
        **local_powertools_environment(),
    }


def local_powertools_environment() -> dict[str, str]:
    """What Powertools reads when the handler is imported."""
    return {
        # No X-Ray daemon and no CloudWatch locally; the EMF lines would only be noise.
        "POWERTOOLS_TRACE_DISABLED": "true",
        "POWERTOOLS_METRICS_DISABLED": "true",
        "POWERTOOLS_LOG_LEVEL": os.environ.get("POWERTOOLS_LOG_LEVEL", "WARNING"),
    }


def describe(
    options: ServeOptions,
    aws: LocalAws,
    provisioned: Provisioned,
    tls: TlsFiles | None = None,
    *,
    user_pool: LocalUserPool | None = None,
    iam: LocalIamIdentity | None = None,
) -> dict[str, Any]:
    names = provisioned.names
    http, ws = ("https", "wss") if tls else ("http", "ws")
    origin = f"{url_host(options.host)}:{options.port}"
    return {
        "graphql": f"{http}://{origin}/graphql",
        "realtime": f"{ws}://{origin}/graphql/realtime",
        "board": f"{http}://{origin}/",
        "ca_cert": str(tls.ca_cert.resolve()) if tls else None,
        "aws_endpoint": aws.endpoint_url,
        "data_dir": str(options.data_dir.resolve()) if options.data_dir else None,
        "orders_table": names.orders_table,
        "state_index": resources.STATE_INDEX_NAME,
        "idempotency_table": names.idempotency_table,
        "queues": {e.value: names.queue(e) for e in Estado},
        "dead_letter_queues": {e.value: names.dead_letter_queue(e) for e in Estado},
        "cache_ttl_seconds": options.cache_ttl,
        "state_shards": provisioned.state_shards,
        "queue_groups": options.queue_groups,
        # How to call as a Cognito user and as IAM (docs/identity.md).
        "cognito": user_pool.describe() if user_pool else None,
        "iam": iam.describe() if iam else None,
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
    data = DataDirectory(options.data_dir) if options.data_dir else None
    try:
        with _claimed(data):
            busy = _busy_ports(options, embedded_aws=aws.embedded)
            if busy:
                print("\n".join(busy), file=sys.stderr)
                return 1
            containers = LambdaContainers()
            try:
                with _local_aws(options, aws, data, containers):
                    _serve_api(options, aws, data, containers)
            finally:
                containers.stop()
    except (DataDirError, TableMismatch) as error:
        print(f"orders serve: {error}", file=sys.stderr)
        return 1
    return 0


def _serve_api(
    options: ServeOptions, aws: LocalAws, data: DataDirectory | None, containers: LambdaContainers
) -> None:
    api_key = options.api_key or (data.api_key() if data else secrets.token_urlsafe(24))
    # TableMismatch: a kept table made for another shard count is refused, not served.
    provisioned = provision(
        aws.dynamodb(),
        aws.sqs(),
        ResourceNames(resources.LOCAL_STAGE),
        state_shards=options.state_shards,
    )
    os.environ.pop("AWS_PROFILE", None)
    os.environ.update(
        local_lambda_environment(
            aws, provisioned, options.cache_ttl, queue_groups=options.queue_groups
        )
    )
    containers.start(os.environ)
    _serve_runtime(options, aws, data, provisioned, api_key, containers)


def _serve_runtime(
    options: ServeOptions,
    aws: LocalAws,
    data: DataDirectory | None,
    provisioned: Provisioned,
    api_key: str,
    containers: LambdaContainers,
) -> None:
    user_pool = _user_pool(aws, mfa=options.mfa)
    runtime = LocalAppSync(containers, ResolverCache(options.cache_ttl))
    with _certificates(options) as tls, _iam_identity(options, aws) as iam:
        details = describe(options, aws, provisioned, tls, user_pool=user_pool, iam=iam)
        tokens = UserPoolTokens(user_pool, aws.cognito()) if user_pool else None
        app = build_app(
            runtime,
            api_key,
            lambda: details,
            share_key=_is_loopback(options.host),
            keepalive_seconds=options.keepalive_seconds,
            callers=Authenticator(api_key, tokens, iam),
        )
        # How `orders queues` and `orders repair` find this server: by its data directory,
        # or among the running servers (api/emulator/running_servers.py).
        found = {"pid": os.getpid(), "embedded_aws": aws.embedded, "aws_region": aws.region}
        found |= {"port": options.port, **details}
        if data:
            data.write_server_file(found)
        _print_banner(api_key, details, shown=options.api_key is None)
        with running_servers.registered(found):
            # uvicorn turns SIGINT and SIGTERM into a graceful shutdown and returns.
            # In TLS mode, a plain HTTP request gets a one-line hint (api/emulator/tls_or_hint.py).
            uvicorn.run(
                app,
                host=options.host,
                port=options.port,
                log_level="warning",
                lifespan="off",
                http=tls_or_hint.protocol(tls.cert, tls.key, details["graphql"]) if tls else "auto",
                # The hint peeks at each connection's first byte, which uvloop's transports
                # do not allow; TLS mode runs on asyncio's own loop.
                loop="asyncio" if tls else "auto",
            )


def _user_pool(aws: LocalAws, *, mfa: bool) -> LocalUserPool | None:
    """The local user pool, or None where the AWS endpoint has no Cognito (an external one,
    such as DynamoDB Local): the API key and IAM still work there."""
    # The embedded AWS process checks TOTP codes and asks for MFA set-up itself
    # (api/emulator/aws_process.py).
    try:
        return provision_user_pool(aws.cognito(), aws.endpoint_url, aws.region, mfa=mfa)
    except (BotoCoreError, ClientError) as error:
        if aws.embedded:
            raise
        logging.getLogger(__name__).warning(
            "no Cognito at %s (%s): user pool sign-in is off", aws.endpoint_url, error
        )
        return None


@contextmanager
def _iam_identity(options: ServeOptions, aws: LocalAws) -> Iterator[LocalIamIdentity]:
    """The local IAM identity, its credentials file kept in the data directory (with
    --ephemeral, in a temporary directory removed at exit)."""
    if options.data_dir:
        yield local_iam_identity(options.data_dir, aws.region)
    else:
        with tempfile.TemporaryDirectory(prefix="orders-iam-") as kept:
            yield local_iam_identity(Path(kept), aws.region)


@contextmanager
def _certificates(options: ServeOptions) -> Iterator[TlsFiles | None]:
    """TLS mode's files: the CA kept in the data directory's `tls/`, or, with --ephemeral, in
    a temporary directory removed at exit."""
    if not options.tls:
        yield None
    elif options.data_dir:
        yield ensure_certificates(options.data_dir / "tls")
    else:
        with tempfile.TemporaryDirectory(prefix="orders-tls-") as kept:
            yield ensure_certificates(Path(kept))


@contextmanager
def _claimed(data: DataDirectory | None) -> Iterator[None]:
    if data is None:
        yield
        return
    data.claim()
    try:
        yield
    finally:
        data.release()


@contextmanager
def _local_aws(
    options: ServeOptions, aws: LocalAws, data: DataDirectory | None, containers: LambdaContainers
) -> Iterator[None]:
    """The embedded moto server (its own process), its state restored from and kept in
    `data`; nothing for an external endpoint, whose data is that endpoint's business. The
    Lambda's containers get ready meanwhile."""
    if not aws.embedded:
        containers.prepare(local_powertools_environment())
        yield
        return
    server = EmbeddedAwsProcess(options.host, options.aws_port, data.aws_state if data else None)
    server.launch()
    # The Lambda's fork server imports the handler while moto boots in its own process.
    containers.prepare(local_powertools_environment())
    server.wait_ready()
    try:
        yield
    finally:
        server.stop()


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
            # As the servers themselves bind: connections of a previous run lingering in
            # TIME_WAIT do not make the port busy, a listener does.
            probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
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


def _print_banner(api_key: str, details: dict[str, Any], *, shown: bool) -> None:
    graphql = details["graphql"]
    # Only a key the emulator made up (or keeps in its data directory) is printed: the
    # developer has no other way to learn it. A key someone gave is a secret: never printed.
    if shown:
        headers = quote(f'{{"{API_KEY_HEADER}": "{api_key}"}}')
        explorer, key = f"{graphql}?headers={headers}", api_key
    else:
        explorer, key = graphql, "the one given (--api-key / ORDERS_API_KEY), not shown"
    kept = details["data_dir"]
    trust = [f"  CA to trust    {details['ca_cert']}"] if details["ca_cert"] else []
    lines = [
        "Orders API (local AppSync emulator)",
        f"  board          {details['board']}",
        f"  GraphQL        {graphql}",
        f"  explorer       {explorer}",
        f"  real-time      {details['realtime']}",
        *trust,
        f"  API key        {key}   (header {API_KEY_HEADER})",
        *_identity_lines(details),
        f"  data           {kept}" if kept else "  data           in memory only (--ephemeral)",
        f"  AWS endpoint   {details['aws_endpoint']}",
        f"  orders table   {details['orders_table']} (index {details['state_index']}, "
        f"{details['state_shards']} shard(s))",
        f"  idempotency    {details['idempotency_table']}",
        *(f"  queue          {q}" for q in details["queues"].values()),
        f"  message groups {details['queue_groups']} per queue",
        *(f"  dead letters   {q}" for q in details["dead_letter_queues"].values()),
        f"  cache TTL      {details['cache_ttl_seconds']} s"
        + (" (off)" if details["cache_ttl_seconds"] == 0 else ""),
        "Ctrl-C stops it.",
    ]
    print("\n".join(lines), flush=True)


def _identity_lines(details: dict[str, Any]) -> list[str]:
    lines = []
    if details["cognito"]:
        pool = details["cognito"]
        lines.append(
            f"  user pool      {pool['userPoolId']} (client {pool['userPoolClientId']}; "
            "orders users add EMAIL --password ...)"
        )
    if details["iam"]:
        iam = details["iam"]
        lines.append(f"  IAM            profile {iam['profile']} in {iam['credentialsFile']}")
    return lines


def _is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False
