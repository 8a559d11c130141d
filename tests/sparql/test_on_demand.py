"""A pool made at its first query and closed once idle (the server engine's Python query
process for texts that mention ``service``)."""

from __future__ import annotations

import threading
import time
from typing import Any

import pytest

from hamar_graph.sparql.errors import QueryStopped
from hamar_graph.sparql.on_demand import OnDemand


class FakePool:
    """Records what it is asked; ``run`` waits for ``release`` when given one."""

    def __init__(self, release: threading.Event | None = None) -> None:
        self.jobs: list[Any] = []
        self.closed = False
        self.release = release
        self.running = threading.Event()

    def run(self, job: Any, client: str = "") -> Any:
        self.jobs.append((job, client))
        self.running.set()
        if self.release is not None:
            self.release.wait(10)
        return f"answer to {job}"

    def pids(self) -> list[int]:
        return [] if self.closed else [1]

    def busy_pids(self) -> list[int]:
        return [1] if self.running.is_set() and not self.closed else []

    def close(self) -> None:
        self.closed = True


def test_made_at_the_first_query_and_kept_while_in_use() -> None:
    made: list[FakePool] = []
    lane = OnDemand(lambda: made.append(FakePool()) or made[-1], idle=60)
    assert lane.pids() == [] and made == []
    assert lane.run("q1", "127.0.0.2") == "answer to q1"
    assert lane.run("q2") == "answer to q2"
    assert len(made) == 1 and made[0].jobs == [("q1", "127.0.0.2"), ("q2", "")]
    lane.retire()  # not idle long enough
    assert not made[0].closed and lane.pids() == [1]


def test_retired_once_idle_and_made_again_later() -> None:
    made: list[FakePool] = []
    lane = OnDemand(lambda: made.append(FakePool()) or made[-1], idle=0.05)
    lane.run("q")
    time.sleep(0.1)
    lane.retire()
    assert made[0].closed and lane.pids() == []
    lane.run("again")
    assert len(made) == 2 and not made[1].closed


def test_never_retired_while_a_query_runs_in_it() -> None:
    release = threading.Event()
    pool = FakePool(release)
    lane = OnDemand(lambda: pool, idle=0.0)
    thread = threading.Thread(target=lane.run, args=("long",))
    thread.start()
    assert pool.running.wait(10)
    lane.retire()
    assert not pool.closed and lane.busy_pids() == [1]
    release.set()
    thread.join(10)
    lane.retire()
    assert pool.closed


def test_closed_it_refuses_with_503() -> None:
    pool = FakePool()
    lane = OnDemand(lambda: pool, idle=60)
    lane.run("q")
    lane.close()
    assert pool.closed
    with pytest.raises(QueryStopped) as stopped:
        lane.run("q")
    assert stopped.value.status == 503
