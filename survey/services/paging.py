"""Pagination of list queries for admin pages and API lists."""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session

T = TypeVar("T")


@dataclass(frozen=True)
class Page(Generic[T]):
    """One page of results; ``number`` counts from 1, ``pages`` is at least 1."""

    items: list[T]
    number: int
    per_page: int
    total: int
    query: str = ""

    @property
    def pages(self) -> int:
        return max(1, math.ceil(self.total / self.per_page))


def paginate(
    session: Session, stmt: Select[Any], page: int, per_page: int, query: str = ""
) -> Page[Any]:
    """Run ``stmt`` for page ``page`` (clamped to 1..pages). ``stmt`` must be ordered."""
    total = session.scalar(select(func.count()).select_from(stmt.order_by(None).subquery())) or 0
    pages = max(1, math.ceil(total / per_page))
    number = min(max(1, page), pages)
    items = list(session.scalars(stmt.limit(per_page).offset((number - 1) * per_page)))
    return Page(items=items, number=number, per_page=per_page, total=total, query=query)


def page_arg(raw: str | None) -> int:
    """A page number from the query string; anything unparsable is page 1."""
    try:
        return max(1, min(int(raw or 1), 1_000_000))
    except ValueError:
        return 1
