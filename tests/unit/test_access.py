"""Who may do what: the policy as data, the caller read from AppSync's `identity` for each
authorization mode (recorded events, harness/appsync_events/), and `Unauthorized` through
the real Lambda entry: refused after the arguments, before anything is read or written.

The identity shapes are AppSync's resolver context reference ("Identity"):
https://docs.aws.amazon.com/appsync/latest/devguide/resolver-context-reference-js.html"""

from typing import Any

import pytest

from api.emulator.lambda_context import LambdaContext
from harness.appsync_events import appsync_event
from resolvers.bootstrap import Application
from resolvers.definitions.access import (
    ENTRY_GROUPS,
    GROUPS,
    SUPERVISORES,
    TECNICOS,
    UPDATE_ORDER_STATE_GROUPS,
    may_enter,
)
from resolvers.definitions.identity import caller_from_identity
from resolvers.domain.caller import API_KEY_POR, AuthMode, Caller
from resolvers.domain.errors import Unauthorized
from resolvers.domain.states import Estado
from resolvers.handler import Handler, handler_for
from tests.unit.fakes import FakeIdempotentCreation, FakePublisher, FakeRepository, order_service

SUPERVISORA = "ana.supervisora@example.com"


@pytest.fixture
def repository(monkeypatch: pytest.MonkeyPatch) -> FakeRepository:
    monkeypatch.setenv("POWERTOOLS_METRICS_DISABLED", "true")
    return FakeRepository()


@pytest.fixture
def publisher() -> FakePublisher:
    return FakePublisher()


@pytest.fixture
def lambda_handler(repository: FakeRepository, publisher: FakePublisher) -> Handler:
    application = Application(
        service=order_service(repository, publisher, idempotent_creation=FakeIdempotentCreation()),
        cache_ttl_seconds=0,
    )
    return handler_for(lambda: application)


def invoke(handler: Handler, event: dict[str, Any]) -> Any:
    return handler(event, LambdaContext())


def user(*groups: str) -> Caller:
    return Caller(AuthMode.user_pool, "someone@example.com", frozenset(groups))


# --- the policy -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("groups", "enproceso", "completada", "cancelada"),
    [
        ((), False, False, False),
        ((TECNICOS,), True, True, False),
        ((SUPERVISORES,), True, True, True),
        ((TECNICOS, SUPERVISORES), True, True, True),
        (("otro",), False, False, False),
    ],
)
def test_signed_in_users_enter_states_by_group(
    groups: tuple[str, ...], enproceso: bool, completada: bool, cancelada: bool
) -> None:
    caller = user(*groups)
    assert may_enter(caller, Estado.enproceso) is enproceso
    assert may_enter(caller, Estado.completada) is completada
    assert may_enter(caller, Estado.cancelada) is cancelada


@pytest.mark.parametrize("mode", [AuthMode.api_key, AuthMode.iam])
def test_the_key_and_iam_are_not_restricted_by_groups(mode: AuthMode) -> None:
    caller = Caller(mode, "whoever")
    assert all(may_enter(caller, estado) for estado in Estado)


def test_the_field_groups_are_every_group_that_may_enter_some_state() -> None:
    # what @aws_cognito_user_pools(cognito_groups: [...]) on updateOrderState lists
    assert set(UPDATE_ORDER_STATE_GROUPS) == {g for gs in ENTRY_GROUPS.values() for g in gs}
    assert set(UPDATE_ORDER_STATE_GROUPS) <= set(GROUPS)
    assert GROUPS == (TECNICOS, SUPERVISORES)


# --- the caller, per mode ---------------------------------------------------------------


def test_the_api_key_caller_is_api_key() -> None:
    identity = appsync_event("update_order_state")["identity"]
    assert caller_from_identity(identity) == Caller(AuthMode.api_key, API_KEY_POR)


def test_a_user_pool_caller_is_named_by_email_with_the_token_groups() -> None:
    identity = appsync_event("update_order_state_user_pool", groups=[TECNICOS])["identity"]
    assert caller_from_identity(identity) == Caller(
        AuthMode.user_pool, SUPERVISORA, frozenset({TECNICOS})
    )


def test_a_user_pool_caller_without_an_email_claim_is_named_by_username() -> None:
    # An access token carries no email; its username is the user's sub.
    event = appsync_event("update_order_state_user_pool", email="")
    caller = caller_from_identity(event["identity"])
    assert caller.por == event["identity"]["username"]


def test_an_iam_caller_is_named_by_its_arn() -> None:
    identity = appsync_event("update_order_state_iam")["identity"]
    assert caller_from_identity(identity) == Caller(
        AuthMode.iam, "arn:aws:sts::123456789012:assumed-role/orders-backend/facturacion"
    )


@pytest.mark.parametrize(
    "identity",
    [
        {"resolverContext": {"tenant": "a"}},  # a Lambda authorizer
        {"sub": "s", "issuer": "https://idp.example.com", "claims": {}},  # OIDC
    ],
)
def test_a_mode_the_api_does_not_configure_is_unauthorized(identity: dict[str, Any]) -> None:
    with pytest.raises(Unauthorized):
        caller_from_identity(identity)


# --- Unauthorized through the Lambda entry ----------------------------------------------


def created_order(handler: Handler, publisher: FakePublisher) -> str:
    order_id: str = invoke(handler, appsync_event("create_order"))["id"]
    publisher.published.clear()
    return order_id


