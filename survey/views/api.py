"""The JSON API for ticketing tools and integrations: bearer API keys, JSON errors, no CSRF
(no cookies are read here)."""

from __future__ import annotations

import json
from collections.abc import Callable
from functools import wraps
from typing import Any

from flask import Blueprint, g, jsonify, request
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from survey import hooks
from survey.db import get_session
from survey.delivery.services.api_input import (
    BodyError,
    load_json_body,
    parse_event,
    parse_interaction,
)
from survey.delivery.services.idempotency import (
    body_digest,
    remember_answer,
    stored_answer,
    valid_key,
)
from survey.delivery.services.interactions import (
    FieldError,
    InteractionInput,
    OwnershipError,
    apply_lifecycle,
    find_existing,
    record_interaction,
)
from survey.delivery.services.webhooks import MAPPINGS
from survey.extensions import csrf
from survey.models import Department, Interaction
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


def _interaction_json(interaction: Interaction, created: bool) -> dict[str, Any]:
    return {
        "id": interaction.id,
        "created": created,
        "provider": interaction.provider.code,
        "source": interaction.source,
        "external_ref": interaction.external_ref,
        "survey": interaction.survey_decision,
        "state": _state(interaction),
        "opened_at": _iso(interaction.opened_at),
        "first_response_at": _iso(interaction.first_response_at),
        "resolved_at": _iso(interaction.resolved_at),
        "reopened_at": _iso(interaction.reopened_at),
        "cancelled_at": _iso(interaction.cancelled_at),
        "paused_seconds": interaction.paused_seconds,
    }


def _state(interaction: Interaction) -> str:
    if interaction.cancelled_at is not None:
        return "cancelled"
    return "resolved" if interaction.resolved_at is not None else "open"


def _iso(value: Any) -> str | None:
    return value.isoformat().replace("+00:00", "Z") if value is not None else None


OTHER_KEY = "this source and external_ref were reported with another API key"


def _json_body() -> tuple[Any, tuple[Any, int] | None]:
    """The parsed JSON body, or an error answer (415, 400, 422 for too deep nesting)."""
    if not request.is_json:
        return None, api_error(
            415, "send a JSON body with Content-Type: application/json", "Content-Type"
        )
    try:
        return load_json_body(request.get_data(cache=True)), None
    except BodyError as error:
        return None, api_error(error.status, error.message, "body")


def _idempotent(body: Any, work: Callable[[], tuple[dict[str, Any], int]]) -> Any:
    """Run ``work`` (which flushes, never commits) under the request's ``Idempotency-Key``,
    if any: a replay with the same body gets the first answer (``Idempotent-Replayed: true``),
    with another body 409; keys are per API key. Commits on success, rolls back on errors."""
    db = get_session()
    key = request.headers.get("Idempotency-Key")
    # The route and its query (a webhook's ?provider=) are part of what a key stands for.
    digest = body_digest([request.path, sorted(request.args.items(multi=True)), body])
    api_key_id = g.api_key.id
    if key is not None:
        key = key.strip()
        if not valid_key(key):
            return api_error(422, "must be 1 to 200 visible ASCII characters", "Idempotency-Key")
        replay = _replay(db, api_key_id, key, digest)
        if replay is not None:
            return replay
    try:
        answer, status = work()
        if key is not None:
            remember_answer(db, api_key_id, key, digest, status, answer)
        db.commit()
    except FieldError as error:
        db.rollback()
        return api_error(422, error.message, error.field)
    except OwnershipError:
        db.rollback()
        return api_error(409, OTHER_KEY, "external_ref")
    except IntegrityError:
        # The same key or source + reference arrived twice at once: the other request won.
        db.rollback()
        replay = _replay(db, api_key_id, key, digest) if key is not None else None
        if replay is not None:
            return replay
        return api_error(409, "a concurrent request changed this interaction, try again", "body")
    return jsonify(answer), status


def _replay(db: Any, api_key_id: int, key: str, digest: str) -> Any:
    stored = stored_answer(db, api_key_id, key)
    if stored is None:
        return None
    if stored.body_sha256 != digest:
        return api_error(
            409, "this Idempotency-Key was used with a different body", "Idempotency-Key"
        )
    response = jsonify(json.loads(stored.response_json))
    response.headers["Idempotent-Replayed"] = "true"
    return response, stored.status_code


