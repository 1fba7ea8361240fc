"""AppSync's IAM mode, played locally: a request signed with Signature Version 4 (service
`appsync`) by the emulator's one local IAM identity is accepted; any other is refused as
AppSync refuses it.

The signature is checked by computing it again with botocore's own signer (`SigV4Auth`) over
the request as received (its method, path, query, the headers it names as signed, its body and
its `X-Amz-Date`), so whatever botocore, the AWS SDKs or a client library sign, the emulator
signs the same way.

What AppSync answers, with the public record of each:
- a signature that does not match: HTTP 403, `x-amzn-ErrorType: InvalidSignatureException`
  (aws-amplify/amplify-js#2422), "The request signature we calculated does not match the
  signature you provided. …" followed by the canonical string and the string to sign it
  expected (awslabs/aws-mobile-appsync-sdk-js#750);
- a date more than five minutes off: `InvalidSignatureException`, "Signature expired: <date>
  is now earlier than <earliest> (<now> - 5 min.)" (AWS's wording for every SigV4 service,
  aws/aws-cli#6833);
- an `Authorization` header that is not a whole SigV4 one: `IncompleteSignatureException`
  (awslabs/aws-mobile-appsync-sdk-js#702; the wording of the missing parts as AWS writes it
  in aws-amplify/amplify-js#13378);
- an access key AWS does not know: `UnrecognizedClientException`, "The security token
  included in the request is invalid." (sony/appsync-client-go#28)."""

import configparser
import contextlib
import datetime
import hashlib
import hmac
import os
import secrets
import string
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from botocore.auth import SIGV4_TIMESTAMP, SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials

from api.emulator.data_dir import write_atomically

ALGORITHM = "AWS4-HMAC-SHA256"
SERVICE = "appsync"
PROFILE = "orders-local"
CREDENTIALS_FILE = "aws-credentials"
# moto's account (moto.core.DEFAULT_ACCOUNT_ID): the local AWS has one account, and so does
# the local IAM identity.
ACCOUNT_ID = "123456789012"
USER_NAME = "orders-local"
# How far `X-Amz-Date` may be from the server's clock, either way, in AWS's SigV4 services.
MAX_SKEW = datetime.timedelta(minutes=5)

INVALID_SIGNATURE = "InvalidSignatureException"
INCOMPLETE_SIGNATURE = "IncompleteSignatureException"
UNRECOGNIZED_CLIENT = "UnrecognizedClientException"
MISMATCH = (
    "The request signature we calculated does not match the signature you provided. Check "
    "your AWS Secret Access Key and signing method. Consult the service documentation for "
    "details."
)
UNKNOWN_KEY = "The security token included in the request is invalid."


@dataclass(frozen=True)
class SignatureRefused(Exception):
    """What AppSync answers a request it will not take as signed: HTTP 403 with this type."""

    error_type: str
    message: str
    status: int = 403


@dataclass(frozen=True)
class LocalIamIdentity:
    """The emulator's one IAM user: its keys, and where they are kept for clients."""

    access_key_id: str
    secret_access_key: str
    region: str
    credentials_file: Path | None = None
    profile: str = PROFILE

    @property
    def user_arn(self) -> str:
        return f"arn:aws:iam::{ACCOUNT_ID}:user/{USER_NAME}"

    @property
    def user_id(self) -> str:
        # An IAM user's unique id starts with AIDA; AppSync gives it as the identity's username.
        return "AIDA" + self.access_key_id.removeprefix("AKIA")

    def describe(self) -> dict[str, str | None]:
        """What /health tells a client about this identity (never the secret)."""
        return {
            "region": self.region,
            "accessKeyId": self.access_key_id,
            "credentialsFile": str(self.credentials_file) if self.credentials_file else None,
            "profile": self.profile,
        }


def local_iam_identity(directory: Path, region: str) -> LocalIamIdentity:
    """The identity kept in `directory`'s shared-credentials file (readable by its owner
    only), made on first use: a restart keeps the keys a service was configured with."""
    path = directory / CREDENTIALS_FILE
    kept = configparser.ConfigParser()
    with contextlib.suppress(OSError, configparser.Error):
        kept.read_string(path.read_text())
    if kept.has_option(PROFILE, "aws_access_key_id") and kept.has_option(
        PROFILE, "aws_secret_access_key"
    ):
        section = kept[PROFILE]
        return LocalIamIdentity(
            section["aws_access_key_id"], section["aws_secret_access_key"], region, path
        )
    alphabet = string.ascii_uppercase + "234567"
    identity = LocalIamIdentity(
        "AKIA" + "".join(secrets.choice(alphabet) for _ in range(16)),
        secrets.token_urlsafe(30),
        region,
        path,
    )
    content = (
        f"# The local IAM identity of `orders serve` (docs/identity.md).\n[{PROFILE}]\n"
        f"aws_access_key_id = {identity.access_key_id}\n"
        f"aws_secret_access_key = {identity.secret_access_key}\n"
    )
    write_atomically(path, content.encode())  # created 0600: the owner only
    os.chmod(path, 0o600)
    return identity


def is_sigv4(authorization: str) -> bool:
    """AppSync tells IAM from a token by the header's scheme."""
    return authorization.strip().startswith(ALGORITHM)


@dataclass(frozen=True)
class SignedRequest:
    """A request as received: what the signature covers."""

    method: str
    path: str
    query: str
    headers: Mapping[str, str]
    body: bytes


