"""The board and the explorer in a real browser: Playwright drives Debian's Chromium
(/usr/bin/chromium, which `make test` installs with apt-get; Playwright never downloads a
browser of its own). Screenshots go to tests/e2e/artifacts/ (ignored by git)."""

import datetime
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import Browser, Locator, Page, Request, Route, expect, sync_playwright

from tests.e2e.conftest import Emulator, running_emulator
from tests.e2e.orders_api import create

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.emulator_only("a board emulator of its own, empty at the start"),
]

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
ARTIFACTS = Path(__file__).parent / "artifacts"
WAIT_MS = 15_000
LOOPBACK = {"127.0.0.1", "localhost", "[::1]", "::1"}


@pytest.fixture(scope="module")
def board_emulator(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Emulator]:
    """An emulator of its own: the board starts empty, so what the test sees is its doing.
    Its API cache is off: a page loaded again must list what is there now, not a list page
    cached a moment ago (which AppSync may serve for up to its TTL)."""
    yield from running_emulator(tmp_path_factory, cache_ttl_seconds=0)


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    if not CHROMIUM.exists():
        pytest.fail(f"{CHROMIUM} is missing: `make browser` installs Debian's chromium")
    ARTIFACTS.mkdir(exist_ok=True)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM, headless=True, args=CHROMIUM_FLAGS
        )
        yield browser
        browser.close()


@pytest.fixture
def outside_requests(browser: Browser) -> list[str]:
    """Filled by `offline_page`: every request a page tried beyond loopback (all refused)."""
    return []


@pytest.fixture
def offline_page(browser: Browser, outside_requests: list[str]) -> Iterator[Page]:
    context = browser.new_context(viewport={"width": 1280, "height": 800})

    def loopback_only(route: Route, request: Request) -> None:
        if urlsplit(request.url).hostname in LOOPBACK or request.url.startswith("data:"):
            route.continue_()
        else:
            outside_requests.append(request.url)
            route.abort()

    context.route("**/*", loopback_only)
    page = context.new_page()
    yield page
    context.close()


def _live(page: Page, url: str) -> None:
    page.goto(url)
    # "live" once AppSync (here the emulator) acknowledged both subscriptions
    expect(page.locator("#live")).to_have_attribute("data-state", "live", timeout=WAIT_MS)


def _column(page: Page, estado: str) -> Locator:
    return page.locator(f"section.column[data-estado='{estado}']")


def _card(page: Page, estado: str, descripcion: str) -> Locator:
    return _column(page, estado).locator("li.card", has_text=descripcion)


def _create(page: Page, descripcion: str, fecha_entrega: str) -> None:
    page.get_by_label("Description").fill(descripcion)
    page.get_by_label("Delivery date").fill(fecha_entrega)
    page.get_by_role("button", name="Create order").click()


def test_an_order_goes_across_the_board_and_other_pages_follow_live(
    board_emulator: Emulator, browser: Browser, offline_page: Page, outside_requests: list[str]
) -> None:
    board = offline_page
    _live(board, f"{board_emulator.url}/")
    descripcion = f"Cambiar rodamientos {uuid.uuid4().hex[:4]}"
    delivery = (datetime.date.today() + datetime.timedelta(days=7)).isoformat()

    _create(board, descripcion, delivery)
    card = _card(board, "recibida", descripcion)
    expect(card).to_be_visible(timeout=WAIT_MS)
    # a new order offers exactly its legal moves
    expect(card.get_by_role("button")).to_have_text(["Move to enproceso", "Cancel…"])

    card.get_by_role("button", name="Move to enproceso").click()
    card = _card(board, "enproceso", descripcion)
    expect(card).to_be_visible(timeout=WAIT_MS)
    expect(_card(board, "recibida", descripcion)).to_have_count(0)

    # cancelling without a reason: the API's ValidationError shows on the card
    card.get_by_role("button", name="Cancel…").click()
    card.get_by_role("button", name="Confirm cancellation").click()
    expect(card.get_by_role("alert")).to_contain_text("ValidationError", timeout=WAIT_MS)
    board.screenshot(path=ARTIFACTS / "board-cancel-error.png")
    card.get_by_role("button", name="Keep order").click()

    card.get_by_role("button", name="Move to completada").click()
    done = _card(board, "completada", descripcion)
    expect(done).to_be_visible(timeout=WAIT_MS)
    expect(done.get_by_role("button")).to_have_count(0)  # completada is final

    # a second page changes the board; the first sees it without reloading
    other = browser.new_page()
    _live(other, f"{board_emulator.url}/")
    second = f"Revisar caldera {uuid.uuid4().hex[:4]}"
    _create(other, second, delivery)
    expect(_card(board, "recibida", second)).to_be_visible(timeout=WAIT_MS)
    _card(other, "recibida", second).get_by_role("button", name="Cancel…").click()
    _card(other, "recibida", second).get_by_label("Reason for cancelling").fill("duplicada")
    _card(other, "recibida", second).get_by_role("button", name="Confirm cancellation").click()
    expect(_card(board, "cancelada", second)).to_be_visible(timeout=WAIT_MS)
    other.close()

    # one more in each open column, for the picture in docs/frontends.md
    _create(board, "Pintar la nave 2", delivery)
    expect(_card(board, "recibida", "Pintar la nave 2")).to_be_visible(timeout=WAIT_MS)
    _create(board, "Calibrar sensores", delivery)
    started = _card(board, "recibida", "Calibrar sensores")
    started.get_by_role("button", name="Move to enproceso").click()
    expect(_card(board, "enproceso", "Calibrar sensores")).to_be_visible(timeout=WAIT_MS)
    board.screenshot(path=ARTIFACTS / "board.png", full_page=True)
    assert outside_requests == []


