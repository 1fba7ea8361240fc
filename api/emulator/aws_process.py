"""The embedded AWS in a process of its own: moto's server app, its state restored from and
snapshotted to the data directory (api.emulator.persistence) and its SQS queue model with
constant-cost sends (api.emulator.sqs_model). In its own process it has its own interpreter,
so moto's work runs on the second core while the API serves on the first.

`orders serve` starts it (`EmbeddedAwsProcess`) and talks to it over the child's standard
streams: the child prints one line when it serves (or why it cannot), and stops when its
standard input says `stop` (after a last snapshot) or closes (the parent died: it stops at
once, as the embedded server did when it lived in the parent's process, so the next start
finds the port free and the last periodic snapshot in place)."""

import argparse
import logging
import os
import signal
import subprocess
import sys
import threading
from collections.abc import Sequence
from pathlib import Path
from typing import NoReturn

from api.emulator.data_dir import DataDirError

READY = "ready"
STOP = "stop"
_ERROR = "error: "
START_SECONDS = 60
STOP_SECONDS = 30


class EmbeddedAwsProcess:
    """The parent's handle on the child: `start()` returns once it serves on host:port."""

    def __init__(self, host: str, port: int, state: Path | None) -> None:
        arguments = [sys.executable, "-m", "api.emulator.aws_process", host, str(port)]
        if state is not None:
            arguments += ["--state", str(state)]
        self._arguments = arguments
        self._process: subprocess.Popen[str] | None = None

    def start(self) -> None:
        self.launch()
        self.wait_ready()

    def launch(self) -> None:
        """Start the child and return at once (`wait_ready` waits for it)."""
        # Our own module, fixed arguments; stderr stays the server's, for moto's tracebacks.
        self._process = subprocess.Popen(  # noqa: S603
            self._arguments,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )

    def wait_ready(self) -> None:
        """Raises DataDirError when the child cannot serve (an unreadable snapshot, a port
        taken since it was checked): the message is the child's."""
        assert self._process is not None
        assert self._process.stdout is not None
        line = self._process.stdout.readline().strip()
        if line != READY:
            self._process.wait(START_SECONDS)
            raise DataDirError(line.removeprefix(_ERROR) or "the embedded AWS did not start")

    @property
    def pid(self) -> int | None:
        return self._process.pid if self._process else None

    def stop(self) -> None:
        """Stop it after its last snapshot (waits for it, within STOP_SECONDS)."""
        process, self._process = self._process, None
        if process is None:
            return
        try:
            assert process.stdin is not None
            process.stdin.write(f"{STOP}\n")
            process.stdin.close()
        except (BrokenPipeError, OSError):
            pass  # it already ended (a signal sent to the whole process group)
        try:
            process.wait(STOP_SECONDS)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def _serve(host: str, port: int, state_path: Path | None) -> int:
    # Imported here: the parent process never loads moto.
    from api.emulator import cognito_mfa, sqs_model
    from api.emulator.embedded_aws import EmbeddedAws
    from api.emulator.persistence import AwsState, RequestGate

    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(name)s: %(message)s")
    # moto's server logs every AWS call; the console keeps the emulator's own lines.
    logging.getLogger("werkzeug").setLevel(logging.WARNING)
    sqs_model.install()
    # moto accepts any MFA code unless told to check it; the local pool checks TOTP codes
    # against the secret it hands out, as Cognito does. And one Cognito behaviour moto lacks.
    os.environ["MOTO_COGNITO_IDP_USER_POOL_ENABLE_TOTP"] = "true"
    cognito_mfa.require_mfa_setup_on_password_sign_in()
    gate = RequestGate() if state_path else None
    state = AwsState(state_path, gate) if state_path and gate else None
    try:
        if state:
            state.restore()
        server = EmbeddedAws(host, port, gate)
    except (DataDirError, OSError) as error:
        print(f"{_ERROR}{error}", flush=True)
        return 1
    server.start()
    if state:
        state.start()
    print(READY, flush=True)
    clean = _wait_for_stop()
    server.stop()
    if state and clean:
        state.stop()
    return 0


def _wait_for_stop() -> bool:
    """True when asked to stop (stdin says so, or SIGTERM); False when the parent is gone."""
    # Ctrl-C reaches the whole process group: the parent decides when this one stops.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    asked = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: asked.set())
    ended = threading.Event()

    def read() -> None:
        for line in sys.stdin:
            if line.strip() == STOP:
                asked.set()
                break
        ended.set()

    threading.Thread(target=read, name="parent", daemon=True).start()
    while not (asked.is_set() or ended.is_set()):
        asked.wait(0.2)
    return asked.is_set()


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m api.emulator.aws_process")
    parser.add_argument("host")
    parser.add_argument("port", type=int)
    parser.add_argument("--state", type=Path, default=None, help="the snapshot file")
    args = parser.parse_args(argv)
    return _serve(args.host, args.port, args.state)


def _exit(code: int) -> NoReturn:
    """Exit without the interpreter's teardown of moto's module graph (0.65 s of every stop
    here): by now the server is closed and the snapshot written; the streams are flushed."""
    logging.shutdown()
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(code)


if __name__ == "__main__":
    _exit(main())
