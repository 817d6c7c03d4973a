"""Pages of a list operation: ninja's limit/offset, bounded.

Unbounded, a huge ``limit`` or ``offset`` reached the database and failed there (``bigint out
of range`` on PostgreSQL): a server error. Bounded, it is a 422 naming the parameter, and the
bounds are in the OpenAPI document (``maximum``). Kept under ninja's name so an operation
reads ``@paginate(LimitOffsetPagination)`` as in ninja's documentation.
"""

from __future__ import annotations

from ninja import Field, Schema
from ninja.pagination import LimitOffsetPagination as NinjaLimitOffsetPagination

DEFAULT_LIMIT = 100
MAX_LIMIT = 1000
MAX_OFFSET = 1_000_000_000


class LimitOffsetPagination(NinjaLimitOffsetPagination):
    class Input(Schema):
        limit: int = Field(
            DEFAULT_LIMIT, ge=1, le=MAX_LIMIT, description="How many items, at most."
        )
        offset: int = Field(0, ge=0, le=MAX_OFFSET, description="How many items to skip.")

    def __init__(self, **kwargs) -> None:
        super().__init__(max_limit=MAX_LIMIT, **kwargs)
