"""The local IAM mode's signature check (api/emulator/sigv4.py) against requests signed by
botocore's own signer, as a backend service signs its AppSync calls. AppSync's answers are
cited in the module: 403 `InvalidSignatureException` for a wrong or stale signature
(aws-amplify/amplify-js#2422, awslabs/aws-mobile-appsync-sdk-js#750, aws/aws-cli#6833),
`IncompleteSignatureException` for a partial header (awslabs/aws-mobile-appsync-sdk-js#702),
`UnrecognizedClientException` for an unknown key (sony/appsync-client-go#28)."""

import datetime
import json
import stat
from pathlib import Path

import pytest
from botocore.auth import SIGV4_TIMESTAMP, SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials

from api.emulator import sigv4
from api.emulator.sigv4 import LocalIamIdentity, SignatureRefused, SignedRequest

IDENTITY = LocalIamIdentity("AKIAEXAMPLELOCAL0001", "the-secret", "us-east-1")
BODY = json.dumps({"query": '{ getOrder(id: "o-1") { id } }'}).encode()


def _signed(
    *,
    secret: str = IDENTITY.secret_access_key,
    body: bytes = BODY,
    service: str = "appsync",
    headers: dict[str, str] | None = None,
) -> SignedRequest:
    """A request as botocore signs it (now), then as the emulator receives it."""
    request = AWSRequest(
        method="POST",
        url="http://127.0.0.1:8000/graphql",
        data=body,
        headers={"content-type": "application/json", **(headers or {})},
    )
    credentials = Credentials(IDENTITY.access_key_id, secret)
    SigV4Auth(credentials, service, IDENTITY.region).add_auth(request)
    received = {name.lower(): value for name, value in request.headers.items()}
    received["host"] = "127.0.0.1:8000"
    return SignedRequest("POST", "/graphql", "", received, BODY)


def _signed_at(request: SignedRequest) -> datetime.datetime:
    return datetime.datetime.strptime(request.headers["x-amz-date"], SIGV4_TIMESTAMP).replace(
        tzinfo=datetime.UTC
    )


def _refusal(
    request: SignedRequest, after: datetime.timedelta = datetime.timedelta(0)
) -> SignatureRefused:
    """What verifying `request` `after` its signing raises."""
    with pytest.raises(SignatureRefused) as refused:
        sigv4.verify(request, IDENTITY, _signed_at(request) + after)
    return refused.value


def test_a_request_botocore_signed_with_the_local_identity_is_accepted() -> None:
    request = _signed()

    sigv4.verify(request, IDENTITY, _signed_at(request) + datetime.timedelta(minutes=4))


def test_a_wrong_secret_is_an_invalid_signature_with_what_appsync_expected() -> None:
    refusal = _refusal(_signed(secret="not-the-secret"))

    assert (refusal.status, refusal.error_type) == (403, "InvalidSignatureException")
    assert refusal.message.startswith(
        "The request signature we calculated does not match the signature you provided."
    )
    assert "The Canonical String for this request should have been\n'POST\n/graphql\n" in (
        refusal.message
    )


def test_a_changed_body_is_an_invalid_signature() -> None:
    request = _signed()
    changed = SignedRequest(
        request.method, request.path, request.query, request.headers, BODY.replace(b"o-1", b"o-2")
    )

    assert _refusal(changed).error_type == "InvalidSignatureException"


def test_a_changed_body_under_its_declared_hash_is_refused_too() -> None:
    # botocore would take X-Amz-Content-SHA256 at its word; the emulator hashes the body.
    declared = {"x-amz-content-sha256": "0" * 64}
    request = _signed(headers=declared)

    assert _refusal(request).error_type == "InvalidSignatureException"


def test_a_signature_older_than_five_minutes_has_expired() -> None:
    request = _signed()
    signed_at = _signed_at(request)

    refusal = _refusal(request, after=datetime.timedelta(minutes=6))

    def basic(moment: datetime.datetime) -> str:
        return moment.strftime(SIGV4_TIMESTAMP)

    assert refusal.error_type == "InvalidSignatureException"
    assert refusal.message == (
        f"Signature expired: {basic(signed_at)} is now earlier than "
        f"{basic(signed_at + datetime.timedelta(minutes=1))} "
        f"({basic(signed_at + datetime.timedelta(minutes=6))} - 5 min.)"
    )


def test_a_signature_for_another_service_is_refused() -> None:
    refusal = _refusal(_signed(service="execute-api"))

    assert refusal.error_type == "InvalidSignatureException"
    assert "appsync" in refusal.message


def test_an_unknown_access_key_is_an_unrecognized_client() -> None:
    other = LocalIamIdentity("AKIAOTHERKEY00000001", "s", "us-east-1")

    request = _signed()

    with pytest.raises(SignatureRefused) as refused:
        sigv4.verify(request, other, _signed_at(request))

    assert refused.value.error_type == "UnrecognizedClientException"
    assert refused.value.message == "The security token included in the request is invalid."


@pytest.mark.parametrize(
    ("authorization", "missing"),
    [
        ("AWS4-HMAC-SHA256", "Credential"),
        (
            "AWS4-HMAC-SHA256 Credential=AKIAEXAMPLELOCAL0001/20991231/us-east-1/appsync/"
            "aws4_request",
            "Signature",
        ),
    ],
)
def test_a_partial_authorization_header_is_an_incomplete_signature(
    authorization: str, missing: str
) -> None:
    request = _signed()
    partial = SignedRequest(
        "POST", "/graphql", "", {**request.headers, "authorization": authorization}, BODY
    )

    refusal = _refusal(partial)

    assert refusal.error_type == "IncompleteSignatureException"
    assert f"Authorization header requires '{missing}' parameter." in refusal.message


def test_a_signed_header_the_request_lacks_is_an_incomplete_signature() -> None:
    request = _signed()
    headers = {k: v for k, v in request.headers.items() if k != "content-type"}

    refusal = _refusal(SignedRequest("POST", "/graphql", "", headers, BODY))

    assert refusal.error_type == "IncompleteSignatureException"
    assert refusal.message == (
        "'content-type' is named as a SignedHeader, but it does not exist in the HTTP request."
    )


def test_the_identity_is_kept_in_an_owner_only_shared_credentials_file(tmp_path: Path) -> None:
    made = sigv4.local_iam_identity(tmp_path, "us-east-1")
    kept = sigv4.local_iam_identity(tmp_path, "us-east-1")

    assert kept == made
    assert made.credentials_file == tmp_path / sigv4.CREDENTIALS_FILE
    assert stat.S_IMODE(made.credentials_file.stat().st_mode) == 0o600
    text = made.credentials_file.read_text()
    assert f"[{sigv4.PROFILE}]" in text
    assert f"aws_access_key_id = {made.access_key_id}" in text
