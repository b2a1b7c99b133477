"""Error pages in the house look, and JSON errors under ``/api``. No request ends in a traceback."""

from __future__ import annotations

import contextlib

from flask import Flask, jsonify, render_template, request
from flask_babel import gettext as _
from flask_wtf.csrf import CSRFError
from sqlalchemy.exc import OperationalError
from werkzeug.exceptions import HTTPException, InternalServerError, ServiceUnavailable

from survey.db import get_session


def _wants_json() -> bool:
    return request.path.startswith("/api/")


def _titles() -> dict[int, str]:
    return {
        400: _("That request could not be understood"),
        403: _("You do not have access to this page"),
        404: _("Page not found"),
        405: _("That action is not allowed here"),
        410: _("This link is no longer valid"),
        413: _("That upload is too large"),
        429: _("Too many attempts"),
        500: _("Something went wrong on our side"),
        503: _("The service is busy"),
    }


def render_error(error: HTTPException):  # type: ignore[no-untyped-def]
    code = error.code or 500
    title = _titles().get(code, error.name)
    if _wants_json():
        return jsonify({"error": title, "status": code}), code
    template = f"errors/{code}.html" if code in (403, 404, 410, 429, 500) else "errors/generic.html"
    return render_template(template, code=code, title=title), code


def _rollback() -> None:
    # The original error matters more than one raised while rolling back.
    with contextlib.suppress(Exception):
        get_session().rollback()


def init_app(app: Flask) -> None:
    app.register_error_handler(HTTPException, render_error)

    @app.errorhandler(CSRFError)
    def _csrf(error: CSRFError):  # type: ignore[no-untyped-def]
        if _wants_json():
            return jsonify({"error": "CSRF token missing or invalid", "status": 400}), 400
        return render_template(
            "errors/generic.html",
            code=400,
            title=_("This form has expired"),
            message=_("Please go back, reload the page and send the form again."),
        ), 400

    @app.errorhandler(OperationalError)
    def _busy(error: OperationalError):  # type: ignore[no-untyped-def]
        # A locked or unreachable database: say "try again", never show a traceback.
        app.logger.warning("database unavailable: %s", error)
        _rollback()
        return render_error(ServiceUnavailable())

    @app.errorhandler(Exception)
    def _unexpected(error: Exception):  # type: ignore[no-untyped-def]
        app.logger.exception("unhandled error")
        _rollback()
        return render_error(InternalServerError())
