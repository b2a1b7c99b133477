"""The landing page with its three doors, and a health check for load balancers."""

from __future__ import annotations

from flask import Blueprint, render_template
from sqlalchemy import text

from survey.db import get_session

bp = Blueprint("main", __name__)


@bp.get("/")
def index() -> str:
    return render_template("main/index.html")


@bp.get("/healthz")
def health() -> tuple[dict[str, str], int]:
    get_session().execute(text("SELECT 1"))
    return {"status": "ok"}, 200
