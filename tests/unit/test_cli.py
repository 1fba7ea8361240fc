"""The `orders` command line reads its options and their environment variables."""

import pytest

from api.cli import build_parser


def test_serve_defaults_are_local_and_cached() -> None:
    args = build_parser().parse_args(["serve"])
    assert (args.host, args.port, args.aws_port, args.cache_ttl) == ("127.0.0.1", 8000, 4566, 30)
    assert args.endpoint_url is None
    assert args.api_key is None  # a fresh random key is made at start


def test_environment_variables_set_the_defaults(monkeypatch: pytest.MonkeyPatch) -> None:
    # given
    monkeypatch.setenv("ORDERS_PORT", "9000")
    monkeypatch.setenv("ORDERS_AWS_PORT", "5000")
    monkeypatch.setenv("ORDERS_CACHE_TTL", "0")
    monkeypatch.setenv("ORDERS_API_KEY", "k")
    monkeypatch.setenv("ORDERS_ENDPOINT_URL", "http://127.0.0.1:8001")
    # when
    args = build_parser().parse_args(["serve"])
    # then
    assert (args.port, args.aws_port, args.cache_ttl, args.api_key) == (9000, 5000, 0, "k")
    assert args.endpoint_url == "http://127.0.0.1:8001"
    # and an option still wins over its variable
    assert build_parser().parse_args(["serve", "--port", "9100"]).port == 9100


@pytest.mark.parametrize("ttl", ["-1", "3601", "soon"])
def test_a_cache_ttl_appsync_would_refuse_is_an_option_error(
    ttl: str, capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit) as exit_:
        build_parser().parse_args(["serve", "--cache-ttl", ttl])
    assert exit_.value.code == 2
    assert "--cache-ttl" in capsys.readouterr().err


def test_a_bad_port_variable_is_an_option_error_not_a_traceback(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("ORDERS_PORT", "eighty")
    with pytest.raises(SystemExit):
        build_parser().parse_args(["serve"])
    assert "--port: 'eighty' is not a port number" in capsys.readouterr().err


def test_queues_drains_only_a_known_state(capsys: pytest.CaptureFixture[str]) -> None:
    assert build_parser().parse_args(["queues", "--drain", "recibida"]).drain == "recibida"
    with pytest.raises(SystemExit):
        build_parser().parse_args(["queues", "--drain", "perdida"])
