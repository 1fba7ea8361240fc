"""The SDL that AppSync receives: strawberry's schema without what AppSync defines itself
(the AWS scalars and the AWS directives) and without descriptions, whose block strings
AppSync's parser has rejected (aws-appsync-community#38); GraphiQL still shows them."""

from dataclasses import replace
from pathlib import Path
from typing import Any, cast

from graphql import (
    DirectiveDefinitionNode,
    DocumentNode,
    Node,
    ScalarTypeDefinitionNode,
    Visitor,
    parse,
    print_ast,
    visit,
)

from api.directives import AWS_DIRECTIVE_NAMES
from api.scalars import AWS_SCALAR_NAMES
from api.schema import schema

SCHEMA_PATH = Path(__file__).resolve().parent.parent / "schema.graphql"
HEADER = """\
# Generated from api/schema.py by `make schema`; do not edit (a test fails on drift).
# Field documentation lives in api/schema.py and shows in GraphiQL.

schema {
  query: Query
  mutation: Mutation
  subscription: Subscription
}

"""


class _WithoutDescriptions(Visitor):
    def enter(self, node: Node, *_: Any) -> Node | None:
        if getattr(node, "description", None) is None:
            return None
        bare: Node = replace(cast(Any, node), description=None)
        return bare


def _defined_by_appsync(definition: Node) -> bool:
    if isinstance(definition, ScalarTypeDefinitionNode):
        return definition.name.value in AWS_SCALAR_NAMES
    if isinstance(definition, DirectiveDefinitionNode):
        return definition.name.value in AWS_DIRECTIVE_NAMES
    return False


def export_sdl() -> str:
    """schema.graphql's text, generated from the strawberry types."""
    document = parse(schema.as_str())
    kept = DocumentNode(
        definitions=tuple(d for d in document.definitions if not _defined_by_appsync(d))
    )
    return HEADER + print_ast(visit(kept, _WithoutDescriptions())) + "\n"


def write_schema(path: Path = SCHEMA_PATH) -> Path:
    path.write_text(export_sdl(), encoding="utf-8")
    return path
