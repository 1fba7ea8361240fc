"""An order's attributes have one definition, the fields of `Order` (resolvers/domain/
order.py): adding one there is the whole change; the GraphQL type, the stored item, the
transition's write, projections and `as_dict`/`from_dict` follow. Proved by making that one
edit in a copy of the code and checking each of them in a fresh interpreter."""

import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
ANCHOR = "    creado_por: str = field(\n"
NEW_FIELD = "    prioridad: int = field(default=0, metadata=attribute(doc='Higher goes first'))\n"

CHECK = textwrap.dedent(
    """
    from dataclasses import replace
    from datetime import UTC, date, datetime

    from api.sdl import export_sdl
    from resolvers.adapters.orders_table import _to_item, _update_from
    from resolvers.domain.order import ORDER_ATTRIBUTES, NewOrder, Order, StateChange, transition
    from resolvers.domain.states import Estado
    from resolvers.routes.projection import selected_attributes

    now = datetime(2030, 1, 1, tzinfo=UTC)
    order = replace(
        Order.register(NewOrder("x", date(2030, 1, 5)), order_id="o-1", now=now), prioridad=3
    )
    assert "prioridad" in ORDER_ATTRIBUTES
    assert order.as_dict()["prioridad"] == 3
    assert Order.from_dict(order.as_dict()) == order
    assert _to_item(order, 1)["prioridad"] == {"N": "3"}
    moved = replace(transition(order, StateChange(Estado.enproceso), now=now), prioridad=5)
    update = _update_from(order, moved, 1, unpublished_since=None)
    assert "#prioridad = :prioridad" in update["UpdateExpression"], update
    assert selected_attributes(["id", "prioridad"]) == {"id", "prioridad"}
    order_type = export_sdl().split("type Order ")[1].split("}")[0]
    assert "prioridad: Int!" in order_type, order_type
    print("followed")
    """
)


def test_a_field_added_to_order_reaches_every_part(tmp_path: Path) -> None:
    # given a copy of the code with one edit: a field on Order
    for package in ("resolvers", "api"):
        shutil.copytree(ROOT / package, tmp_path / package, ignore=shutil.ignore_patterns("web"))
    order_py = tmp_path / "resolvers" / "domain" / "order.py"
    source = order_py.read_text(encoding="utf-8")
    assert ANCHOR in source
    order_py.write_text(source.replace(ANCHOR, NEW_FIELD + ANCHOR, 1), encoding="utf-8")
    # when that code is imported / then every part has the field
    checked = subprocess.run(  # noqa: S603 - our own interpreter and script
        [sys.executable, "-c", CHECK],
        cwd=tmp_path,
        env={"PYTHONPATH": str(tmp_path), "PATH": "/usr/bin:/bin"},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert checked.returncode == 0, checked.stderr
    assert checked.stdout.strip() == "followed"
