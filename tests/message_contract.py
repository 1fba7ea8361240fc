"""Every message the tests read back from a state queue is checked against the committed
order-message.schema.json (draft 2020-12, with `jsonschema`, the reference
implementation): the integration and e2e conftests call `check_message` on what they
receive. A closed copy of the schema is used, so a field published without being declared
fails too."""

import json
from functools import cache
from typing import Any

from jsonschema import Draft202012Validator

from api.message_schema import MESSAGE_SCHEMA_PATH
from resolvers.domain.message_schema import closed
from resolvers.domain.messages import ATTRIBUTE_FIELDS


@cache
def _validator() -> Draft202012Validator:
    schema = json.loads(MESSAGE_SCHEMA_PATH.read_text(encoding="utf-8"))
    Draft202012Validator.check_schema(schema)
    return Draft202012Validator(closed(schema), format_checker=Draft202012Validator.FORMAT_CHECKER)


def check_body(body: dict[str, Any]) -> dict[str, Any]:
    """`body` if it is a valid envelope; AssertionError naming every violation otherwise."""
    errors = sorted(_validator().iter_errors(body), key=lambda e: list(e.path))
    assert not errors, [f"{list(e.path)}: {e.message}" for e in errors]
    assert body["estado"] == body["order"]["estado"], body
    return body


def check_message(message: dict[str, Any]) -> dict[str, Any]:
    """A received SQS message (boto3's shape): its body is a valid envelope and, when the
    message attributes were asked for, they repeat the envelope's routing fields."""
    body = check_body(json.loads(message["Body"]))
    if "MessageAttributes" in message:
        attributes = {n: v["StringValue"] for n, v in message["MessageAttributes"].items()}
        assert attributes == {n: str(body[n]) for n in ATTRIBUTE_FIELDS}, attributes
    return message
