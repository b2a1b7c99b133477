"""Admin: the requests CSV import (upload and preview, then confirm).

As the people and departments imports: the upload is checked and previewed (new requests,
those already known by their reference, those reported too late to be surveyed, per provider
department, or every refused line), nothing stored; the checked file goes back signed
(``signed_file``), and the confirmation checks it again against the database as it is then
and stores every row or none, in one audit entry with its counts.
"""

from __future__ import annotations

from flask import current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from sqlalchemy import select

from forms.admin import CsvUploadForm, ImportConfirmForm
from survey.db import get_session
from survey.delivery.admin.refusals import with_field
from survey.delivery.services.interactions_import import (
    MAX_BYTES,
    InteractionImport,
    LineError,
    import_interactions,
    preview_interactions,
)
from survey.models import Department
from survey.services.audit import Target
from survey.views.admin import bp
from survey.views.admin.common import audit
from survey.views.admin.crud import Page
from survey.views.admin.signed_file import confirmed_file, sign_file, signed_bytes

IMPORT_SALT = "admin.interactions-import"


def _late_days() -> int:
    return int(current_app.config.get("LATE_REPORT_DAYS", 14))


def _import_page(
    form: CsvUploadForm, status: int, errors: list[LineError] | None = None, problem: str = ""
) -> tuple[str, int]:
    # A line's refusal is the API's English words, given in the page's language.
    lines = [(e.line, with_field(e.field, str(e.message))) for e in errors or []]
    return render_template(
        "admin/interactions_import.html",
        form=form,
        errors=lines,
        problem=problem,
        late_days=_late_days(),
    ), status


def _department_names(codes: list[str]) -> dict[str, str]:
    """``Name (CODE)`` for each provider code of a preview."""
    departments = get_session().scalars(select(Department).where(Department.code.in_(codes)))
    return {d.code: f"{d.name} ({d.code})" for d in departments}


@bp.route("/interactions/import", methods=["GET", "POST"])
def interactions_import() -> Page:
    """Upload a file and see what importing it would do; nothing is stored here."""
    form = CsvUploadForm()
    if not form.validate_on_submit():
        return _import_page(form, 422 if request.method == "POST" else 200)
    db = get_session()
    preview = preview_interactions(db, form.file.data.read(MAX_BYTES + 1), late_days=_late_days())
    names = _department_names(sorted(preview.by_provider))
    db.rollback()  # a preview changes nothing; end the transaction before rendering
    if preview.errors:
        return _import_page(form, 422, errors=preview.errors)
    if preview.file is None or not preview.created + preview.repeated:
        return _import_page(form, 422, problem=_("The file has a header but no rows."))
    payload = sign_file(IMPORT_SALT, preview.file)
    return render_template(
        "admin/interactions_import_preview.html",
        preview=preview,
        providers=sorted(
            ((names.get(code, code), counts) for code, counts in preview.by_provider.items()),
            key=lambda row: row[0],
        ),
        confirm=ImportConfirmForm(data={"payload": payload}),
        late=late_words(preview.late, _late_days()) if preview.late else "",
    )


@bp.post("/interactions/import/confirm")
def interactions_import_confirm() -> Page:
    """Import the previewed file: every row or none, checked again against the database."""
    upload = CsvUploadForm(formdata=None)
    signed, problem = confirmed_file(ImportConfirmForm(), IMPORT_SALT)
    if signed is None:
        return _import_page(upload, 400, problem=problem)
    db = get_session()
    result = import_interactions(db, signed_bytes(signed), late_days=_late_days())
    if result.errors:
        # The organisation changed since the preview (a department deactivated, say).
        db.rollback()
        return _import_page(upload, 422, errors=result.errors)
    audit(
        "import",
        Target("interactions", None, f"CSV import: {result.created} new"),
        {"created": [None, result.created], "repeated": [None, result.repeated]},
    )
    db.commit()
    _say_imported(result)
    return redirect(url_for("admin.interactions"))


def _say_imported(result: InteractionImport) -> None:
    flash(
        _(
            "Imported %(created)s interactions (%(repeated)s already known).",
            created=result.created,
            repeated=result.repeated,
        ),
        "success",
    )
    if result.late:
        flash(late_words(result.late, _late_days()), "info")


def late_words(late: int, days: int) -> str:
    """What the preview and the import say of the ``late`` requests reported after ``days``."""
    return ngettext(
        "%(num)s of them was resolved more than %(days)s days ago: it counts "
        "toward compliance but will not be surveyed (reported late).",
        "%(num)s of them were resolved more than %(days)s days ago: they count "
        "toward compliance but will not be surveyed (reported late).",
        late,
        days=days,
    )
