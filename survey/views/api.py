"""The JSON API for ticketing tools and integrations: bearer API keys, JSON errors, no CSRF
(no cookies are read here)."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from flask import Blueprint, g, jsonify, request
from sqlalchemy import select

from survey.db import get_session
from survey.extensions import csrf
from survey.models import Department
from survey.services.accounts import find_api_key

bp = Blueprint("api", __name__, url_prefix="/api/v1")
csrf.exempt(bp)


def api_error(status: int, message: str, field: str | None = None) -> tuple[Any, int]:
    body: dict[str, Any] = {"error": message, "status": status}
    if field is not None:
        body["field"] = field
    return jsonify(body), status


def api_key_required(view: Callable[..., Any]) -> Callable[..., Any]:
    """401 with a JSON error unless ``Authorization: Bearer <key>`` names an active key."""

    @wraps(view)
    def wrapped(*args: Any, **kwargs: Any) -> Any:
        header = request.headers.get("Authorization", "")
        scheme, _, secret = header.partition(" ")
        if scheme.lower() != "bearer" or not secret.strip():
            return _unauthorised("missing bearer API key")
        db = get_session()
        key = find_api_key(db, secret.strip())
        if key is None:
            return _unauthorised("unknown or revoked API key")
        db.commit()
        g.api_key = key
        return view(*args, **kwargs)

    wrapped.api_key_required = True  # type: ignore[attr-defined]
    return wrapped


def _unauthorised(message: str) -> tuple[Any, int, dict[str, str]]:
    body, status = api_error(401, message, "Authorization")
    return body, status, {"WWW-Authenticate": 'Bearer realm="service-iq"'}


@bp.get("/departments")
@api_key_required
def departments() -> Any:
    rows = get_session().scalars(
        select(Department).where(Department.active.is_(True)).order_by(Department.code)
    )
    return jsonify(
        {
            "departments": [
                {
                    "code": d.code,
                    "name": d.name,
                    "parent": d.parent.code if d.parent else None,
                }
                for d in rows
            ]
        }
    )
