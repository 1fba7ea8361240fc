"""The parts of `orders consume`'s event source that need no queue: how a partial batch
response is read and how message attributes are shaped (Lambda's rules:
docs.aws.amazon.com/lambda/latest/dg/services-sqs-errorhandling.html and the event example
of docs.aws.amazon.com/lambda/latest/dg/with-sqs.html). The rest runs against the
emulator in tests/e2e/test_consume.py."""

from pathlib import Path
from typing import Any

import pytest

from api.cli import main
from api.commands.consume import HandlerNotFound, load_handler
from api.emulator.sqs_event_source import failed_message_ids, lambda_message_attributes

BATCH: list[Any] = [{"MessageId": "m1"}, {"MessageId": "m2"}, {"MessageId": "m3"}]


@pytest.mark.parametrize(
    ("response", "failed"),
    [
        (None, []),
        ({}, []),
        ({"batchItemFailures": []}, []),
        ({"batchItemFailures": [{"itemIdentifier": "m2"}]}, ["m2"]),
        # Lambda fails the whole batch on an id it did not send, or an empty one
        ({"batchItemFailures": [{"itemIdentifier": "other"}]}, ["m1", "m2", "m3"]),
        ({"batchItemFailures": [{"itemIdentifier": ""}]}, ["m1", "m2", "m3"]),
        ({"batchItemFailures": [{"itemIdentifier": None}]}, ["m1", "m2", "m3"]),
    ],
)
def test_partial_batch_responses_are_read_as_lambda_reads_them(
    response: Any, failed: list[str]
) -> None:
    assert failed_message_ids(response, BATCH) == failed


def test_message_attributes_take_lambdas_shape() -> None:
    received = {
        "estado": {"DataType": "String", "StringValue": "recibida"},
        "schemaVersion": {"DataType": "Number", "StringValue": "1"},
        "raw": {"DataType": "Binary", "BinaryValue": b"\x00\x01"},
    }
    assert lambda_message_attributes(received) == {
        "estado": {
            "stringValue": "recibida",
            "stringListValues": [],
            "binaryListValues": [],
            "dataType": "String",
        },
        "schemaVersion": {
            "stringValue": "1",
            "stringListValues": [],
            "binaryListValues": [],
            "dataType": "Number",
        },
        "raw": {
            "binaryValue": "AAE=",
            "stringListValues": [],
            "binaryListValues": [],
            "dataType": "Binary",
        },
    }


@pytest.mark.parametrize(
    ("spec", "message"),
    [
        ("consumers.reference", "write it as module:function"),
        ("no_such_module_here:handler", "cannot import 'no_such_module_here'"),
        ("consumers.reference:nothing", "has no function 'nothing'"),
    ],
)
def test_a_handler_that_cannot_be_loaded_is_one_clear_line(spec: str, message: str) -> None:
    with pytest.raises(HandlerNotFound, match=message) as raised:
        load_handler(spec)
    assert "\n" not in str(raised.value)


def test_the_reference_consumer_loads() -> None:
    assert callable(load_handler("consumers.reference:handler"))


def test_orders_consume_refuses_an_unknown_state(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exited:
        main(["consume", "archivada", "--handler", "consumers.reference:handler"])
    assert exited.value.code == 2
    assert "invalid choice: 'archivada'" in capsys.readouterr().err


@pytest.mark.parametrize(
    ("handler", "message"),
    [
        ("consumers.reference:handler", "no orders serve is running"),
        ("nowhere:handler", "cannot import 'nowhere'"),
    ],
)
def test_orders_consume_fails_in_one_line(
    handler: str, message: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # given no server using the data directory
    code = main(["consume", "recibida", "--handler", handler, "--data-dir", str(tmp_path)])
    err = capsys.readouterr().err
    assert code == 1
    assert err.startswith("orders consume: ")
    assert message in err
    assert err.count("\n") == 1
