"""Helpers and fixtures of the administration tests."""

from __future__ import annotations

from typing import Any

import pytest
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


@pytest.fixture
def staff(make_department, make_person):  # type: ignore[no-untyped-def]
    """Five active people of IT (``p0@example.com``...) and one already inactive (the people
    sync's tests)."""
    it = make_department(code="IT", name="IT")
    for n in range(5):
        make_person(email=f"p{n}@example.com", department=it, name=f"Person {n}")
    make_person(email="gone@example.com", department=it, name="Long Gone", active=False)
    return it
