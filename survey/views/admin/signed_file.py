"""The checked file of a CSV import, between its preview and its confirmation.

The upload is checked and previewed; nothing is stored. The checked file then goes back to
the browser signed with the app's secret key (never trusted unsigned) together with the
options chosen at upload and the encoding it was read in, and the confirmation re-checks it
against the database as it is then, reading the same bytes as the preview did
(``signed_bytes``). A signed file is good for ``MAX_AGE`` seconds and only for the administrator who
uploaded it.
"""

from __future__ import annotations

from typing import Any

from flask import Flask, current_app, request
from flask.blueprints import BlueprintSetupState
from flask_babel import gettext as _
from flask_login import current_user
from flask_wtf import FlaskForm
from itsdangerous import BadSignature, URLSafeTimedSerializer

from survey.services.csv_file import ENCODINGS, UTF8, CsvText
from survey.views.admin import bp

MAX_AGE = 3600  # seconds between preview and confirmation
# The confirmation carries the signed file in a form field. Werkzeug caps form fields at
# MAX_FORM_MEMORY_SIZE (500 kB by default), less than an allowed file; MAX_CONTENT_LENGTH
# still caps the whole request.
CONFIRM_FIELD_LIMIT = 8 * 1024 * 1024
CONFIRM_ENDPOINTS = {
    "admin.people_import_confirm",
    "admin.department_import_confirm",
    "admin.interactions_import_confirm",
}


def _serializer(salt: str) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=salt)


def sign_file(salt: str, file: CsvText, **options: Any) -> str:
    """The payload of the confirmation form: the ``file`` as read (its text and encoding) and
    ``options`` (JSON values), signed for the signed-in administrator."""
    return _serializer(salt).dumps(
        {"csv": file.text, "encoding": file.encoding, "by": current_user.id, **options}
    )


def signed_bytes(signed: dict[str, Any]) -> bytes:
    """The previewed file's bytes from its signed content: its text in the encoding the
    preview read it in (UTF-8 for a payload signed without one), so the confirmation reads
    the same bytes the same way, and a Windows file stays as large as it was."""
    encoding = signed.get("encoding")
    return CsvText(signed["csv"], encoding if encoding in ENCODINGS else UTF8).encoded()


def signed_file(salt: str, payload: str) -> dict[str, Any] | None:
    """The signed content (``csv`` and the options) of a payload signed by ``sign_file`` with
    ``salt`` for the signed-in administrator less than ``MAX_AGE`` seconds ago, else None."""
    try:
        signed = _serializer(salt).loads(payload, max_age=MAX_AGE)
    except BadSignature:
        return None
    if (
        isinstance(signed, dict)
        and isinstance(signed.get("csv"), str)
        and signed.get("by") == current_user.id
    ):
        return signed
    return None


def confirmed_file(form: FlaskForm, salt: str) -> tuple[dict[str, Any] | None, str]:
    """The signed content of an import's confirmation ``form`` (its ``payload`` field, signed
    with ``salt``) and "", or None and the reason to show the administrator: the form is not
    valid (no file was previewed), or its file is not signed for them or is too old."""
    if not form.validate_on_submit():
        return None, _("Nothing to import: please upload the file.")
    signed = signed_file(salt, form.payload.data or "")
    if signed is None:
        return None, _(
            "The checked file could not be verified or is too old; please upload it again."
        )
    return signed, ""


def _allow_signed_file() -> None:
    if request.endpoint in CONFIRM_ENDPOINTS:
        request.max_form_memory_size = CONFIRM_FIELD_LIMIT


@bp.record_once
def _register_field_limit(state: BlueprintSetupState) -> None:
    # First of the app's before-request functions: CSRF protection (an app-wide
    # before-request function) parses the form before any blueprint function runs.
    app: Flask = state.app
    app.before_request_funcs.setdefault(None, []).insert(0, _allow_signed_file)
