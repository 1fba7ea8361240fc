"""The `orders` command line reads its options and their environment variables, and ends an
expected failure with one line."""

from pathlib import Path

import pytest

from api.cli import build_parser, main


def test_serve_defaults_are_local_and_cached() -> None:
    args = build_parser().parse_args(["serve"])
    assert (args.host, args.port, args.aws_port, args.cache_ttl) == ("127.0.0.1", 8000, 4566, 30)
    assert args.endpoint_url is None
    assert args.api_key is None  # the data directory's key, made on first start
    assert (args.data_dir, args.ephemeral) == (".orders", False)


def test_environment_variables_set_the_defaults(monkeypatch: pytest.MonkeyPatch) -> None:
    # given
    monkeypatch.setenv("ORDERS_PORT", "9000")
    monkeypatch.setenv("ORDERS_AWS_PORT", "5000")
    monkeypatch.setenv("ORDERS_CACHE_TTL", "0")
    monkeypatch.setenv("ORDERS_API_KEY", "k")
    monkeypatch.setenv("ORDERS_ENDPOINT_URL", "http://127.0.0.1:8001")
    monkeypatch.setenv("ORDERS_DATA_DIR", "work/orders-data")
    monkeypatch.setenv("ORDERS_EPHEMERAL", "1")
    # when
    args = build_parser().parse_args(["serve"])
    # then
    assert (args.port, args.aws_port, args.cache_ttl, args.api_key) == (9000, 5000, 0, "k")
    assert args.endpoint_url == "http://127.0.0.1:8001"
    assert (args.data_dir, args.ephemeral) == ("work/orders-data", True)
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


def test_queues_help_describes_only_what_queues_reads(capsys: pytest.CaptureFixture[str]) -> None:
    # `--host` was listed as an "address to bind", which `orders queues` never does.
    with pytest.raises(SystemExit):
        build_parser().parse_args(["queues", "--help"])
    shown = capsys.readouterr().out
    assert "--data-dir" in shown
    assert "--endpoint-url" in shown
    assert "--host" not in shown
    assert "bind" not in shown


def test_queues_with_no_server_is_one_line_and_a_failure(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    # given a data directory no server holds (sockets are off: nothing is reached)
    monkeypatch.delenv("ORDERS_ENDPOINT_URL", raising=False)
    # when
    code = main(["queues", "--data-dir", str(tmp_path / "nothing-here")])
    # then
    error = capsys.readouterr().err
    assert code == 1
    assert error.startswith("orders queues: no orders serve is running")
    assert error.count("\n") == 1


def test_a_schema_that_cannot_be_written_is_one_line(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    def refuse() -> Path:
        raise PermissionError(13, "Permission denied", "schema.graphql")

    monkeypatch.setattr("api.sdl.write_schema", refuse)
    assert main(["schema"]) == 1
    error = capsys.readouterr().err
    assert error.startswith("orders schema: cannot write the schema")
    assert error.count("\n") == 1


def test_scale_settings_default_to_one_and_come_from_their_variables(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    args = build_parser().parse_args(["serve"])
    assert (args.state_shards, args.queue_groups) == (1, 1)
    monkeypatch.setenv("ORDERS_STATE_SHARDS", "4")
    monkeypatch.setenv("ORDERS_QUEUE_GROUPS", "8")
    args = build_parser().parse_args(["serve"])
    assert (args.state_shards, args.queue_groups) == (4, 8)
    assert build_parser().parse_args(["serve", "--state-shards", "2"]).state_shards == 2


@pytest.mark.parametrize(
    ("option", "value", "message"),
    [
        ("--state-shards", "0", "the state index has 1 to 64 shards"),
        ("--state-shards", "65", "the state index has 1 to 64 shards"),
        ("--state-shards", "four", "'four' is not a whole number"),
        ("--queue-groups", "0", "a state queue has 1 to 10000 message groups"),
    ],
)
def test_a_scale_setting_out_of_range_is_an_option_error(
    option: str, value: str, message: str, capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit) as exit_:
        build_parser().parse_args(["serve", option, value])
    assert exit_.value.code == 2
    err = capsys.readouterr().err
    assert option in err
    assert message in err
