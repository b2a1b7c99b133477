"""Error pages in the house look, and JSON errors under ``/api``. No request ends in a traceback."""

from __future__ import annotations

import contextlib
import sqlite3
from typing import Any

from flask import Flask, abort, current_app, g, jsonify, render_template, request
from flask_babel import gettext as _
from flask_babel import refresh
from flask_wtf.csrf import CSRFError
from sqlalchemy.exc import OperationalError
from werkzeug.exceptions import HTTPException, InternalServerError, ServiceUnavailable

from survey.db import get_session, sqlite_busy
from survey.extensions import login_manager
from survey.i18n import LOCALES

# Seconds a client is asked to wait after a 503 (the database was locked or unreachable).
RETRY_AFTER_SECONDS = 5


def _wants_json() -> bool:
    """Under ``/api/``, and on any route an API key opens (the mail relay's ``/mail/reports``),
    whose clients read JSON, not pages."""
    if request.path.startswith("/api/"):
        return True
    view = current_app.view_functions.get(request.endpoint or "")
    return bool(getattr(view, "api_key_required", False))


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


def render_error(error: HTTPException, **context: Any):  # type: ignore[no-untyped-def]
    code = error.code or 500
    title = _titles().get(code, error.name)
    if _wants_json():
        return jsonify({"error": title, "status": code}), code
    own_page = (403, 404, 410, 429, 500, 503)
    template = f"errors/{code}.html" if code in own_page else "errors/generic.html"
    if code == 429:  # the form posted over the limit was not stored: held to send again
        context.setdefault("resend", _resend())
        _speak_posted_language()  # refused before its view chose one
    return render_template(template, code=code, title=title, **context), code


def _resend() -> dict[str, Any] | None:
    """What the 503 page needs to send a refused form again: its address and fields.

    None for anything but a plain form POST, and for a form carrying a file or a password
    (a password is never written into a page).
    """
    if request.method != "POST" or request.files or not request.form:
        return None
    fields = list(request.form.items(multi=True))
    if any("password" in name.lower() for name, _value in fields):
        return None
    query = request.query_string.decode("latin-1")
    return {"action": request.path + (f"?{query}" if query else ""), "fields": fields}


def _speak_posted_language() -> None:
    """Draw the page in the language the refused form posted (its ``lang`` field), when it
    named one of ours and no language has been chosen for the request yet."""
    posted = request.form.get("lang") if request.method == "POST" else None
    if posted in LOCALES and not g.get("locale"):
        g.locale = posted
        refresh()


def _try_again_later(error: OperationalError) -> bool:
    """A database that is busy or out of reach for a while (say "try again"), as opposed to a
    broken statement or schema, which SQLite also reports as an OperationalError."""
    if error.connection_invalidated or not isinstance(error.orig, sqlite3.Error):
        return True
    return sqlite_busy(error.orig)


def _rollback() -> None:
    # The original error matters more than one raised while rolling back.
    with contextlib.suppress(Exception):
        get_session().rollback()


def refuse_nul() -> Any:
    """A NUL character in the address, never legitimate (no stored code, key or text holds
    one, and PostgreSQL refuses it in a query, which was a server error): in the path, no such
    page (404); in a query argument, a bad request (400; under ``/api`` the JSON names the
    argument). Form and JSON bodies are the forms' and the API's to refuse, field by field."""
    if "\x00" in request.path:
        abort(404)
    for name, value in request.args.items(multi=True):
        if "\x00" in name or "\x00" in value:
            if _wants_json():
                body = {"error": _titles()[400], "status": 400, "field": name.replace("\x00", "")}
                return jsonify(body), 400
            abort(400)
    return None


def init_app(app: Flask) -> None:
    app.register_error_handler(HTTPException, render_error)
    app.before_request(refuse_nul)

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
        if not _try_again_later(error):
            return _unexpected(error)
        app.logger.warning("database unavailable: %s", error)
        _rollback()
        # The page must not touch the database again: drawn for a signed-in user it would
        # load (or refresh) the user and fail a second time, leaving a bare error. So it is
        # drawn as for a visitor, in the language the form posted if it named one.
        g._login_user = login_manager.anonymous_user()  # what Flask-Login reads
        _speak_posted_language()
        body, code = render_error(ServiceUnavailable(), resend=_resend())
        return body, code, {"Retry-After": str(RETRY_AFTER_SECONDS)}

    @app.errorhandler(Exception)
    def _unexpected(error: Exception):  # type: ignore[no-untyped-def]
        app.logger.exception("unhandled error")
        _rollback()
        return render_error(InternalServerError())