def test_a_past_due_delivery_date_is_highlighted_until_the_order_is_final(
    board_emulator: Emulator, offline_page: Page
) -> None:
    page = offline_page
    _live(page, f"{board_emulator.url}/")
    descripcion = f"Vence pronto {uuid.uuid4().hex[:4]}"
    tomorrow = datetime.date.today() + datetime.timedelta(days=1)
    _create(page, descripcion, tomorrow.isoformat())
    expect(_card(page, "recibida", descripcion)).to_be_visible(timeout=WAIT_MS)

    # the page's clock two days on: the same order, read afresh, is past due
    page.clock.set_fixed_time(
        datetime.datetime.combine(tomorrow, datetime.time(12)) + datetime.timedelta(days=1)
    )
    _live(page, f"{board_emulator.url}/")

    due = _card(page, "recibida", descripcion).locator(".due")
    expect(due.locator(".overdue")).to_have_text("past due", timeout=WAIT_MS)
    expect(due.locator(".overdue")).to_be_visible()
    expect(due).to_have_class("due past-due")

    _card(page, "recibida", descripcion).get_by_role("button", name="Move to enproceso").click()
    _card(page, "enproceso", descripcion).get_by_role("button", name="Move to completada").click()
    final = _card(page, "completada", descripcion).locator(".due")
    expect(final).to_have_class("due", timeout=WAIT_MS)
    expect(final.locator(".overdue")).to_be_hidden()


def test_the_explorer_runs_a_query_with_nothing_beyond_loopback(
    board_emulator: Emulator, offline_page: Page, outside_requests: list[str]
) -> None:
    page = offline_page
    page.goto(f"{board_emulator.url}/graphql")
    # the key is prefilled in the headers editor (the page is on loopback)
    expect(page.locator(".graphiql-editor-tool")).to_contain_text(
        board_emulator.api_key, timeout=WAIT_MS
    )

    page.get_by_role("button", name="Execute query (Ctrl-Enter)").click()

    result = page.locator(".result-window")
    expect(result).to_contain_text('"ordersByState"', timeout=WAIT_MS)
    expect(result).not_to_contain_text("errors")
    page.screenshot(path=ARTIFACTS / "explorer.png")
    assert outside_requests == []


def test_an_explorer_subscription_receives_the_orders_created(
    board_emulator: Emulator, offline_page: Page
) -> None:
    page = offline_page
    page.goto(f"{board_emulator.url}/graphql")
    editor = page.locator(".graphiql-query-editor .CodeMirror")
    expect(editor).to_be_visible(timeout=WAIT_MS)
    editor.evaluate(
        "(node, query) => node.CodeMirror.setValue(query)",
        "subscription { onOrderCreated { id descripcion } }",
    )
    page.get_by_role("button", name="Execute query (Ctrl-Enter)").click()
    # the explorer's subscriptions go over AppSync's real-time protocol; once the
    # emulator holds the subscriber, an order created elsewhere reaches the result pane
    result = page.locator(".result-window")
    descripcion = f"vista en el explorador {uuid.uuid4().hex[:4]}"

    def created_and_shown() -> None:
        create(board_emulator, descripcion)
        expect(result).to_contain_text(descripcion, timeout=2_000)

    _eventually(created_and_shown)


def _eventually(step: Callable[[], None], attempts: int = 5) -> None:
    """The page gives no sign that its subscription is registered; a few tries bound it."""
    for attempt in range(attempts):
        try:
            step()
            return
        except AssertionError:
            if attempt == attempts - 1:
                raise
