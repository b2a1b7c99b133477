"""Delivery's routes of the JSON API: a ticketing tool reports handled requests
(``POST /interactions``), their lifecycle events (``/interactions/events``) and its own
webhook payloads (``/webhooks/<mapping>``), on the ``api`` blueprint of ``survey/views/api.py``
(its key check and JSON errors); importing this module adds the routes, which the app factory
does before it registers that blueprint."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from flask import g, jsonify, request
from sqlalchemy.exc import IntegrityError

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
    check_reporter,
    find_existing,
    record_interaction,
)
from survey.delivery.services.webhooks import MAPPINGS
from survey.models import Interaction
from survey.views.api import api_error, api_key_required, bp


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
    with another body 409; keys are per API key. Commits on success, rolls back on errors.

    Two first reports of one request may both find it missing and both store it (app hosts
    on PostgreSQL): the one that loses gets the database's refusal, then runs ``work`` once
    more, in a new transaction, where the request it lost to is there: it is applied as a
    repeat. Answering 409 instead would lose it, as webhook senders do not retry a 4xx."""
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
    for _try in range(2):
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
            continue
        return jsonify(answer), status
    return api_error(409, "a concurrent request changed this interaction, try again", "body")


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
@api_key_required("interactions")
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
@api_key_required("interactions")
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
        check_reporter(db, interaction, g.api_key.id)
        changed = apply_lifecycle(db, interaction, event, at)
        db.flush()
        answer = _interaction_json(interaction, False)
        answer["changed"] = changed
        return answer, 200

    return _idempotent(body, work)


@bp.post("/webhooks/<mapping>")
@api_key_required("interactions")
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
