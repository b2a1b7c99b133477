"""Helpers for the administration tests."""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session


def count(session: Session, model: Any, *where: Any) -> int:
    """Rows of ``model`` as committed now (the test's session starts a fresh transaction)."""
    session.rollback()
    return session.scalar(select(func.count()).select_from(model).where(*where)) or 0


def fresh(session: Session, model: Any, ident: int) -> Any:
    """The committed state of one row."""
    session.rollback()
    session.expire_all()
    return session.get(model, ident)
