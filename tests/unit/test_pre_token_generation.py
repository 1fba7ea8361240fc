"""The pool's pre token generation trigger puts the user's email in the access token.

The event is shaped as the V2_0 example of "Pre token generation Lambda trigger"
(https://docs.aws.amazon.com/cognito/latest/developerguide/user-pool-lambda-pre-token-generation.html):
Cognito sends `claimsAndScopeOverrideDetails: null` and reads back what the function sets."""

import copy
import json
from pathlib import Path
from typing import Any

import pytest

from resolvers.definitions.claims import EMAIL_CLAIM
from resolvers.pre_token_generation import lambda_handler

# The trigger reads nothing of its Lambda context.
CONTEXT: Any = None
EVENT = json.loads(
    (Path(__file__).parent / "cognito_events/pre_token_generation_v2.json").read_text()
)


def _event(**attributes: str) -> dict[str, Any]:
    event: dict[str, Any] = copy.deepcopy(EVENT)
    event["request"]["userAttributes"] = {"sub": event["userName"], **attributes}
    return event


def test_the_access_token_gains_the_users_email() -> None:
    # given a user signing in
    event = _event(email="ana@example.com", email_verified="true")
    request = copy.deepcopy(event["request"])

    # when the trigger answers Cognito
    answer = lambda_handler(event, CONTEXT)

    # then the access token carries the email, and nothing else changes
    details = answer["response"]["claimsAndScopeOverrideDetails"]
    assert details == {
        "accessTokenGeneration": {"claimsToAddOrOverride": {EMAIL_CLAIM: "ana@example.com"}}
    }
    assert EMAIL_CLAIM == "email"
    # No idTokenGeneration or groupOverrideDetails: the ID token and the groups stay as they are.
    assert answer["request"] == request


@pytest.mark.parametrize(
    "source", ["TokenGeneration_RefreshTokens", "TokenGeneration_NewPasswordChallenge"]
)
def test_every_token_issued_carries_it_refreshed_ones_too(source: str) -> None:
    event = _event(email="ana@example.com") | {"triggerSource": source}
    details = lambda_handler(event, CONTEXT)["response"]["claimsAndScopeOverrideDetails"]
    assert details["accessTokenGeneration"]["claimsToAddOrOverride"] == {
        EMAIL_CLAIM: "ana@example.com"
    }


def test_a_user_without_an_email_keeps_cognitos_tokens_unchanged() -> None:
    # The resolvers then name the caller by username, as for any token without the claim.
    answer = lambda_handler(_event(), CONTEXT)
    assert answer["response"] == {"claimsAndScopeOverrideDetails": None}
