"""AppSync's own directives, printed on types and fields but never defined in the SDL
(AppSync rejects a schema that redefines them)."""

from collections.abc import Sequence

import strawberry
from strawberry.schema_directive import Location


@strawberry.schema_directive(
    locations=[Location.FIELD_DEFINITION], name="aws_subscribe", print_definition=False
)
class AwsSubscribe:
    mutations: list[str]


@strawberry.schema_directive(
    locations=[Location.OBJECT, Location.FIELD_DEFINITION],
    name="aws_api_key",
    print_definition=False,
)
class AwsApiKey:
    pass


@strawberry.schema_directive(
    locations=[Location.OBJECT, Location.FIELD_DEFINITION], name="aws_iam", print_definition=False
)
class AwsIam:
    pass


@strawberry.schema_directive(
    locations=[Location.OBJECT, Location.FIELD_DEFINITION],
    name="aws_cognito_user_pools",
    print_definition=False,
)
class AwsCognitoUserPools:
    # Only the user pool groups listed may use the field or type; unset: any signed-in user.
    # (UNSET prints no argument at all: `@aws_cognito_user_pools`.)
    cognito_groups: list[str] | None = strawberry.UNSET


# Once a type names any auth mode, AppSync allows only the modes named, the default one
# included; so every type names every mode the stack may enable (API key in dev, Cognito
# in prod, IAM in both). schema.graphql keeps them all; the stack sends each stage only
# the directives of the modes it configures (infra/stage_schema.py).
AUTH_DIRECTIVES: tuple[object, ...] = (AwsApiKey(), AwsIam(), AwsCognitoUserPools())


def field_auth_directives(cognito_groups: Sequence[str]) -> tuple[object, ...]:
    """The auth directives of a field that only these user pool groups may use. A field's
    auth directives replace its type's ("Using additional authorization modes",
    https://docs.aws.amazon.com/appsync/latest/devguide/security-authz.html), so the field
    names the API key and IAM again, or it would be closed to them."""
    return (AwsApiKey(), AwsIam(), AwsCognitoUserPools(cognito_groups=list(cognito_groups)))


AWS_DIRECTIVE_NAMES = frozenset(
    {
        "aws_subscribe",
        "aws_api_key",
        "aws_iam",
        "aws_cognito_user_pools",
        "aws_oidc",
        "aws_lambda",
        "aws_auth",
    }
)