def verify(
    request: SignedRequest, identity: LocalIamIdentity, now: datetime.datetime | None = None
) -> None:
    """Raise SignatureRefused unless `request` carries a valid SigV4 signature of `identity`
    for AppSync in its region."""
    headers = {name.lower(): value for name, value in request.headers.items()}
    fields = _authorization_fields(headers.get("authorization", ""))
    amz_date = headers.get("x-amz-date")
    if amz_date is None:
        raise SignatureRefused(
            INCOMPLETE_SIGNATURE,
            "Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' header.",
        )
    key, date, region, service = _scope(fields["Credential"])
    if key != identity.access_key_id:
        raise SignatureRefused(UNRECOGNIZED_CLIENT, UNKNOWN_KEY)
    if service != SERVICE:
        raise SignatureRefused(
            INVALID_SIGNATURE, f"Credential should be scoped to correct service: '{SERVICE}'. "
        )
    if region != identity.region:
        raise SignatureRefused(
            INVALID_SIGNATURE, f"Credential should be scoped to a valid region, not '{region}'. "
        )
    signed_at = _signed_at(amz_date)
    if not amz_date.startswith(date):
        raise SignatureRefused(
            INVALID_SIGNATURE,
            f"Date in Credential scope does not match YYYYMMDD from ISO-8601 "
            f"version of date from HTTP: '{date}' != '{amz_date[:8]}', from '{amz_date}'.",
        )
    _check_skew(signed_at, now or datetime.datetime.now(datetime.UTC))
    signed_names = fields["SignedHeaders"].split(";")
    missing = [name for name in signed_names if name not in headers]
    if missing:
        raise SignatureRefused(
            INCOMPLETE_SIGNATURE,
            f"'{missing[0]}' is named as a SignedHeader, but it does not exist in the HTTP "
            "request.",
        )
    _check_payload_hash(headers, request.body)
    expected, canonical, to_sign = _signature(request, headers, signed_names, amz_date, identity)
    if not hmac.compare_digest(expected, fields["Signature"]):
        raise SignatureRefused(
            INVALID_SIGNATURE,
            f"{MISMATCH}\n\nThe Canonical String for this request should have been\n"
            f"'{canonical}'\n\nThe String-to-Sign should have been\n'{to_sign}'\n",
        )


def _authorization_fields(authorization: str) -> dict[str, str]:
    scheme, _, rest = authorization.strip().partition(" ")
    fields: dict[str, str] = {}
    for part in rest.split(","):
        name, equals, value = part.strip().partition("=")
        if equals:
            fields[name] = value
    required = ("Credential", "Signature", "SignedHeaders")
    absent = [name for name in required if not fields.get(name)]
    if scheme != ALGORITHM or absent:
        raise SignatureRefused(
            INCOMPLETE_SIGNATURE,
            " ".join(f"Authorization header requires '{name}' parameter." for name in absent)
            or f"Unsupported Authorization Type: '{scheme}'",
        )
    return fields


def _scope(credential: str) -> tuple[str, str, str, str]:
    parts = credential.split("/")
    if len(parts) != 5 or parts[4] != "aws4_request":
        raise SignatureRefused(
            INCOMPLETE_SIGNATURE,
            f"Credential must have exactly 5 slash-delimited elements, e.g. "
            f"keyid/date/region/service/term, got '{credential}'",
        )
    return parts[0], parts[1], parts[2], parts[3]


def _signed_at(amz_date: str) -> datetime.datetime:
    try:
        return datetime.datetime.strptime(amz_date, SIGV4_TIMESTAMP).replace(tzinfo=datetime.UTC)
    except ValueError:
        raise SignatureRefused(
            INCOMPLETE_SIGNATURE, f"Date must be in ISO-8601 'basic format'. Got '{amz_date}'."
        ) from None


def _check_skew(signed_at: datetime.datetime, now: datetime.datetime) -> None:
    def basic(moment: datetime.datetime) -> str:
        return moment.strftime(SIGV4_TIMESTAMP)

    if signed_at < now - MAX_SKEW:
        raise SignatureRefused(
            INVALID_SIGNATURE,
            f"Signature expired: {basic(signed_at)} is now earlier than "
            f"{basic(now - MAX_SKEW)} ({basic(now)} - 5 min.)",
        )
    if signed_at > now + MAX_SKEW:
        raise SignatureRefused(
            INVALID_SIGNATURE,
            f"Signature not yet current: {basic(signed_at)} is still later than "
            f"{basic(now + MAX_SKEW)} ({basic(now)} + 5 min.)",
        )


def _check_payload_hash(headers: Mapping[str, str], body: bytes) -> None:
    # botocore trusts an X-Amz-Content-SHA256 header instead of hashing the body itself: a
    # changed body under the original header must not pass.
    declared = headers.get("x-amz-content-sha256")
    if declared is not None and declared != hashlib.sha256(body).hexdigest():
        raise SignatureRefused(
            INVALID_SIGNATURE,
            "The provided 'x-amz-content-sha256' header does not match what was computed.",
        )


def _signature(
    request: SignedRequest,
    headers: Mapping[str, str],
    signed_names: list[str],
    amz_date: str,
    identity: LocalIamIdentity,
) -> tuple[str, str, str]:
    """(signature, canonical request, string to sign) as botocore computes them for the
    request as received, with its own date rather than the server's clock."""
    url = f"http://{headers.get('host', 'localhost')}{request.path}"
    if request.query:
        url += f"?{request.query}"
    received = AWSRequest(
        method=request.method,
        url=url,
        headers={name: headers[name] for name in signed_names},
        data=request.body,
    )
    received.context["timestamp"] = amz_date
    signer = SigV4Auth(
        Credentials(identity.access_key_id, identity.secret_access_key), SERVICE, identity.region
    )
    canonical = signer.canonical_request(received)
    to_sign = signer.string_to_sign(received, canonical)
    return signer.signature(to_sign, received), canonical, to_sign
