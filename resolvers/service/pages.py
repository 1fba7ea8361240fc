"""One page of `ordersByState` over the N shards of the state index.

Each shard is read from its own cursor, all of them at once, up to `limit + 1` orders each;
the shards' answers are merged by (`fecha_registro`, `id`) in the requested direction and
the first `limit` make the page. The next position moves the cursor of every shard that
gave an order to the page and keeps the others, so no order is returned twice or skipped,
whatever the pages' sizes. A nextToken is returned only when an order was read and left
out: the last page never points at an empty one.

Cost per page: N Queries, one per shard (and one more for a shard whose answer passes
DynamoDB's 1 MB per response), reading at most N * (limit + 1) items."""

import heapq
import itertools
from collections.abc import Sequence
from dataclasses import dataclass, replace

from resolvers.domain.queries import SortDirection, StateQuery
from resolvers.service.ports import OrderView, Position, ShardCursor, ShardRead


@dataclass(frozen=True)
class MergedPage:
    items: list[OrderView]
    # None on the last page.
    next: Position | None


def start(shards: int) -> Position:
    return (None,) * shards


def plan_reads(query: StateQuery, position: Position) -> list[ShardRead]:
    """The Query of each shard for the page after `position`.

    A shard that gave nothing yet is read from the start, but not from before the page's
    frontier (the `fecha_registro` of the last order returned): in a table at rest it holds
    nothing there anyway, and an order written into it since, newer than the frontier in a
    DESC listing, would otherwise show up out of order. One shard then behaves like N."""
    frontier = _frontier(query.direction, position)
    return [
        ShardRead(
            shard,
            query if cursor is not None or frontier is None else _from(query, frontier),
            cursor,
        )
        for shard, cursor in enumerate(position)
    ]


def merge_page(
    query: StateQuery, position: Position, fetched: Sequence[list[OrderView]], *, limit: int
) -> MergedPage:
    """The page from each shard's answer (`fetched[k]`, at most `limit + 1` orders of shard
    k in the query's direction)."""
    descending = query.direction is SortDirection.DESC
    # Each shard's answer is already in order: a k-way merge keeps it, and compares only
    # the shards' heads.
    merged = heapq.merge(
        *([(shard, view) for view in views] for shard, views in enumerate(fetched)),
        key=lambda entry: (entry[1]["fecha_registro"], entry[1]["id"]),
        reverse=descending,
    )
    taken = list(itertools.islice(merged, limit))
    if sum(len(views) for views in fetched) <= limit:
        # Every shard answered with fewer than limit + 1: each is exhausted, all taken.
        return MergedPage([view for _, view in taken], None)
    cursors = list(position)
    for shard, view in taken:
        cursors[shard] = ShardCursor(view["fecha_registro"], view["id"])
    return MergedPage([view for _, view in taken], tuple(cursors))


def _frontier(direction: SortDirection, position: Position) -> str | None:
    returned = [cursor.fecha_registro for cursor in position if cursor is not None]
    if not returned:
        return None
    return max(returned) if direction is SortDirection.ASC else min(returned)


def _from(query: StateQuery, frontier: str) -> StateQuery:
    # Inclusive: orders of other shards may share the frontier's microsecond.
    if query.direction is SortDirection.ASC:
        return replace(query, desde=frontier)
    return replace(query, hasta=frontier)
