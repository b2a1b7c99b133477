"""Admin: the departments CSV import (upload and preview, then confirm) and the template files
of both organisation imports.

As the people import: the upload is checked and previewed, nothing stored; the checked file
goes back signed (``signed_file``) and the confirmation re-checks it against the database as
it is then and stores every row or none, in one audit entry with its counts.
"""

from __future__ import annotations

from typing import Any

from flask import Response, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from sqlalchemy.exc import IntegrityError

from forms.admin import CsvUploadForm, ImportConfirmForm
from survey.db import get_session
from survey.names import TRANSLATED_LOCALES
from survey.org.department_import import (
    MAX_BYTES,
    MAX_ROWS,
    apply_department_import,
    parse_departments_csv,
)
from survey.services.audit import import_entry
from survey.services.refusals import OrgError
from survey.views.admin import bp
from survey.views.admin.common import audit
from survey.views.admin.crud import Page
from survey.views.admin.signed_file import confirmed_file, sign_file, signed_bytes

IMPORT_SALT = "admin.department-import"
PREVIEW_ROWS = 500  # rows listed per kind on the preview page (the counts are always exact)
# The header lines of the template files: every column each import reads.
_NAMES = [f"name_{locale}" for locale in TRANSLATED_LOCALES]
TEMPLATES = {
    "departments": ["code", "name", *_NAMES, "parent", "active"],
    "people": ["email", "name", "department", "locale", "active"],
}


def _import_page(
    form: CsvUploadForm, status: int, errors: list[Any] | None = None, problem: str = ""
) -> tuple[str, int]:
    return render_template(
        "admin/department_import.html",
        form=form,
        errors=errors or [],
        problem=problem,
        max_mb=MAX_BYTES // (1024 * 1024),
        max_rows=MAX_ROWS,
    ), status


@bp.route("/departments/import", methods=["GET", "POST"])
def department_import() -> Page:
    """Upload a file and see what importing it would do; nothing is stored here."""
    form = CsvUploadForm()
    if not form.validate_on_submit():
        return _import_page(form, 422 if request.method == "POST" else 200)
    db = get_session()
    data = form.file.data.read(MAX_BYTES + 1)
    preview = parse_departments_csv(db, data)
    db.rollback()  # a preview changes nothing; end the transaction before rendering
    if preview.errors:
        return _import_page(form, 422, errors=preview.errors)
    if not preview.rows:
        return _import_page(form, 422, problem=_("The file has a header but no rows."))
    assert preview.file is not None  # read, since it has rows
    confirm = ImportConfirmForm(data={"payload": sign_file(IMPORT_SALT, preview.file)})
    return render_template(
        "admin/department_import_preview.html",
        preview=preview,
        creates=preview.creates,
        updates=preview.updates,
        confirm=confirm,
        limit=PREVIEW_ROWS,
    )


@bp.post("/departments/import/confirm")
def department_import_confirm() -> Page:
    """Import the previewed file: every row or none, checked again against the database."""
    upload = CsvUploadForm(formdata=None)
    form = ImportConfirmForm()
    signed, problem = confirmed_file(form, IMPORT_SALT)
    if signed is None:
        return _import_page(upload, 400, problem=problem)
    db = get_session()
    preview = parse_departments_csv(db, signed_bytes(signed))
    if preview.errors:
        # The organisation changed since the preview (a department was renamed, say).
        db.rollback()
        return _import_page(upload, 422, errors=preview.errors)
    try:
        result = apply_department_import(db, preview)
        audit("import", *import_entry(result.created, result.updated, kind="departments"))
        db.commit()
    except (IntegrityError, OrgError):
        db.rollback()
        return _import_page(
            upload,
            409,
            problem=_("Someone changed the departments meanwhile; please upload the file again."),
        )
    flash(
        _(
            "Imported: %(created)s new, %(updated)s updated.",
            created=result.created,
            updated=result.updated,
        ),
        "success",
    )
    return redirect(url_for("admin.departments"))


def _template(kind: str) -> Response:
    return Response(
        ",".join(TEMPLATES[kind]) + "\r\n",
        mimetype="text/csv",
        headers={"Content-Disposition": f"attachment; filename={kind}-template.csv"},
    )


@bp.get("/departments/import/template.csv")
def department_import_template() -> Response:
    """An empty file with every column the departments import reads."""
    return _template("departments")


@bp.get("/people/import/template.csv")
def people_import_template() -> Response:
    """An empty file with every column the people import reads."""
    return _template("people")
