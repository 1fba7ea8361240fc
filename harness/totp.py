"""Time-based one-time passwords (RFC 6238, https://www.rfc-editor.org/rfc/rfc6238), as
an authenticator app computes them from the secret Cognito's AssociateSoftwareToken hands out:
HMAC-SHA1, 30-second steps, six digits
(https://docs.aws.amazon.com/cognito/latest/developerguide/user-pool-settings-mfa-totp.html)."""

import base64
import hashlib
import hmac
import struct
import time

STEP_SECONDS = 30
DIGITS = 6


def totp(secret: str, at: float | None = None) -> str:
    """The code for base32 `secret` at time `at` (now by default)."""
    padded = secret.upper() + "=" * (-len(secret) % 8)
    key = base64.b32decode(padded)
    counter = int((time.time() if at is None else at) // STEP_SECONDS)
    digest = hmac.new(key, struct.pack(">Q", counter), hashlib.sha1).digest()
    offset = digest[-1] & 0x0F
    (value,) = struct.unpack(">I", digest[offset : offset + 4])
    return str((value & 0x7FFFFFFF) % 10**DIGITS).zfill(DIGITS)
