"""What the emulator serves beside the API: the board at `/`, the explorer on a browser's GET
of /graphql with its scripts from the project's own npm package, the pages' settings (with the
key only for a page loaded from loopback), and /health in both modes."""

import httpx
import pytest

from resolvers.domain.states import TRANSITIONS, Estado
from tests.e2e.conftest import Emulator

pytestmark = [pytest.mark.e2e, pytest.mark.emulator_only("the pages and /health of the emulator")]


def _get(emulator: Emulator, path: str, **headers: str) -> httpx.Response:
    return httpx.get(f"{emulator.url}{path}", headers=headers, verify=emulator.verify(), timeout=10)


def test_the_board_is_served_at_the_root_with_a_content_security_policy(
    emulator: Emulator,
) -> None:
    response = _get(emulator, "/")

    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/html")
    assert '<script type="module" src="/board/board.js">' in response.text
    policy = response.headers["content-security-policy"]
    assert "default-src 'self'" in policy
    assert "frame-ancestors 'none'" in policy
    assert _get(emulator, "/board/board.js").headers["content-type"].startswith("text/javascript")


def test_the_explorer_loads_its_scripts_from_the_emulator_not_a_cdn(emulator: Emulator) -> None:
    page = _get(emulator, "/graphql", accept="text/html")

    assert page.status_code == 200
    for script in ("react.production.min.js", "react-dom.production.min.js", "graphiql.min.js"):
        assert f'src="/explorer/vendor/{script}"' in page.text
        vendored = _get(emulator, f"/explorer/vendor/{script}")
        assert vendored.status_code == 200
        assert len(vendored.content) > 1000
    assert "https://" not in page.text
    assert _get(emulator, "/explorer/vendor/package.json").status_code == 404


def test_a_page_from_loopback_gets_the_key_and_the_states_rule(emulator: Emulator) -> None:
    settings = _get(emulator, "/config.json").json()

    assert settings["apiKey"] == emulator.api_key
    assert settings["states"] == [e.value for e in Estado]
    assert settings["transitions"] == {
        e.value: sorted(t.value for t in targets) for e, targets in TRANSITIONS.items()
    }


def test_another_site_cannot_read_the_key(emulator: Emulator) -> None:
    # the emulator allows every origin (CORS, as AppSync does); the key must not follow
    cross_origin = _get(emulator, "/config.json", origin="https://example.com")
    cross_site = _get(emulator, "/config.json", **{"sec-fetch-site": "cross-site"})
    rebound = _get(emulator, "/config.json", host=f"attacker.example:{emulator.port}")

    assert cross_origin.status_code == 403
    assert cross_site.status_code == 403
    assert rebound.status_code == 200
    assert rebound.json()["apiKey"] is None


def test_a_401_names_its_error_in_x_amzn_errortype(emulator: Emulator) -> None:
    response = emulator.graphql("{ __typename }", headers={"x-api-key": "wrong"})

    # AppSync's 401 carries the header (graphql-dotnet/graphql-client#221 shows it on a
    # rejected request); Amplify JS names the error after it, else it says UnknownError.
    assert response.status_code == 401
    assert response.headers["x-amzn-errortype"] == "UnauthorizedException"


def test_health_gives_the_plain_urls_without_tls(emulator: Emulator) -> None:
    health = _get(emulator, "/health").json()

    assert health["graphql"] == f"http://{emulator.host}:{emulator.port}/graphql"
    assert health["realtime"] == f"ws://{emulator.host}:{emulator.port}/graphql/realtime"
    assert health["ca_cert"] is None


def test_health_in_tls_mode_gives_https_wss_and_the_ca_to_trust(tls_emulator: Emulator) -> None:
    # this request already trusted only that CA: the served certificate chains to it
    health = _get(tls_emulator, "/health").json()

    assert health["graphql"] == f"https://{tls_emulator.host}:{tls_emulator.port}/graphql"
    assert health["realtime"] == (f"wss://{tls_emulator.host}:{tls_emulator.port}/graphql/realtime")
    assert tls_emulator.ca_cert is not None
    assert health["ca_cert"] == str(tls_emulator.ca_cert.resolve())
    with pytest.raises(httpx.ConnectError):
        httpx.get(f"{tls_emulator.url}/health", timeout=10)  # not trusted by default


def test_plain_http_to_the_tls_port_gets_a_one_line_hint(tls_emulator: Emulator) -> None:
    # A TLS server would close the connection without a word; this one says what to use.
    answer = httpx.get(f"http://{tls_emulator.host}:{tls_emulator.port}/health", timeout=10)

    assert answer.status_code == 400
    assert answer.text == (
        "This server speaks TLS (orders serve --tls): use "
        f"https://{tls_emulator.host}:{tls_emulator.port}/graphql\n"
    )
    # and the port still speaks TLS to the next client
    assert _get(tls_emulator, "/health").json()["status"] == "ok"
