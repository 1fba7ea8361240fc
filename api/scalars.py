"""AppSync's AWS scalars for strawberry, validated by AppSync's rules (resolvers.domain.calendar).

Values travel as AppSync sends them to a Lambda: the string (or integer) the client wrote,
after validation. The exported SDL must not declare them: AppSync defines them itself."""

from typing import Any, NewType

from strawberry.types.scalar import ScalarDefinition, scalar

from resolvers.domain.calendar import is_aws_timestamp, parse_aws_date, parse_aws_datetime

AWSDate = NewType("AWSDate", str)
AWSDateTime = NewType("AWSDateTime", str)
AWSTimestamp = NewType("AWSTimestamp", int)


# AppSync's texts for a value it cannot parse: "Unable to parse `2019-12-24T04:15:57.798Z`
# as a valid date." (aws-amplify/amplify-swift#278) and "Unable to parse `2019` as a valid
# DateTime Object." (aws-amplify/amplify-cli#2033). The timestamp text follows the same
# pattern; no AppSync capture of it was found (no input of this API is an AWSTimestamp).
def _unparsable(value: Any, what: str) -> ValueError:
    return ValueError(f"Unable to parse `{value}` as a valid {what}.")


def _date(value: Any) -> str:
    try:
        parse_aws_date(value)
    except (TypeError, ValueError):
        raise _unparsable(value, "date") from None
    return str(value)


def _datetime(value: Any) -> str:
    try:
        parse_aws_datetime(value)
    except (TypeError, ValueError):
        raise _unparsable(value, "DateTime Object") from None
    return str(value)


def _timestamp(value: Any) -> int:
    if not is_aws_timestamp(value):
        raise _unparsable(value, "timestamp")
    return int(value)


SCALAR_MAP: dict[object, ScalarDefinition] = {
    AWSDate: scalar(
        name="AWSDate",
        description="YYYY-MM-DD, optionally with a time zone offset",
        serialize=_date,
        parse_value=_date,
        print_definition=False,
    ),
    AWSDateTime: scalar(
        name="AWSDateTime",
        description="YYYY-MM-DDThh:mm:ss.sssZ; the offset is required",
        serialize=_datetime,
        parse_value=_datetime,
        print_definition=False,
    ),
    AWSTimestamp: scalar(
        name="AWSTimestamp",
        description="Seconds since 1970-01-01T00:00Z",
        serialize=_timestamp,
        parse_value=_timestamp,
        print_definition=False,
    ),
}

AWS_SCALAR_NAMES = frozenset(definition.name for definition in SCALAR_MAP.values())
