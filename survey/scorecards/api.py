"""The scorecard answers of the JSON API: a department's scorecard figures, on the ``api``
blueprint of ``survey/views/api.py`` (its key check, JSON errors and answer language);
importing this module adds the route, which the app factory does before it registers that
blueprint."""

from __future__ import annotations

from typing import Any

from flask import current_app, jsonify, request

from survey.db import get_session
from survey.scorecards.services.scorecard_data import department_by_code
from survey.scorecards.services.scorecard_documents import api_body
from survey.scorecards.services.scorecards import Settings, build_scorecard
from survey.views.api import api_error, api_key_required, bp
from survey.views.api_language import LANG_ERROR, LanguageError, answer_language


@bp.get("/departments/<code>/scorecard")
@api_key_required("scorecards")
def department_scorecard(code: str) -> Any:
    """The figures of a department's scorecard (``?quarter=YYYYQn``, default the latest
    quarter with answers; ``?lang=`` or ``Accept-Language`` for the names and sentences, see
    ``api_language``). Figures under the anonymity gate are null with a reason."""
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
    response = jsonify(api_body(db, department, card, settings))
    # Figures released under the anonymity rules: no cache may keep or serve them to others.
    response.headers["Cache-Control"] = "no-store"
    return response
