"""Run a producer in a background thread a few items ahead of its consumer.

For pipelines where both sides release the GIL most of the time: polars parsing the next
batch of a file while the database server ingests the previous one, on the other core.
"""

from __future__ import annotations

import threading
from collections.abc import Iterable, Iterator
from queue import Empty, Full, Queue
from typing import TypeVar

T = TypeVar("T")
_END = object()


def ahead(items: Iterable[T], depth: int = 2) -> Iterator[T]:
    """Yield ``items``, produced in a background thread at most ``depth`` items ahead.

    An exception in the producer is raised in the consumer, at the point it was reached. When
    the consumer stops early (an exception, or it closes the generator), the producer stops
    at its next item and the thread is joined: nothing keeps running behind the caller's back.
    The producer must not use the caller's database connection (Django's are per thread).
    """
    queue: Queue = Queue(maxsize=depth)
    stop = threading.Event()

    def put(entry) -> bool:
        while not stop.is_set():
            try:
                queue.put(entry, timeout=0.05)
                return True
            except Full:
                continue
        return False

    def produce() -> None:
        try:
            for item in items:
                if not put((item, None)):
                    return
            put((_END, None))
        except BaseException as error:  # handed to the consumer, raised there
            put((_END, error))

    thread = threading.Thread(target=produce, name="kam-ahead", daemon=True)
    thread.start()
    try:
        while True:
            try:
                item, error = queue.get(timeout=0.05)
            except Empty:
                if not thread.is_alive() and queue.empty():
                    return
                continue
            if error is not None:
                raise error
            if item is _END:
                return
            yield item
    finally:
        stop.set()
        thread.join()
