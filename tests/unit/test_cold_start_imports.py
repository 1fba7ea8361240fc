"""The cold start's remaining import, attributed: what `python -X importtime` says of the
modules only the handler imports, grouped by what brings them (bench/cold_start.py)."""

import pytest

from bench.cold_start import IMPORT_GROUPS, IMPORT_LINE, OTHER_IMPORTS, remaining_imports


def test_an_importtime_line_gives_the_module_and_its_own_microseconds() -> None:
    line = "import time:       369 |     175057 |     resolvers.adapters.aws_clients"
    match = IMPORT_LINE.match(line)
    assert match is not None
    assert (match[1], match[2]) == ("369", "resolvers.adapters.aws_clients")
    assert IMPORT_LINE.match("import time: self [us] | cumulative | imported package") is None


def test_only_the_handler_s_modules_count_each_its_median_summed_by_group() -> None:
    handler = [
        {"boto3": 9.0, "resolvers.domain.order": 4.0, "resolvers.bootstrap": 1.0, "wrapt": 2.0},
        {"boto3": 9.0, "resolvers.domain.order": 6.0, "resolvers.bootstrap": 1.0, "wrapt": 3.0},
        # A module one child missed counts as nothing there.
        {"boto3": 9.0, "resolvers.domain.order": 5.0, "pkgutil": 0.5, "wrapt": 10.0},
    ]
    boto3 = [{"boto3": 8.0}, {"boto3": 8.0, "pkgutil": 0.4}]
    remaining = remaining_imports(handler, boto3)
    assert remaining["children"] == 3
    # boto3 and pkgutil are imported by the baseline too: both variants pay them.
    assert remaining["ms_by_group"] == {
        IMPORT_GROUPS["resolvers"]: pytest.approx(5.0 + 1.0),
        IMPORT_GROUPS["wrapt"]: pytest.approx(3.0),
    }
    assert remaining["total_ms"] == pytest.approx(9.0)
    assert list(remaining["ms_by_group"]) == [IMPORT_GROUPS["resolvers"], IMPORT_GROUPS["wrapt"]]


def test_a_module_no_group_names_is_counted_apart() -> None:
    remaining = remaining_imports([{"json.decoder": 1.5}], [{}])
    assert remaining["ms_by_group"] == {OTHER_IMPORTS: 1.5}
