"""The JSON API for ticketing tools and integrations: bearer API keys, JSON errors, no CSRF
(no cookies are read here)."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from flask import Blueprint, g, jsonify, request
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from survey.db import get_session
from survey.extensions import csrf
from survey.models import Department, Interaction
from survey.services.accounts import find_api_key
from survey.services.api_input import parse_interaction
from survey.services.interactions import FieldError, find_existing, record_interaction
from survey.views.openapi import openapi_document

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


def _interaction_json(interaction: Interaction, created: bool) -> dict[str, Any]:
    return {
        "id": interaction.id,
        "created": created,
        "provider": interaction.provider.code,
        "source": interaction.source,
        "external_ref": interaction.external_ref,
        "survey": interaction.survey_decision,
    }


@bp.post("/interactions")
@api_key_required
def post_interaction() -> Any:
    """Record a handled request; idempotent on source + external_ref."""
    if not request.is_json:
        return api_error(
            415, "send a JSON body with Content-Type: application/json", "Content-Type"
        )
    body = request.get_json(silent=True)
    if body is None:
        return api_error(400, "the body is not valid JSON", "body")
    db = get_session()
    try:
        data = parse_interaction(body)
        interaction, created = record_interaction(db, data)
        db.commit()
    except FieldError as error:
        db.rollback()
        return api_error(422, error.message, error.field)
    except IntegrityError:
        # The same source + reference arrived twice at once: the other request won.
        db.rollback()
        existing = find_existing(db, data.source, data.external_ref)
        if existing is None:
            return api_error(409, "conflicting interaction, try again", "external_ref")
        interaction, created = existing, False
    return jsonify(_interaction_json(interaction, created)), 201 if created else 200


@bp.get("/departments/<code>/scorecard")
@api_key_required
def department_scorecard(code: str) -> Any:
    """The figures of a department's scorecard (``?quarter=YYYYQn``, default the latest
    quarter with answers). Figures under the anonymity gate are null with a reason."""
    from flask import current_app

    from survey.services.scorecard_data import department_by_code
    from survey.services.scorecard_export import to_json
    from survey.services.scorecards import Settings, build_scorecard

    db = get_session()
    department = department_by_code(db, code)
    if department is None:
        return api_error(404, f"no department with the code {code[:20]!r}", "code")
    try:
        card, _problem = build_scorecard(
            db,
            department,
            request.args.get("quarter"),
            Settings.from_config(current_app.config),
            fallback=False,
        )
    except ValueError:
        return api_error(400, "quarter must look like 2026Q1", "quarter")
    return jsonify(to_json(card))


@bp.get("/openapi.json")
def openapi() -> Any:
    return jsonify(openapi_document())
