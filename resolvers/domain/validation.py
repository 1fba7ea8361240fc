"""Argument rules. Everything here runs before any read or write, so a ValidationError
always means nothing was touched."""

from collections.abc import Mapping
from datetime import date

from resolvers.domain import calendar
from resolvers.domain.errors import ValidationError
from resolvers.domain.order import NewOrder, StateChange, ensure_deliverable
from resolvers.domain.queries import SortDirection, StateQuery
from resolvers.domain.states import INITIAL_STATE, Estado
from resolvers.domain.text import is_blank, is_unicode

MAX_DESCRIPCION_LENGTH = 2000
MAX_MOTIVO_LENGTH = 2000
# DynamoDB caps a partition key at 2048 bytes; ids and tokens stay far below it.
MAX_KEY_LENGTH = 256
MIN_LIMIT, MAX_LIMIT, DEFAULT_LIMIT = 1, 100, 20
_ESTADOS = frozenset(e.value for e in Estado)


def parse_estado(value: object, argument: str = "estado") -> Estado:
    if isinstance(value, str) and value in _ESTADOS:
        return Estado(value)
    allowed = ", ".join(e.value for e in Estado)
    raise ValidationError(f"{argument} must be one of {allowed}")


def ensure_unicode(value: str, argument: str) -> str:
    """`value`, unless it holds a lone surrogate: JSON can carry one, UTF-8 cannot."""
    if not is_unicode(value):
        raise ValidationError(f"{argument} is not valid Unicode (it holds a lone surrogate)")
    return value


def validate_order_id(value: object) -> str:
    if not isinstance(value, str) or is_blank(value):
        raise ValidationError("id must be a non-blank string")
    if len(value) > MAX_KEY_LENGTH:
        raise ValidationError(f"id must be at most {MAX_KEY_LENGTH} characters")
    return ensure_unicode(value, "id")


def _text(value: object, argument: str, max_length: int) -> str:
    """Trimmed, not blank (whitespace and invisible characters only), at most
    `max_length` characters, valid Unicode."""
    if not isinstance(value, str):
        raise ValidationError(f"{argument} must not be blank")
    text = value.strip()
    # Length first: a megabyte of text is refused without reading it character by character.
    if len(text) > max_length:
        raise ValidationError(f"{argument} must be at most {max_length} characters")
    if is_blank(text):
        raise ValidationError(
            f"{argument} must not be blank (whitespace and invisible characters do not count)"
        )
    return ensure_unicode(text, argument)


def date_argument(value: object, argument: str) -> date:
    """An AWSDate argument's calendar date (a zone designator is accepted and dropped)."""
    if not isinstance(value, str):
        raise ValidationError(f"{argument} must be a date as YYYY-MM-DD, e.g. 2026-12-01")
    try:
        return calendar.parse_aws_date(value)
    except ValueError as error:
        raise ValidationError(
            f"{argument} must be a real date as YYYY-MM-DD, e.g. 2026-12-01 ({error})"
        ) from None


def datetime_argument(value: object, argument: str) -> str:
    """An AWSDateTime argument normalised to the fixed-width UTC form."""
    if not isinstance(value, str):
        raise ValidationError(f"{argument} must be an AWSDateTime string")
    try:
        return calendar.format_instant(calendar.parse_aws_datetime(value))
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


def validate_new_order(arguments: Mapping[str, object], *, today: date) -> NewOrder:
    """createOrder's `input`; `today` is the registration date in UTC."""
    descripcion = _text(arguments.get("descripcion"), "descripcion", MAX_DESCRIPCION_LENGTH)
    fecha_entrega = date_argument(arguments.get("fecha_entrega"), "fecha_entrega")
    ensure_deliverable(fecha_entrega, today=today)
    estado = arguments.get("estado")
    if estado is not None and estado != INITIAL_STATE.value:
        raise ValidationError(f"a new order can only be {INITIAL_STATE.value}")
    token = arguments.get("clientToken")
    if token is not None:
        token = _text(token, "clientToken", MAX_KEY_LENGTH)
    return NewOrder(descripcion=descripcion, fecha_entrega=fecha_entrega, client_token=token)


def validate_state_change(
    estado: object, motivo: object = None, expected_version: object = None
) -> StateChange:
    target = parse_estado(estado)
    if target is Estado.cancelada:
        reason: str | None = _text(motivo, "motivo", MAX_MOTIVO_LENGTH)
    elif motivo is not None:
        # A reason on any other state would be silently dropped: say so instead.
        raise ValidationError("motivo is only accepted when estado is cancelada")
    else:
        reason = None
    if expected_version is not None and (
        isinstance(expected_version, bool)
        or not isinstance(expected_version, int)
        or expected_version < 1
    ):
        raise ValidationError("expectedVersion must be a positive integer")
    return StateChange(estado=target, motivo=reason, expected_version=expected_version)


def validate_limit(limit: object) -> int:
    if limit is None:
        return DEFAULT_LIMIT
    if isinstance(limit, bool) or not isinstance(limit, int) or not MIN_LIMIT <= limit <= MAX_LIMIT:
        raise ValidationError(f"limit must be between {MIN_LIMIT} and {MAX_LIMIT}")
    return limit


def validate_state_query(
    estado: object,
    sort_direction: object = None,
    desde: object = None,
    hasta: object = None,
) -> StateQuery:
    target = parse_estado(estado)
    if sort_direction is None:
        direction = SortDirection.ASC
    elif isinstance(sort_direction, str) and sort_direction in SortDirection.__members__:
        direction = SortDirection(sort_direction)
    else:
        raise ValidationError("sortDirection must be ASC or DESC")
    lower = None if desde is None else datetime_argument(desde, "desde")
    upper = None if hasta is None else datetime_argument(hasta, "hasta")
    if lower is not None and upper is not None and lower > upper:
        raise ValidationError("desde must not be after hasta")
    return StateQuery(estado=target, direction=direction, desde=lower, hasta=upper)
