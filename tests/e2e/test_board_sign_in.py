"""Signing in to the board with a Cognito user of the local pool, in a real browser: the
board calls the API with the user's token, shows who created and who moved each order, and
offers only the moves the access policy (resolvers/definitions/access.py) gives the user's
groups. The users are made as an administrator makes them, with boto3's admin calls
against the emulator's pool (AdminCreateUser, AdminSetUserPassword, AdminAddUserToGroup:
https://docs.aws.amazon.com/cognito-user-identity-pools/latest/APIReference/API_AdminCreateUser.html)."""

import uuid
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from playwright.sync_api import Page, expect

from harness.cognito_users import local_cognito, new_password
from resolvers.definitions.access import SUPERVISORES, TECNICOS
from resolvers.domain.caller import API_KEY_POR
from tests.e2e import test_board_browser as board_browser
from tests.e2e.conftest import Emulator, running_emulator
from tests.e2e.orders_api import create
from tests.e2e.test_board_browser import WAIT_MS, _card, _live

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.emulator_only("signs users in to the emulator's own pool"),
]


# The browser and the loopback-only page of the board's browser tests.
browser = board_browser.browser
offline_page = board_browser.offline_page
outside_requests = board_browser.outside_requests


@pytest.fixture(scope="module")
def board_emulator(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Emulator]:
    # No API cache: a reload lists what is there now.
    yield from running_emulator(tmp_path_factory, cache_ttl_seconds=0)


def _add_user(emulator: Emulator, group: str) -> tuple[str, str]:
    pool: dict[str, Any] = httpx.get(f"{emulator.url}/health").json()["cognito"]
    cognito = local_cognito(pool)
    email, password = f"{group}-{uuid.uuid4().hex[:6]}@example.com", new_password()
    pool_id = pool["userPoolId"]
    cognito.admin_create_user(
        UserPoolId=pool_id,
        Username=email,
        UserAttributes=[{"Name": "email", "Value": email}],
        MessageAction="SUPPRESS",
    )
    cognito.admin_set_user_password(
        UserPoolId=pool_id, Username=email, Password=password, Permanent=True
    )
    cognito.admin_add_user_to_group(UserPoolId=pool_id, Username=email, GroupName=group)
    return email, password


def _sign_in(page: Page, email: str, password: str) -> None:
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()
    expect(page.locator("#who")).to_have_text(f"Signed in as {email}", timeout=WAIT_MS)
    expect(page.locator("#live")).to_have_attribute("data-state", "live", timeout=WAIT_MS)


def test_a_tecnico_moves_but_cannot_cancel_and_a_supervisor_cancels_with_a_reason(
    board_emulator: Emulator, offline_page: Page, outside_requests: list[str]
) -> None:
    board = offline_page
    tecnico, tecnico_password = _add_user(board_emulator, TECNICOS)
    supervisor, supervisor_password = _add_user(board_emulator, SUPERVISORES)
    descripcion = f"Revisar bomba {uuid.uuid4().hex[:4]}"
    create(board_emulator, descripcion)

    # given a tecnico signed in
    _live(board, f"{board_emulator.url}/")
    _sign_in(board, tecnico, tecnico_password)

    # then the card says who created it and offers no cancellation
    card = _card(board, "recibida", descripcion)
    expect(card).to_be_visible(timeout=WAIT_MS)
    expect(card.locator(".creado_por")).to_have_text(API_KEY_POR)
    expect(card.get_by_role("button")).to_have_text(["Move to enproceso"])

    # when the tecnico starts the work, the card names the tecnico as who moved it
    card.get_by_role("button", name="Move to enproceso").click()
    started = _card(board, "enproceso", descripcion)
    expect(started).to_be_visible(timeout=WAIT_MS)
    expect(started.locator(".cambio[data-estado='enproceso']")).to_have_text(
        f"enproceso by {tecnico}"
    )
    expect(started.get_by_role("button")).to_have_text(["Move to completada"])

    # and a supervisor signed in instead may cancel it, giving the reason
    board.get_by_role("button", name="Sign out").click()
    _sign_in(board, supervisor, supervisor_password)
    started = _card(board, "enproceso", descripcion)
    expect(started.get_by_role("button")).to_have_text(["Move to completada", "Cancel…"])
    started.get_by_role("button", name="Cancel…").click()
    started.get_by_label("Reason for cancelling").fill("pieza agotada")
    started.get_by_role("button", name="Confirm cancellation").click()
    cancelled = _card(board, "cancelada", descripcion)
    expect(cancelled).to_be_visible(timeout=WAIT_MS)
    expect(cancelled.locator(".cambio[data-estado='cancelada']")).to_have_text(
        f"cancelada by {supervisor} (pieza agotada)"
    )
    expect(cancelled.locator(".cambio[data-estado='enproceso']")).to_have_text(
        f"enproceso by {tecnico}"
    )
    # The token lives in this tab's sessionStorage only.
    assert board.evaluate("() => localStorage.length") == 0
    assert "token" in board.evaluate("() => sessionStorage.getItem('orders-board-user')")
    assert outside_requests == []


def test_a_wrong_password_shows_cognitos_refusal(
    board_emulator: Emulator, offline_page: Page
) -> None:
    email, _ = _add_user(board_emulator, TECNICOS)
    _live(offline_page, f"{board_emulator.url}/")
    offline_page.get_by_label("Email").fill(email)
    offline_page.get_by_label("Password").fill("Wrong-password-1!")
    offline_page.get_by_role("button", name="Sign in").click()
    expect(offline_page.locator("#sign-in-error")).to_contain_text(
        "NotAuthorizedException", timeout=WAIT_MS
    )
    expect(offline_page.locator("#who")).to_have_text("Using the API key")
