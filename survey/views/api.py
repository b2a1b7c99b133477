"""The JSON API for ticketing tools and integrations: bearer API keys, JSON errors, no CSRF
(no cookies are read here).

This module holds the ``api`` blueprint and what every route of it shares (``api_key_required``,
``api_error``; the answer language is ``api_language``), with the routes no journey owns: the
department list and the OpenAPI document. The feature packages add their routes to ``bp``:
``survey/delivery/api.py`` (interactions, their events, webhooks) and
``survey/scorecards/api.py`` (a department's scorecard); the app factory imports them before
it registers the blueprint, so nothing here imports a feature package."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from flask import Blueprint, g, jsonify, request
from sqlalchemy import select

from survey.db import get_session
from survey.extensions import csrf, limit_api_keys
from survey.models import Department
from survey.models.auth import API_SCOPES
from survey.names import localized_name
from survey.services.accounts import find_api_key
from survey.views.api_language import LANG_ERROR, LanguageError, answer_language
from survey.views.openapi import openapi_document

bp = Blueprint("api", __name__, url_prefix="/api/v1")
csrf.exempt(bp)


def api_error(status: int, message: str, field: str | None = None) -> tuple[Any, int]:
    body: dict[str, Any] = {"error": message, "status": status}
    if field is not None:
        body["field"] = field
    return jsonify(body), status


def api_key_required(scope: str) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """401 with a JSON error unless ``Authorization: Bearer <key>`` names an active key; 403
    when the key was not given ``scope`` (one of ``models.auth.API_SCOPES``): a ticketing
    tool's key cannot post bounce reports, nor a mail relay's report requests. Rate-limited
    (``extensions.limit_api_keys``): refused keys per client address, requests per key; 429
    with ``Retry-After`` over either."""
    if scope not in API_SCOPES:
        raise ValueError(f"unknown API key scope {scope!r}")

    def decorator(view: Callable[..., Any]) -> Callable[..., Any]:
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
            if not key.allows(scope):
                return api_error(403, f"this API key may not use {scope}", "Authorization")
            g.api_key = key
            return view(*args, **kwargs)

        wrapped.api_key_required = True  # type: ignore[attr-defined]
        wrapped.api_key_scope = scope  # type: ignore[attr-defined]
        return limit_api_keys(wrapped)

    return decorator


def _unauthorised(message: str) -> tuple[Any, int, dict[str, str]]:
    body, status = api_error(401, message, "Authorization")
    return body, status, {"WWW-Authenticate": 'Bearer realm="service-iq"'}


@bp.get("/departments")
@api_key_required("scorecards")
def departments() -> Any:
    try:
        lang = answer_language()
    except LanguageError:
        return api_error(400, LANG_ERROR, "lang")
    rows = get_session().scalars(
        select(Department).where(Department.active.is_(True)).order_by(Department.code)
    )
    response = jsonify(
        {
            "departments": [
                {
                    "code": d.code,
                    "name": localized_name(d, lang),
                    "parent": d.parent.code if d.parent else None,
                }
                for d in rows
            ]
        }
    )
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.get("/openapi.json")
def openapi() -> Any:
    return jsonify(openapi_document())
