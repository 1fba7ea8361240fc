"""Dates and instants as the API and the table carry them.

`fecha_registro` is the sort key of the state index, a string: every instant is written at
one fixed width (six fractional digits, `Z`) so that string order is time order. Python's
`isoformat()` drops a zero fraction and writes `+00:00`, which would sort wrongly. The
formats themselves (AppSync's scalar rules) live in `calendar`; this module names the
argument at fault when a value breaks them."""

from collections.abc import Callable
from datetime import UTC, date, datetime

from resolvers.domain import calendar
from resolvers.domain.errors import ValidationError

Clock = Callable[[], datetime]
"""Returns the current instant (timezone-aware). Injected so the domain never reads time."""


def system_clock() -> datetime:
    return datetime.now(UTC)


def format_instant(instant: datetime) -> str:
    """The fixed-width UTC form, e.g. `2026-01-02T03:04:05.000000Z`."""
    if instant.tzinfo is None:
        raise ValueError("an instant needs a timezone")
    return calendar.to_fixed_width(instant)


def parse_aws_datetime(value: object, argument: str) -> str:
    """An AWSDateTime argument normalised to the fixed-width UTC form."""
    if not isinstance(value, str):
        raise ValidationError(f"{argument} must be an AWSDateTime string")
    try:
        return format_instant(calendar.parse_aws_datetime(value))
    except OverflowError:
        # e.g. 0001-01-01T00:00:00+02:00, which is before year 1 in UTC
        raise ValidationError(
            f"{argument} must fall within the years 0001 to 9999 in UTC"
        ) from None
    except ValueError:
        raise ValidationError(
            f"{argument} must be an AWSDateTime with a time zone offset, "
            "e.g. 2026-01-31T09:30:00Z or 2026-01-31T09:30:00+02:00"
        ) from None


def parse_aws_date(value: object, argument: str) -> date:
    """An AWSDate argument's calendar date (a zone designator is accepted and dropped)."""
    if not isinstance(value, str):
        raise ValidationError(f"{argument} must be a date as YYYY-MM-DD, e.g. 2026-12-01")
    try:
        return calendar.parse_aws_date(value)
    except ValueError as error:
        raise ValidationError(
            f"{argument} must be a real date as YYYY-MM-DD, e.g. 2026-12-01 ({error})"
        ) from None


def epoch_seconds(instant: datetime) -> int:
    return int(instant.timestamp())
