"""Cognito's pre token generation trigger (event version V2_0): copies the user's email into
the access token, so that `historial[].por` can name the user readably
(resolvers/definitions/claims.py says why the access token lacks it).

V2_0 events, the only ones that may change the access token, need the pool's Essentials or
Plus feature plan:
https://docs.aws.amazon.com/cognito/latest/developerguide/user-pool-lambda-pre-token-generation.html"""

from typing import Any

from aws_lambda_powertools.utilities.data_classes import event_source
from aws_lambda_powertools.utilities.data_classes.cognito_user_pool_event import (
    PreTokenGenerationV2TriggerEvent,
)

from resolvers.definitions.claims import EMAIL_ATTRIBUTE, EMAIL_CLAIM

# The Lambda runtime's entry for the trigger (module path inside the zip, then the function).
HANDLER = f"{__name__}.lambda_handler"


@event_source(data_class=PreTokenGenerationV2TriggerEvent)
def lambda_handler(event: PreTokenGenerationV2TriggerEvent, context: Any) -> dict[str, Any]:
    """The event with its response asking for the email claim; Cognito issues the tokens
    from the response, and the ID token is left as it is."""
    email = event.request.user_attributes.get(EMAIL_ATTRIBUTE)
    if email:
        overrides = event.response.claims_scope_override_details.access_token_generation
        overrides.claims_to_add_or_override = {EMAIL_CLAIM: email}
    return event.raw_event
