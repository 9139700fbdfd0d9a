"""gc_paused: bulk work runs without the cyclic collector, and what it made is not left for a young collection."""
from __future__ import annotations

import gc
import weakref

from app.gcpause import gc_paused


class _Node:
    def __init__(self) -> None:
        self.other: _Node | None = None


def test_the_collector_is_paused_inside_and_restored_after() -> None:
    assert gc.isenabled()
    with gc_paused():
        assert not gc.isenabled()
        with gc_paused():
            assert not gc.isenabled()
        assert not gc.isenabled()  # the inner pause found it paused and leaves it so
    assert gc.isenabled()
    gc.disable()
    try:
        with gc_paused():
            pass
        assert not gc.isenabled()  # paused before: still paused
    finally:
        gc.enable()


def test_objects_made_while_paused_go_straight_to_the_oldest_generation() -> None:
    gc.collect()
    with gc_paused():
        made = [[i] for i in range(50_000)]  # tracked containers a young collection would otherwise walk
    oldest = {id(o) for o in gc.get_objects(generation=2)}
    assert id(made[0]) in oldest and id(made[-1]) in oldest and id(made) in oldest


def test_a_cycle_made_garbage_while_paused_is_still_collected() -> None:
    with gc_paused():
        a, b = _Node(), _Node()
        a.other, b.other = b, a
        gone = weakref.ref(a)
        del a, b
    assert gone() is not None  # a cycle: reference counting alone cannot free it
    gc.collect()
    assert gone() is None
    assert not gc.garbage


def test_young_garbage_from_before_the_pause_is_collected_on_the_way_in() -> None:
    gc.collect()
    a, b = _Node(), _Node()
    a.other, b.other = b, a
    gone = weakref.ref(a)
    del a, b
    with gc_paused():
        assert gone() is None  # not promoted with the bulk work's objects to wait for a full collection
