"""Helpers for the retention and erasure tests: a realistic history (the demo organisation,
eight quarters of answers, requests and invitations) and every figure the API publishes."""

from __future__ import annotations

import gc
import json
from datetime import date
from typing import Any

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from survey.demo import build_demo
from survey.models import Department
from survey.periods import previous_quarters
from survey.services.accounts import create_api_key
from survey.services.lru import Lru

TODAY = date(2026, 5, 15)  # history 2024Q2 .. 2026Q1, the present in 2026Q2
QUARTERS = previous_quarters("2026Q1", 8)


def build_history(app: Flask, session: Session) -> str:
    """The demo organisation in the test's database; returns an API key."""
    with app.app_context():
        build_demo(session, seed=3, today=TODAY)
    _key, secret = create_api_key(session, "figures")
    session.commit()
    return secret


def clear_caches() -> None:
    """Drop every per-process cache of figures, so a page is computed from the database."""
    for obj in gc.get_objects():
        if isinstance(obj, Lru):
            obj.clear()


def published(client: FlaskClient, api_key: str, session: Session) -> dict[str, Any]:
    """Every department's API scorecard (the figures of its page) for every quarter of the
    history, keyed ``CODE/quarter``; computed afresh (caches cleared first)."""
    clear_caches()
    session.rollback()
    codes = list(session.scalars(select(Department.code).order_by(Department.code)))
    out: dict[str, Any] = {}
    for code in codes:
        for quarter in QUARTERS:
            response = client.get(
                f"/api/v1/departments/{code}/scorecard?quarter={quarter}",
                headers={"Authorization": f"Bearer {api_key}"},
            )
            assert response.status_code == 200, response.get_data(as_text=True)[:300]
            out[f"{code}/{quarter}"] = response.get_json()
    return out


def figures_with(figures: dict[str, Any], name: str) -> int:
    """How many non-null ``raw`` figures of component ``name`` (T, R, C) the figures hold
    (so that a comparison of figures is known to compare something)."""
    count = 0

    def walk(value: Any) -> None:
        nonlocal count
        if isinstance(value, dict):
            for key, inner in value.items():
                if key == name and isinstance(inner, dict) and inner.get("raw") is not None:
                    count += 1
                walk(inner)
        elif isinstance(value, list):
            for inner in value:
                walk(inner)

    walk(figures)
    return count


def dumps(figures: dict[str, Any]) -> str:
    return json.dumps(figures, sort_keys=True)
