"""The TOTP codes the e2e suite answers Cognito's MFA with match RFC 6238's own test vectors
(Appendix B, SHA-1, https://www.rfc-editor.org/rfc/rfc6238#appendix-B), cut to six digits."""

import base64

import pytest

from harness.totp import totp

# RFC 6238's SHA-1 seed: the ASCII string "12345678901234567890".
SECRET = base64.b32encode(b"12345678901234567890").decode().rstrip("=")


@pytest.mark.parametrize(
    ("at", "eight_digits"),
    [
        (59, "94287082"),
        (1111111109, "07081804"),
        (1111111111, "14050471"),
        (1234567890, "89005924"),
        (2000000000, "69279037"),
        (20000000000, "65353130"),
    ],
)
def test_codes_match_the_rfcs_test_vectors(at: int, eight_digits: str) -> None:
    assert totp(SECRET, at) == eight_digits[-6:]


def test_a_secret_is_read_in_either_case_and_without_padding() -> None:
    assert totp(SECRET.lower(), 59) == totp(SECRET, 59) == "287082"