def test_a_tecnico_cannot_cancel_and_nothing_is_read_written_or_published(
    repository: FakeRepository, publisher: FakePublisher, lambda_handler: Handler
) -> None:
    # given an order, and a store that records every read
    order_id = created_order(lambda_handler, publisher)
    before = dict(repository.orders)
    repository.loads.clear()
    # when a tecnico cancels it
    event = appsync_event(
        "update_order_state_user_pool",
        {"id": order_id, "estado": "cancelada", "motivo": "duplicada"},
        groups=[TECNICOS],
    )
    result = invoke(lambda_handler, event)
    # then: Unauthorized, naming who may; nothing read, written or published
    assert result["error"]["type"] == "Unauthorized"
    assert SUPERVISORES in result["error"]["message"]
    assert repository.loads == []
    assert repository.orders == before
    assert publisher.published == []


def test_a_supervisora_can_cancel(
    repository: FakeRepository, publisher: FakePublisher, lambda_handler: Handler
) -> None:
    order_id = created_order(lambda_handler, publisher)
    event = appsync_event(
        "update_order_state_user_pool",
        {"id": order_id, "estado": "cancelada", "motivo": "duplicada"},
        groups=[SUPERVISORES],
    )
    result = invoke(lambda_handler, event)
    assert (result["estado"], result["version"]) == ("cancelada", 2)
    assert [(o.estado, o.version) for o in publisher.published] == [(Estado.cancelada, 2)]


def test_a_tecnico_can_start_and_complete(
    publisher: FakePublisher, lambda_handler: Handler
) -> None:
    order_id = created_order(lambda_handler, publisher)
    for estado in ("enproceso", "completada"):
        event = appsync_event(
            "update_order_state_user_pool", {"id": order_id, "estado": estado}, groups=[TECNICOS]
        )
        assert invoke(lambda_handler, event)["estado"] == estado


def test_a_user_in_no_group_cannot_move_an_order(
    publisher: FakePublisher, lambda_handler: Handler
) -> None:
    order_id = created_order(lambda_handler, publisher)
    event = appsync_event(
        "update_order_state_user_pool", {"id": order_id, "estado": "enproceso"}, groups=[]
    )
    result = invoke(lambda_handler, event)
    assert result["error"]["type"] == "Unauthorized"
    assert "tecnicos or supervisores" in result["error"]["message"]


@pytest.mark.parametrize("name", ["update_order_state", "update_order_state_iam"])
def test_the_key_and_iam_cancel_without_a_group(
    publisher: FakePublisher, lambda_handler: Handler, name: str
) -> None:
    order_id = created_order(lambda_handler, publisher)
    event = appsync_event(name, {"id": order_id, "estado": "cancelada", "motivo": "duplicada"})
    assert invoke(lambda_handler, event)["estado"] == "cancelada"


@pytest.mark.parametrize(
    ("arguments", "error_type"),
    [
        # ValidationError first: the arguments are checked before the caller's right
        ({"id": "o-1", "estado": "cancelada"}, "ValidationError"),
        ({"id": "", "estado": "cancelada", "motivo": "x"}, "ValidationError"),
        # then Unauthorized, before NotFound: nothing is read for a caller who may not
        ({"id": "no-such-order", "estado": "cancelada", "motivo": "x"}, "Unauthorized"),
    ],
)
def test_unauthorized_comes_after_validation_and_before_not_found(
    repository: FakeRepository,
    lambda_handler: Handler,
    arguments: dict[str, Any],
    error_type: str,
) -> None:
    event = appsync_event("update_order_state_user_pool", arguments, groups=[TECNICOS])
    assert invoke(lambda_handler, event)["error"]["type"] == error_type
    assert repository.orders == {}


# --- who did what, per mode -------------------------------------------------------------

IAM_ARN = "arn:aws:sts::123456789012:assumed-role/orders-backend/facturacion"


@pytest.mark.parametrize(
    ("create", "update", "por"),
    [
        ("create_order", "update_order_state", API_KEY_POR),
        ("create_order_user_pool", "update_order_state_user_pool", SUPERVISORA),
        ("create_order_iam", "update_order_state_iam", IAM_ARN),
    ],
)
def test_creado_por_and_historial_name_the_caller_of_each_mode(
    repository: FakeRepository, lambda_handler: Handler, create: str, update: str, por: str
) -> None:
    # given an order created by the mode's recorded caller
    created = invoke(lambda_handler, appsync_event(create))
    assert created["creado_por"] == por
    # when the same caller moves it on twice
    for estado in ("enproceso", "completada"):
        event = appsync_event(update, {"id": created["id"], "estado": estado})
        result = invoke(lambda_handler, event)
    # then each state it entered names who entered it, in order, with its version
    assert [(c["estado"], c["por"], c["version"]) for c in result["historial"]] == [
        ("recibida", por, 1),
        ("enproceso", por, 2),
        ("completada", por, 3),
    ]
    assert result["historial"][-1]["fecha"] == result["fecha_actualizacion"]
    assert repository.orders[created["id"]].as_dict() == result


def test_a_user_known_only_by_username_is_recorded_by_it(lambda_handler: Handler) -> None:
    # An access token without an email claim (no pre-token trigger): the username it has.
    event = appsync_event("create_order_user_pool", email="")
    created = invoke(lambda_handler, event)
    assert created["creado_por"] == event["identity"]["username"]
