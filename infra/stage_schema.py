"""The schema one stage's API receives: `schema.graphql` with only the auth directives of
the modes that stage configures.

`schema.graphql` is the whole contract, generated from `api/` and committed: every type
names every mode the stack may enable (API key in dev, Cognito in prod, IAM in both), so
the emulator and codegen see one schema. AppSync does not document whether it accepts a
directive for a mode the API does not configure, so no stage is sent one."""

from collections.abc import Iterable
from pathlib import Path
from typing import Any

from aws_cdk import aws_appsync as appsync
from graphql import REMOVE, DirectiveNode, Visitor, parse, print_ast, visit

# AppSync's directive for each authorization mode ("Using additional authorization modes",
# https://docs.aws.amazon.com/appsync/latest/devguide/security-authz.html).
AUTH_DIRECTIVE = {
    appsync.AuthorizationType.API_KEY: "aws_api_key",
    appsync.AuthorizationType.IAM: "aws_iam",
    appsync.AuthorizationType.USER_POOL: "aws_cognito_user_pools",
    appsync.AuthorizationType.OIDC: "aws_oidc",
    appsync.AuthorizationType.LAMBDA: "aws_lambda",
}
HEADER = """\
# schema.graphql as deployed to the {stage} stage: auth directives of its modes only
# ({modes}). Written by infra/stage_schema.py at synth time.

"""


def configured_modes(config: appsync.AuthorizationConfig) -> list[appsync.AuthorizationType]:
    """The API's default mode, then its additional ones."""
    default = config.default_authorization
    modes = [default.authorization_type] if default else []
    modes += [mode.authorization_type for mode in config.additional_authorization_modes or ()]
    return modes


class _WithoutOtherModes(Visitor):
    def __init__(self, kept: frozenset[str]) -> None:
        super().__init__()
        self.dropped = frozenset(AUTH_DIRECTIVE.values()) - kept

    def enter_directive(self, node: DirectiveNode, *_: Any) -> object:
        return REMOVE if node.name.value in self.dropped else None


def stage_sdl(sdl: str, stage: str, modes: Iterable[appsync.AuthorizationType]) -> str:
    """`sdl` without the auth directives of modes not in `modes`."""
    kept = [AUTH_DIRECTIVE[mode] for mode in modes]
    document = visit(parse(sdl), _WithoutOtherModes(frozenset(kept)))
    header = HEADER.format(stage=stage, modes=", ".join(f"@{name}" for name in kept))
    return header + print_ast(document) + "\n"


def stage_schema(path: Path, stage: str, config: appsync.AuthorizationConfig) -> appsync.ISchema:
    """The schema file at `path` narrowed to the modes of `config`."""
    schema = appsync.SchemaFile(file_path=str(path))
    schema.definition = stage_sdl(schema.definition, stage, configured_modes(config))
    return schema
