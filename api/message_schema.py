"""order-message.schema.json: the JSON Schema of the state queue messages, generated from
the domain (resolvers.domain.message_schema) by `make schema`; a test fails on drift."""

import json
from pathlib import Path

from resolvers.domain.message_schema import FILE_NAME, message_schema

MESSAGE_SCHEMA_PATH = Path(__file__).resolve().parent.parent / FILE_NAME


def export_message_schema() -> str:
    """The committed file's text."""
    return json.dumps(message_schema(), indent=2, ensure_ascii=False) + "\n"


def write_message_schema(path: Path = MESSAGE_SCHEMA_PATH) -> Path:
    path.write_text(export_message_schema(), encoding="utf-8")
    return path
