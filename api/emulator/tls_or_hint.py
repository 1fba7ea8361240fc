"""TLS mode's listener: one port that speaks TLS, and answers a plain HTTP request with one
line saying to use https:// instead of closing the connection without a word (what a TLS
server does with bytes that are not a handshake).

uvicorn runs without TLS of its own; each connection goes through `TlsOrHint`, which peeks
at the first byte the client sent (a TLS handshake starts with 0x16) without reading it,
then either starts TLS on the connection and hands it to uvicorn's HTTP protocol, or writes
the hint and closes."""

import asyncio
import os
import socket
import ssl
from collections.abc import Callable
from pathlib import Path
from typing import Any, cast

from uvicorn.protocols.http.auto import AutoHTTPProtocol

TLS_HANDSHAKE = 0x16
FIRST_BYTE_SECONDS = 30.0


def hint(url: str) -> bytes:
    text = f"This server speaks TLS (orders serve --tls): use {url}\n".encode()
    head = (
        "HTTP/1.1 400 Bad Request\r\ncontent-type: text/plain; charset=utf-8\r\n"
        f"content-length: {len(text)}\r\nconnection: close\r\n\r\n"
    )
    return head.encode() + text


def protocol(cert: Path, key: Path, https_url: str) -> type[asyncio.Protocol]:
    """uvicorn's `http` protocol class for TLS mode, with its certificate and the URL the
    hint gives."""
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(cert, key)
    context.set_alpn_protocols(["http/1.1"])
    answer = hint(https_url)

    class TlsOrHint(asyncio.Protocol):
        def __init__(self, **uvicorn_arguments: Any) -> None:
            self._inner: Callable[[], asyncio.Protocol] = lambda: AutoHTTPProtocol(
                **uvicorn_arguments
            )
            self._routing: asyncio.Task[None] | None = None

        def connection_made(self, transport: asyncio.BaseTransport) -> None:
            # uvloop's transports are not asyncio.Transport subclasses, but behave as one.
            connection = cast(asyncio.Transport, transport)
            connection.pause_reading()
            self._routing = asyncio.get_running_loop().create_task(self._route(connection))

        def connection_lost(self, exc: Exception | None) -> None:
            if self._routing is not None:
                self._routing.cancel()

        async def _route(self, transport: asyncio.Transport) -> None:
            loop = asyncio.get_running_loop()
            try:
                first = await _peek(loop, transport.get_extra_info("socket").fileno())
                if first and first[0] == TLS_HANDSHAKE:
                    waiting = _Waiting(self._inner())
                    secure = await loop.start_tls(transport, waiting, context, server_side=True)
                    if secure is not None:
                        waiting.hand_over(secure)
                    return
                if first:
                    transport.write(answer)
            except (OSError, ssl.SSLError, TimeoutError, ConnectionError):
                pass  # a client that hung up, or a broken handshake: nothing to answer
            transport.close()

    return TlsOrHint


class _Waiting(asyncio.Protocol):
    """Holds what arrives between the TLS handshake and the moment start_tls returns (asyncio
    may deliver the first request before then), and hands the connection to `inner`."""

    def __init__(self, inner: asyncio.Protocol) -> None:
        self._inner = inner
        self._early: list[bytes] = []
        self._lost: tuple[Exception | None] | None = None

    def data_received(self, data: bytes) -> None:
        self._early.append(data)

    def connection_lost(self, exc: Exception | None) -> None:
        self._lost = (exc,)

    def hand_over(self, secure: asyncio.BaseTransport) -> None:
        secure.set_protocol(self._inner)
        self._inner.connection_made(secure)
        for data in self._early:
            self._inner.data_received(data)
        if self._lost is not None:
            self._inner.connection_lost(self._lost[0])


async def _peek(loop: asyncio.AbstractEventLoop, fd: int) -> bytes:
    """The connection's first byte, left in the socket for whoever reads it next."""
    deadline = loop.time() + FIRST_BYTE_SECONDS
    with socket.socket(fileno=os.dup(fd)) as peeker:
        peeker.setblocking(False)
        while True:
            try:
                return peeker.recv(1, socket.MSG_PEEK)
            except BlockingIOError:
                pass  # nothing yet (a readiness report can come early): wait for more
            readable: asyncio.Future[None] = loop.create_future()
            loop.add_reader(peeker.fileno(), _settle, readable)
            try:
                await asyncio.wait_for(readable, max(0.0, deadline - loop.time()))
            finally:
                loop.remove_reader(peeker.fileno())


def _settle(future: "asyncio.Future[None]") -> None:
    if not future.done():
        future.set_result(None)
