"""Dates and instants: AppSync's date and time scalars parsed by their AppSync rules, and
the one fixed-width form in which the table stores and sorts instants.

One home for the formats: the local emulator validates arguments with these before any
resolver runs (as AppSync does), and the domain re-checks what reaches the Lambda.

`fecha_registro` is the sort key of the state index, a string: every instant is written at
one fixed width (six fractional digits, `Z`) so that string order is time order. Python's
`isoformat()` drops a zero fraction and writes `+00:00`, which would sort wrongly."""

import re
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta, timezone

Clock = Callable[[], datetime]
"""Returns the current instant (timezone-aware). Injected so the domain never reads time."""

# ASCII digits only: `\d` in `re` also matches full-width and other Unicode digits, which
# int() would happily read (full-width "\uff12\uff10\uff19\uff19" is 2099) and AppSync refuses.
# AWSDate: YYYY-MM-DD with an optional offset (Z, ±hh:mm or ±hh:mm:ss).
_AWS_DATE = re.compile(r"(\d{4})-(\d{2})-(\d{2})(Z|[+-]\d{2}:\d{2}(?::\d{2})?)?", re.ASCII)
# AWSDateTime: the offset is compulsory; seconds optional; 1 to 9 fractional digits.
_AWS_DATETIME = re.compile(
    r"(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?"
    r"(Z|[+-]\d{2}:\d{2}(?::\d{2})?)",
    re.ASCII,
)


def _offset(text: str) -> timezone:
    if text == "Z":
        return UTC
    sign = -1 if text[0] == "-" else 1
    hours, minutes, *seconds = (int(part) for part in text[1:].split(":"))
    if hours > 23 or minutes > 59 or (seconds and seconds[0] > 59):
        raise ValueError(f"invalid time zone offset {text!r}")
    return timezone(sign * timedelta(hours=hours, minutes=minutes, seconds=sum(seconds)))


# Day, month and year as people write them (10/04/2026, 10-4-2026, 10.04.2026): the REST
# service this one replaces took DD/MM/YYYY.
_DAY_FIRST_DATE = re.compile(r"(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})")


def parse_aws_date(value: str) -> date:
    """The calendar date of an AWSDate; an offset, if any, is checked and dropped."""
    match = _AWS_DATE.fullmatch(value)
    if not match:
        raise ValueError(f"{value!r} is not an AWSDate (YYYY-MM-DD){_format_hint(value)}")
    year, month, day, offset = match.groups()
    if offset:
        _offset(offset)
    try:
        return date(int(year), int(month), int(day))
    except ValueError:
        raise ValueError(f"{value!r} is not a real calendar date") from None


def _format_hint(value: str) -> str:
    """What a day-first date looks like, and the AWSDate to send instead."""
    match = _DAY_FIRST_DATE.fullmatch(value.strip())
    if not match:
        return ""
    first, second, year = (int(part) for part in match.groups())
    for day, month, written in ((first, second, "DD/MM/YYYY"), (second, first, "MM/DD/YYYY")):
        try:
            meant = date(year, month, day)
        except ValueError:
            continue
        return f": it looks like {written}; send {meant.isoformat()!r} instead"
    return ""


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


# The stored form of an instant; `format_instant` writes it, `is_fixed_width` checks it.
_FIXED_WIDTH = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}\.[0-9]{6}Z")


def system_clock() -> datetime:
    return datetime.now(UTC)


def format_instant(instant: datetime) -> str:
    """`instant` in UTC as YYYY-MM-DDThh:mm:ss.ffffffZ, e.g. `2026-01-02T03:04:05.000000Z`:
    one width, so that DynamoDB's string order is time order. isoformat pads the year to
    four digits (strftime's %Y does not before 1000) and always writes six fractional
    digits with timespec="microseconds"."""
    if instant.tzinfo is None:
        raise ValueError("an instant needs a timezone")
    return instant.astimezone(UTC).replace(tzinfo=None).isoformat(timespec="microseconds") + "Z"


def is_fixed_width(text: str) -> bool:
    """True when `text` is an instant as `format_instant` writes it: the shape, and a real
    date and time (no month 13, no 25:00)."""
    if _FIXED_WIDTH.fullmatch(text) is None:
        return False
    try:
        datetime.fromisoformat(text.removesuffix("Z"))
    except ValueError:
        return False
    return True


def epoch_seconds(instant: datetime) -> int:
    return int(instant.timestamp())


def is_aws_timestamp(value: object) -> bool:
    """AWSTimestamp: whole seconds since the epoch, as an integer (not a bool)."""
    return isinstance(value, int) and not isinstance(value, bool)
