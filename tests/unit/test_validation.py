"""Argument rules, as properties over generated input."""

from datetime import UTC, date, datetime, timedelta, timezone

import pytest
from hypothesis import given
from hypothesis import strategies as st

from resolvers.domain.calendar import format_instant
from resolvers.domain.errors import ValidationError
from resolvers.domain.queries import SortDirection
from resolvers.domain.states import Estado
from resolvers.domain.text import is_blank
from resolvers.domain.validation import (
    DEFAULT_LIMIT,
    MAX_DESCRIPCION_LENGTH,
    date_argument,
    datetime_argument,
    validate_limit,
    validate_new_order,
    validate_order_id,
    validate_state_change,
    validate_state_query,
)

TODAY = date(2030, 6, 15)
WHITESPACE = st.text(alphabet=" \t\n\r", max_size=5)
# Not blank: something visible besides whitespace and invisible characters (docs/contract.md).
DESCRIPCION = st.text(min_size=1, max_size=MAX_DESCRIPCION_LENGTH).filter(lambda s: not is_blank(s))
ZONES = st.sampled_from(["", "Z", "+02:00", "-05:30"])
AWARE = st.datetimes(
    min_value=datetime(2000, 1, 1),
    max_value=datetime(2100, 1, 1),
    timezones=st.sampled_from([UTC, timezone(timedelta(hours=2)), timezone(timedelta(hours=-7))]),
)


def new_order_input(**overrides: object) -> dict[str, object]:
    return {"descripcion": "Revisar caldera", "fecha_entrega": TODAY.isoformat(), **overrides}


@given(descripcion=DESCRIPCION, padding=WHITESPACE)
def test_descripcion_is_trimmed_and_kept(descripcion: str, padding: str) -> None:
    new = validate_new_order(
        new_order_input(descripcion=padding + descripcion + padding), today=TODAY
    )
    assert new.descripcion == descripcion.strip()


@given(blank=WHITESPACE)
def test_blank_descripcion_is_rejected(blank: str) -> None:
    with pytest.raises(ValidationError, match="descripcion"):
        validate_new_order(new_order_input(descripcion=blank), today=TODAY)


@given(extra=st.integers(min_value=1, max_value=50))
def test_descripcion_longer_than_2000_is_rejected(extra: int) -> None:
    with pytest.raises(ValidationError, match="2000"):
        validate_new_order(
            new_order_input(descripcion="x" * (MAX_DESCRIPCION_LENGTH + extra)), today=TODAY
        )


def test_descripcion_of_exactly_2000_after_trimming_is_accepted() -> None:
    text = "x" * MAX_DESCRIPCION_LENGTH
    assert (
        validate_new_order(new_order_input(descripcion=f"  {text}  "), today=TODAY).descripcion
        == text
    )


@given(days=st.integers(min_value=0, max_value=3650), zone=ZONES)
def test_delivery_on_or_after_today_is_accepted_with_any_zone(days: int, zone: str) -> None:
    delivery = TODAY + timedelta(days=days)
    new = validate_new_order(
        new_order_input(fecha_entrega=delivery.isoformat() + zone), today=TODAY
    )
    assert new.fecha_entrega == delivery


@given(days=st.integers(min_value=1, max_value=3650), zone=ZONES)
def test_delivery_before_today_is_rejected(days: int, zone: str) -> None:
    delivery = TODAY - timedelta(days=days)
    with pytest.raises(ValidationError, match="before today"):
        validate_new_order(new_order_input(fecha_entrega=delivery.isoformat() + zone), today=TODAY)


@pytest.mark.parametrize(
    "value",
    ["2030-02-30", "2030-13-01", "30-06-15", "2030/06/15", "15-06-2030", "", 20300615, None],
)
def test_delivery_that_is_not_a_real_date_is_rejected(value: object) -> None:
    with pytest.raises(ValidationError, match="fecha_entrega"):
        validate_new_order(new_order_input(fecha_entrega=value), today=TODAY)


@given(estado=st.sampled_from([e for e in Estado if e is not Estado.recibida]))
def test_new_order_can_only_be_recibida(estado: Estado) -> None:
    with pytest.raises(ValidationError, match="recibida"):
        validate_new_order(new_order_input(estado=estado.value), today=TODAY)
    assert validate_new_order(new_order_input(estado="recibida"), today=TODAY)


@given(limit=st.integers(min_value=1, max_value=100))
def test_limit_inside_1_to_100_is_kept(limit: int) -> None:
    assert validate_limit(limit) == limit


@given(
    limit=st.one_of(st.integers(max_value=0), st.integers(min_value=101), st.booleans(), st.text())
)
def test_limit_outside_1_to_100_is_rejected(limit: object) -> None:
    with pytest.raises(ValidationError, match="limit"):
        validate_limit(limit)


def test_limit_defaults_to_20() -> None:
    assert validate_limit(None) == DEFAULT_LIMIT == 20


@given(instant=AWARE)
def test_aws_datetime_is_normalised_to_fixed_width_utc(instant: datetime) -> None:
    normalised = datetime_argument(instant.isoformat(), "desde")
    assert len(normalised) == len("2030-01-01T00:00:00.000000Z")
    assert normalised.endswith("Z")
    assert datetime.fromisoformat(normalised) == instant


