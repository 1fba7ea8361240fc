"""The pages the emulator serves beside the API: the work-order board at `/` and the explorer
(GraphiQL) on a browser's GET of `/graphql`. Plain HTML, CSS and JavaScript modules from this
folder; the explorer's scripts vendored in `explorer/vendor/` (pinned versions and their
licences: `explorer/vendor/NOTICE`), never from a CDN, so serving needs no npm."""

import ipaddress
from pathlib import Path
from typing import Any

from starlette.requests import Request
from starlette.responses import FileResponse, JSONResponse, Response
from starlette.routing import BaseRoute, Mount, Route
from starlette.staticfiles import StaticFiles

from resolvers.definitions.access import ENTRY_GROUPS, GROUPS
from resolvers.domain.states import TRANSITIONS, Estado

WEB = Path(__file__).parent
# The pages talk to the API they were served with, or to any API the user points them at.
PAGE_SECURITY = {
    "Content-Security-Policy": "default-src 'self'; connect-src 'self' http: https: ws: wss:; "
    "style-src 'self' 'unsafe-inline'; img-src 'self' data:; font-src 'self' data:; "
    "frame-ancestors 'none'",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
}
LOOPBACK_HOSTNAMES = {"localhost"}


def web_routes(api_key: str, *, share_key: bool) -> list[BaseRoute]:
    """`share_key`: the server listens on loopback only, so whoever loads the page from this
    machine may have the key prefilled."""

    async def board(_: Request) -> Response:
        return FileResponse(WEB / "board" / "index.html", headers=PAGE_SECURITY)

    async def config(request: Request) -> Response:
        if not _first_party(request):
            return JSONResponse({"error": "cross-site request"}, status_code=403)
        given = api_key if share_key and _loopback_host(request) else None
        body: dict[str, Any] = {
            "apiKey": given,
            "states": [e.value for e in Estado],
            "transitions": {e.value: sorted(t.value for t in TRANSITIONS[e]) for e in Estado},
            # The access policy (resolvers/definitions/access.py), so that the board offers a
            # signed-in user only the moves the API will accept; the API still decides.
            "access": {
                "groups": list(GROUPS),
                "entryGroups": {e.value: list(g) for e, g in ENTRY_GROUPS.items()},
            },
        }
        return JSONResponse(body, headers={"Cache-Control": "no-store"})

    return [
        Route("/", board),
        Route("/config.json", config),
        Mount("/board", StaticFiles(directory=WEB / "board")),
        Mount("/client", StaticFiles(directory=WEB / "client")),
        Mount("/explorer", StaticFiles(directory=WEB / "explorer")),
    ]


def explorer_page() -> Response:
    return FileResponse(WEB / "explorer" / "index.html", headers=PAGE_SECURITY)


def _first_party(request: Request) -> bool:
    """Not a fetch from another site: the emulator answers every origin (CORS, as AppSync
    does), so the key must not go to a page that only made the browser ask."""
    site = request.headers.get("sec-fetch-site")
    if site is not None and site not in {"same-origin", "none"}:
        return False
    origin = request.headers.get("origin")
    return origin is None or origin == f"{request.url.scheme}://{request.headers.get('host')}"


def _loopback_host(request: Request) -> bool:
    """The name the browser used is a loopback one: a page from a DNS name rebound to
    127.0.0.1 gets no key."""
    hostname = request.url.hostname or ""
    if hostname in LOOPBACK_HOSTNAMES:
        return True
    try:
        return ipaddress.ip_address(hostname.strip("[]")).is_loopback
    except ValueError:
        return False
