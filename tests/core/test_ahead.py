"""kam.core.ahead: a producer thread a few items ahead, that never outlives its consumer."""

from __future__ import annotations

import threading

import pytest

from kam.core.ahead import ahead


def test_items_arrive_all_and_in_order():
    assert list(ahead(iter(range(1000)), depth=2)) == list(range(1000))


def test_an_error_in_the_producer_is_raised_in_the_consumer_after_the_items_before_it():
    def produce():
        yield 1
        yield 2
        raise ValueError("row 3 is bad")

    seen = []
    with pytest.raises(ValueError, match="row 3 is bad"):
        for item in ahead(produce()):
            seen.append(item)
    assert seen == [1, 2]


def test_the_producer_stops_when_the_consumer_does():
    produced = []

    def produce():
        for i in range(10_000):
            produced.append(i)
            yield i

    items = ahead(produce(), depth=2)
    assert next(items) == 0
    items.close()

    assert not any(t.name == "kam-ahead" and t.is_alive() for t in threading.enumerate())
    # At most the depth of the queue, plus the one in hand and the one being put, were made.
    assert len(produced) <= 5
