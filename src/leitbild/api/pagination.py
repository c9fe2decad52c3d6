"""Every list of the API is paginated the same way: ``?limit=&offset=`` and
``{"items": [...], "count": N}``."""

from ninja import Field, Schema
from ninja.pagination import LimitOffsetPagination

DEFAULT_LIMIT = 100
MAX_LIMIT = 500
# Without a bound, an offset past 2**63 reaches the database and fails there (SQLite
# cannot bind it); no list comes near this one.
MAX_OFFSET = 2**31 - 1


class PageIn(Schema):
    limit: int = Field(
        DEFAULT_LIMIT, ge=1, le=MAX_LIMIT, description=f"Items per page, at most {MAX_LIMIT}."
    )
    offset: int = Field(0, ge=0, le=MAX_OFFSET, description="Items to skip.")


class Pagination(LimitOffsetPagination):
    """``limit`` items (default 100, at most 500) from ``offset`` on; ``count`` is the
    number of all items that match the filters."""

    Input = PageIn  # named, not ninja's "Input", in the OpenAPI document

    def __init__(self, **kwargs):
        super().__init__(max_limit=MAX_LIMIT, **kwargs)
