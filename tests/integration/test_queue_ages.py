"""`orders queues` asks the embedded AWS for its queues' ages on a path of its own
(api.emulator.embedded_aws.queue_ages). An endpoint that does not serve that path, an
external one, leaves every age unknown (null) and the counts still print."""

import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, HTTPServer

import pytest

from api.emulator.local_aws import QUEUE_AGES_PATH, LocalAws
from api.emulator.queues import _oldest_sent_ms

ANSWERS = {
    "not served": (404, b'{"orders-local-recibida.fifo": 1}'),
    "not json": (200, b"<html>"),
    "not a map": (200, b"[1, 2]"),
    "served": (200, b'{"a.fifo": 1700000000000, "b.fifo": null, "c.fifo": true, "d": "1"}'),
}


@pytest.fixture(params=list(ANSWERS))
def endpoint(request: pytest.FixtureRequest) -> Iterator[tuple[str, str]]:
    status, body = ANSWERS[request.param]
    asked: list[str] = []

    class Answer(BaseHTTPRequestHandler):
        def do_GET(self) -> None:  # http.server calls it by this name
            asked.append(self.path)
            self.send_response(status)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *_: object) -> None:
            pass

    server = HTTPServer(("127.0.0.1", 0), Answer)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield request.param, f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()
    assert asked == [f"{QUEUE_AGES_PATH}?region=eu-west-1"]


def test_only_a_well_formed_answer_gives_ages(endpoint: tuple[str, str]) -> None:
    name, url = endpoint
    aws = LocalAws.at(url, embedded=False, env={"AWS_REGION": "eu-west-1"})
    expected = {"a.fifo": 1700000000000, "b.fifo": None} if name == "served" else {}
    assert _oldest_sent_ms(aws) == expected
