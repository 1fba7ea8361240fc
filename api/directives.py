"""AppSync's own directives, printed on types and fields but never defined in the SDL
(AppSync rejects a schema that redefines them)."""

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
    pass


# Once a type names any auth mode, AppSync allows only the modes named, the default one
# included; so every type names every mode the stack may enable (API key in dev, Cognito
# in prod, IAM in both). schema.graphql keeps them all; the stack sends each stage only
# the directives of the modes it configures (infra/stage_schema.py).
AUTH_DIRECTIVES: tuple[object, ...] = (AwsApiKey(), AwsIam(), AwsCognitoUserPools())
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