def _record(data: InteractionInput) -> tuple[dict[str, Any], int]:
    interaction, created = record_interaction(get_session(), data, api_key_id=g.api_key.id)
    return _interaction_json(interaction, created), 201 if created else 200


@bp.post("/interactions")
@api_key_required
def post_interaction() -> Any:
    """Record a request or update its lifecycle; idempotent on source + external_ref (per API
    key) and on the ``Idempotency-Key`` header."""
    body, problem = _json_body()
    if problem is not None:
        return problem
    try:
        data = parse_interaction(body)
    except FieldError as error:
        return api_error(422, error.message, error.field)
    return _idempotent(body, lambda: _record(data))


@bp.post("/interactions/events")
@api_key_required
def post_interaction_event() -> Any:
    """One lifecycle event (opened, first_response, resolved, reopened, cancelled) of a
    request already reported with this API key, by source + external_ref."""
    body, problem = _json_body()
    if problem is not None:
        return problem
    try:
        source, ref, event, at = parse_event(body)
    except FieldError as error:
        return api_error(422, error.message, error.field)

    def work() -> tuple[dict[str, Any], int]:
        db = get_session()
        interaction = find_existing(db, source, ref, for_update=True)
        if interaction is None:
            raise FieldError("external_ref", "no interaction has this source and external_ref")
        if interaction.api_key_id != g.api_key.id:
            raise OwnershipError
        changed = apply_lifecycle(db, interaction, event, at)
        db.flush()
        answer = _interaction_json(interaction, False)
        answer["changed"] = changed
        return answer, 200

    return _idempotent(body, work)


@bp.post("/webhooks/<mapping>")
@api_key_required
def post_webhook(mapping: str) -> Any:
    """A ticketing tool's own webhook payload, read by a ready-made mapping
    (``issue-tracker`` or ``helpdesk``); ``?provider=`` and ``?service=`` set the codes."""
    mapper = MAPPINGS.get(mapping)
    if mapper is None:
        return api_error(404, f"no mapping named {mapping[:40]!r}", "mapping")
    body, problem = _json_body()
    if problem is not None:
        return problem
    try:
        data = mapper(body, request.args.get("provider"), request.args.get("service"))
    except FieldError as error:
        return api_error(422, error.message, error.field)
    return _idempotent(body, lambda: _record(data))


@bp.get("/departments/<code>/scorecard")
@api_key_required
def department_scorecard(code: str) -> Any:
    """The figures of a department's scorecard (``?quarter=YYYYQn``, default the latest
    quarter with answers; ``?lang=`` or ``Accept-Language`` for the names and sentences, see
    ``api_language``). Figures under the anonymity gate are null with a reason."""
    from flask import current_app

    from survey.scorecards.services.scorecard_data import department_by_code
    from survey.scorecards.services.scorecard_export import to_json
    from survey.scorecards.services.scorecard_priorities import (
        department_priorities,
        priorities_json,
    )
    from survey.scorecards.services.scorecard_summary import summarise, summary_json
    from survey.scorecards.services.scorecards import Settings, build_scorecard

    try:
        lang = answer_language()
    except LanguageError:
        return api_error(400, LANG_ERROR, "lang")
    db = get_session()
    department = department_by_code(db, code)
    if department is None:
        return api_error(404, f"no department with the code {code[:20]!r}", "code")
    settings = Settings.from_config(current_app.config)
    try:
        card, _problem = build_scorecard(
            db, department, request.args.get("quarter"), settings, fallback=False, locale=lang
        )
    except ValueError:
        return api_error(400, "quarter must look like 2026Q1", "quarter")
    body = {**to_json(card), **hooks.gather("api.scorecard", db, department, card, settings)}
    body["summary"] = summary_json(summarise(card), card.settings.k, card.settings.comment_k)
    body["priorities"] = priorities_json(department_priorities(db, department.id, card))
    response = jsonify(body)
    # Figures released under the anonymity rules: no cache may keep or serve them to others.
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.get("/openapi.json")
def openapi() -> Any:
    return jsonify(openapi_document())
