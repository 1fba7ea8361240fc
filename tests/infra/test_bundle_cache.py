"""The cache of built Lambda bundles (infra.lambda_package): it keeps the most recently
used, and never removes a folder another synth is still building or using, only one a
process that died left behind."""

import os
import time
from pathlib import Path

import pytest

from infra import lambda_package


def _folder(cache: Path, name: str, age_seconds: float) -> Path:
    folder = cache / name
    folder.mkdir()
    when = time.time() - age_seconds
    os.utime(folder, (when, when))
    return folder


def test_the_most_recent_bundles_are_kept_and_no_folder_in_the_making_is_removed(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(lambda_package, "BUNDLE_CACHE", tmp_path)
    (tmp_path / "lock").touch()
    bundles = [_folder(tmp_path, f"{n:064x}", age_seconds=60 * n) for n in range(7)]
    building = _folder(tmp_path, f"{7:064x}.fresh", age_seconds=60)
    one_synths = _folder(tmp_path, f"{8:064x}.alone", lambda_package.ABANDONED_AFTER_SECONDS - 60)
    abandoned = _folder(tmp_path, f"{9:064x}.died", lambda_package.ABANDONED_AFTER_SECONDS + 60)

    lambda_package._prune(keep=bundles[6])  # the oldest, but the one in use now

    kept = {path.name for path in tmp_path.iterdir()}
    expected = [bundles[6], *bundles[: lambda_package.KEPT_BUNDLES - 1], building, one_synths]
    assert kept == {"lock", *(path.name for path in expected)}
    assert not abandoned.exists()