@given(a=AWARE, b=AWARE)
def test_fixed_width_strings_sort_like_the_instants(a: datetime, b: datetime) -> None:
    assert (format_instant(a) < format_instant(b)) == (a < b)


@pytest.mark.parametrize("value", ["2030-01-01T10:00:00", "2030-01-01", "yesterday", "", 12])
def test_aws_datetime_without_offset_or_malformed_is_rejected(value: object) -> None:
    with pytest.raises(ValidationError, match="hasta"):
        datetime_argument(value, "hasta")


@given(a=AWARE, b=AWARE)
def test_desde_after_hasta_is_rejected(a: datetime, b: datetime) -> None:
    earlier, later = sorted((a, b))
    if earlier == later:
        return
    with pytest.raises(ValidationError, match="desde"):
        validate_state_query("recibida", None, later.isoformat(), earlier.isoformat())
    query = validate_state_query("recibida", None, earlier.isoformat(), later.isoformat())
    assert query.desde == format_instant(earlier)
    assert query.hasta == format_instant(later)


def test_state_query_defaults_to_ascending() -> None:
    assert validate_state_query("enproceso").direction is SortDirection.ASC


@pytest.mark.parametrize("value", ["asc", "UP", 1])
def test_unknown_sort_direction_is_rejected(value: object) -> None:
    with pytest.raises(ValidationError, match="sortDirection"):
        validate_state_query("recibida", value)


@given(value=st.one_of(st.text(), st.integers(), st.none(), st.lists(st.text())))
def test_estado_outside_the_four_states_is_rejected(value: object) -> None:
    if isinstance(value, str) and value in {e.value for e in Estado}:
        return
    with pytest.raises(ValidationError, match="estado"):
        validate_state_query(value)


@given(motivo=st.one_of(st.none(), WHITESPACE))
def test_cancelling_needs_a_non_blank_motivo(motivo: str | None) -> None:
    with pytest.raises(ValidationError, match="motivo"):
        validate_state_change("cancelada", motivo)


def test_motivo_on_another_state_is_rejected() -> None:
    with pytest.raises(ValidationError, match="motivo"):
        validate_state_change("enproceso", "porque sí")


@given(version=st.one_of(st.integers(max_value=0), st.booleans(), st.text()))
def test_expected_version_must_be_a_positive_integer(version: object) -> None:
    with pytest.raises(ValidationError, match="expectedVersion"):
        validate_state_change("enproceso", None, version)


@pytest.mark.parametrize("value", ["", "   ", None, "x" * 257, 42])
def test_order_id_must_be_a_short_non_blank_string(value: object) -> None:
    with pytest.raises(ValidationError, match="id"):
        validate_order_id(value)


def test_parse_aws_date_keeps_the_date_part_of_an_offset_date() -> None:
    assert date_argument("2026-12-01+02:00", "fecha_entrega") == date(2026, 12, 1)
    assert date_argument("2026-12-01Z", "fecha_entrega") == date(2026, 12, 1)


@pytest.mark.parametrize(
    ("value", "normalised"),
    [
        ("0500-01-01T00:00:00Z", "0500-01-01T00:00:00.000000Z"),
        ("0999-12-31T23:00:00-02:00", "1000-01-01T01:00:00.000000Z"),
    ],
)
def test_an_early_year_keeps_the_fixed_width(value: str, normalised: str) -> None:
    # strftime's %Y does not pad years before 1000: "500-..." would sort after "2030-...".
    assert datetime_argument(value, "desde") == normalised


@pytest.mark.parametrize("value", ["0001-01-01T00:00:00+02:00", "9999-12-31T23:59:59-02:00"])
def test_a_moment_outside_what_utc_can_hold_is_a_validation_error(value: str) -> None:
    with pytest.raises(ValidationError, match="hasta"):
        datetime_argument(value, "hasta")


@pytest.mark.parametrize("char", ["ñ", "€", "😀"])
def test_the_2000_limit_counts_characters_not_bytes(char: str) -> None:
    text = char * MAX_DESCRIPCION_LENGTH
    assert validate_new_order(new_order_input(descripcion=text), today=TODAY).descripcion == text
    with pytest.raises(ValidationError, match="2000"):
        validate_new_order(new_order_input(descripcion=text + char), today=TODAY)


def test_a_day_first_date_says_which_format_it_is_and_what_to_send() -> None:
    # The REST service took DD/MM/YYYY; its users meet this message first.
    with pytest.raises(ValidationError) as refused:
        validate_new_order(new_order_input(fecha_entrega="10/04/2099"), today=TODAY)
    assert "DD/MM/YYYY" in str(refused.value)
    assert "'2099-04-10'" in str(refused.value)
    # a day-first reading that is no date is read month-first
    with pytest.raises(ValidationError, match=r"MM/DD/YYYY; send '2099-04-25'"):
        validate_new_order(new_order_input(fecha_entrega="04/25/2099"), today=TODAY)
