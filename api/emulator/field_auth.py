"""AppSync's auth directives, enforced per field as AppSync does: a field's own directives
(`@aws_api_key`, `@aws_iam`, `@aws_cognito_user_pools(cognito_groups: [...])`) replace its
type's; a field or type without any is open to the API's default mode. A caller whose mode
the field does not name, or a user pool caller in none of `cognito_groups`, gets the field
null and an error of type `Unauthorized`, "Not Authorized to access <field> on type <Type>",
and no resolver runs ("Configuring authorization and authentication to secure your GraphQL
APIs", https://docs.aws.amazon.com/appsync/latest/devguide/security-authz.html; the wording as
clients receive it: aws-amplify/amplify-js#7220, aws-amplify/amplify-cli#9598).

The rules are read from the SDL AppSync receives (api/sdl.py), so whatever the schema
declares is what the emulator enforces."""

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from graphql import (
    DirectiveNode,
    GraphQLResolveInfo,
    ListValueNode,
    ObjectTypeDefinitionNode,
    ObjectTypeExtensionNode,
    StringValueNode,
    parse,
)

from api.emulator.appsync_errors import ResolverError
from api.emulator.callers import ApiKeyCaller, Caller, IamCaller, UserPoolCaller

UNAUTHORIZED = "Unauthorized"
API_KEY, IAM, USER_POOLS = "aws_api_key", "aws_iam", "aws_cognito_user_pools"
_MODES = frozenset({API_KEY, IAM, USER_POOLS, "aws_oidc", "aws_lambda"})


@dataclass(frozen=True)
class Rule:
    """The modes a field admits; `groups`: the user pool groups, when restricted."""

    modes: frozenset[str]
    groups: frozenset[str] | None = None


class FieldAuth:
    def __init__(self, rules: Mapping[tuple[str, str], Rule]) -> None:
        self._rules = dict(rules)

    @classmethod
    def of_sdl(cls, sdl: str) -> "FieldAuth":
        rules: dict[tuple[str, str], Rule] = {}
        for definition in parse(sdl).definitions:
            if not isinstance(definition, ObjectTypeDefinitionNode | ObjectTypeExtensionNode):
                continue
            type_rule = _rule(definition.directives or ())
            for field in definition.fields or ():
                rule = _rule(field.directives or ()) or type_rule
                if rule is not None:
                    rules[(definition.name.value, field.name.value)] = rule
        return cls(rules)

    @classmethod
    def of_schema(cls) -> "FieldAuth":
        """The rules of the schema the project serves and deploys."""
        from api.sdl import export_sdl  # the strawberry schema: loaded only when needed

        return cls.of_sdl(export_sdl())

    def allows(self, caller: Caller, type_name: str, field_name: str) -> bool:
        rule = self._rules.get((type_name, field_name))
        if rule is None:
            return True  # no directive: the default mode's callers, all of them here
        if isinstance(caller, ApiKeyCaller):
            return API_KEY in rule.modes
        if isinstance(caller, IamCaller):
            return IAM in rule.modes
        if USER_POOLS not in rule.modes:
            return False
        if rule.groups is None:
            return True
        return isinstance(caller, UserPoolCaller) and bool(rule.groups & set(caller.groups or ()))


def not_authorized(info: GraphQLResolveInfo[Any]) -> ResolverError:
    return ResolverError(
        f"Not Authorized to access {info.field_name} on type {info.parent_type.name}",
        UNAUTHORIZED,
        info,
    )


def _rule(directives: Any) -> Rule | None:
    named = [d for d in directives if isinstance(d, DirectiveNode) and d.name.value in _MODES]
    if not named:
        return None
    groups: frozenset[str] | None = None
    for directive in named:
        if directive.name.value != USER_POOLS:
            continue
        for argument in directive.arguments or ():
            if argument.name.value == "cognito_groups" and isinstance(
                argument.value, ListValueNode
            ):
                groups = frozenset(
                    v.value for v in argument.value.values if isinstance(v, StringValueNode)
                )
    return Rule(frozenset(d.name.value for d in named), groups)
