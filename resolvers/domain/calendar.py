"""AppSync's date and time scalars, parsed by their AppSync rules.

One home for the formats: the local emulator validates arguments with these before any
resolver runs (as AppSync does), and the domain re-checks what reaches the Lambda."""

import re
from datetime import UTC, date, datetime, timedelta, timezone

# AWSDate: YYYY-MM-DD with an optional offset (Z, ±hh:mm or ±hh:mm:ss).
_AWS_DATE = re.compile(r"(\d{4})-(\d{2})-(\d{2})(Z|[+-]\d{2}:\d{2}(?::\d{2})?)?")
# AWSDateTime: the offset is compulsory; seconds optional; 1 to 9 fractional digits.
_AWS_DATETIME = re.compile(
    r"(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?"
    r"(Z|[+-]\d{2}:\d{2}(?::\d{2})?)"
)


def _offset(text: str) -> timezone:
    if text == "Z":
        return UTC
    sign = -1 if text[0] == "-" else 1
    hours, minutes, *seconds = (int(part) for part in text[1:].split(":"))
    if hours > 23 or minutes > 59 or (seconds and seconds[0] > 59):
        raise ValueError(f"invalid time zone offset {text!r}")
    return timezone(sign * timedelta(hours=hours, minutes=minutes, seconds=sum(seconds)))


def parse_aws_date(value: str) -> date:
    """The calendar date of an AWSDate; an offset, if any, is checked and dropped."""
    match = _AWS_DATE.fullmatch(value)
    if not match:
        raise ValueError(f"{value!r} is not an AWSDate (YYYY-MM-DD)")
    year, month, day, offset = match.groups()
    if offset:
        _offset(offset)
    try:
        return date(int(year), int(month), int(day))
    except ValueError:
        raise ValueError(f"{value!r} is not a real calendar date") from None


def parse_aws_datetime(value: str) -> datetime:
    """An aware datetime from an AWSDateTime (offset required; nanoseconds truncated)."""
    match = _AWS_DATETIME.fullmatch(value)
    if not match:
        raise ValueError(
            f"{value!r} is not an AWSDateTime (YYYY-MM-DDThh:mm:ss.sssZ, offset required)"
        )
    year, month, day, hour, minute, second, fraction, offset = match.groups()
    micros = int((fraction or "0").ljust(9, "0")[:6])
    try:
        return datetime(
            int(year),
            int(month),
            int(day),
            int(hour),
            int(minute),
            int(second or 0),
            micros,
            tzinfo=_offset(offset),
        )
    except ValueError:
        raise ValueError(f"{value!r} is not a real date and time") from None


def to_fixed_width(moment: datetime) -> str:
    """`moment` in UTC as YYYY-MM-DDThh:mm:ss.ffffffZ: one width, so that DynamoDB's string
    order is time order. isoformat pads the year to four digits (strftime's %Y does not
    before 1000) and always writes six fractional digits with timespec="microseconds"."""
    return moment.astimezone(UTC).replace(tzinfo=None).isoformat(timespec="microseconds") + "Z"


def is_aws_timestamp(value: object) -> bool:
    """AWSTimestamp: whole seconds since the epoch, as an integer (not a bool)."""
    return isinstance(value, int) and not isinstance(value, bool)
