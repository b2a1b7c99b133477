"""Admin: people (list and search, create, edit, deactivate/reactivate) and the CSV import.

The import has two steps. The upload is checked and previewed; nothing is stored. The checked
file goes back to the browser signed (``signed_file``), and the confirmation re-checks it
against the database as it is then and stores every row or none.
"""

from __future__ import annotations

from typing import Any

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import Select, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, joinedload

from forms.admin import PeopleConfirmForm, PeopleUploadForm, PersonForm
from survey.db import get_session
from survey.delivery.services.resend import resendable
from survey.models import Department, Person
from survey.org.people_import import (
    MAX_BYTES,
    MAX_ROWS,
    PeoplePreview,
    TooManyLeavers,
    audit_leavers,
    parse_people_csv,
)
from survey.org.people_import import apply_import as apply_people_import
from survey.org.services import (
    Message,
    OrgError,
    create_person,
    set_person_active,
    update_person,
)
from survey.services.audit import import_entry
from survey.services.outbox import NOT_ASCII, address_problem
from survey.views.admin import bp
from survey.views.admin.common import audit, chosen_id, department_choices, matches
from survey.views.admin.crud import CrudPages, Page
from survey.views.admin.signed_file import confirmed_file, sign_file, signed_bytes

IMPORT_SALT = "admin.people-import"
PREVIEW_ROWS = 500  # rows listed per kind on the preview page (the counts are always exact)


def _not_ascii_warning(row: Person) -> str:
    """What the people import warns about an address outside plain ASCII, said after a save
    (it is stored, as the import stores it; ``accounts.email_problem``), or ""."""
    if address_problem(row.email) != NOT_ASCII:
        return ""
    return " " + _(
        "Mail cannot reach this address from this server: it has characters outside plain "
        "ASCII, which need the SMTPUTF8 extension this service does not use. Mail to this "
        "person will fail and show in the outbox."
    )


class PeoplePages(CrudPages[Person]):
    model = Person
    plural, singular = "people", "person"
    list_template, form_template = "admin/people.html", "admin/person_form.html"

    def list_statement(self, query: str) -> Select[Any]:
        stmt = select(Person).join(Person.department).options(joinedload(Person.department))
        if query:
            stmt = stmt.where(
                matches(query, Person.name, Person.email, Department.code, Department.name)
            )
        return stmt.order_by(Person.name, Person.email)

    def make_form(self, row: Person | None) -> PersonForm:
        data: dict[str, Any] | None = None
        if row is not None and request.method == "GET":
            data = {
                "email": row.email,
                "name": row.name,
                "department": str(row.department_id),
                "locale": row.locale,
                "active": row.active,
                "opted_out": row.opted_out,
            }
        form = PersonForm(data=data)
        form.department.choices = department_choices(blank=_("(choose a department)"))
        return form

    def _values(self, form: PersonForm) -> dict[str, Any]:
        department_id = chosen_id(form.department.data)
        if department_id is None:
            raise OrgError("department", Message("Choose a department."))
        return {
            "email": form.email.data or "",
            "name": form.name.data or "",
            "department_id": department_id,
            "locale": form.locale.data or "en",
            "active": bool(form.active.data),
            "opted_out": bool(form.opted_out.data),
        }

    def create(self, db: Session, form: PersonForm) -> Person:  # type: ignore[override]
        return create_person(db, **self._values(form))

    def update(self, db: Session, form: PersonForm, row: Person) -> None:  # type: ignore[override]
        update_person(db, row, **self._values(form))

    def set_active(self, db: Session, row: Person, active: bool) -> None:
        set_person_active(db, row, active)

    def error_field(self, row: Person | None) -> str:
        return "email"

    def refused(self, form: PersonForm, row: Person | None) -> None:  # type: ignore[override]
        form.email.errors = [
            *form.email.errors,
            _("Another person already has this email address."),
        ]

    def created_text(self, row: Person) -> str:
        return _("%(email)s added.", email=row.email) + _not_ascii_warning(row)

    def saved_text(self, row: Person) -> str:
        return _("%(email)s saved.", email=row.email) + _not_ascii_warning(row)

    def active_text(self, row: Person, active: bool) -> str:
        if active:
            return _("%(email)s is active again.", email=row.email)
        return _("%(email)s deactivated: no more surveys.", email=row.email)

    def form_page(self, form: PersonForm, row: Person | None, status: int) -> Page:  # type: ignore[override]
        if row is None:
            return super().form_page(form, row, status)
        return render_template(
            "admin/person_form.html",
            form=form,
            person=row,
            invitations=resendable(get_session(), row.id),
        ), status


PeoplePages().register(bp)


# CSV import -----------------------------------------------------------------------------------


def _import_page(
    form: PeopleUploadForm, status: int, errors: list[Any] | None = None, problem: str = ""
) -> tuple[str, int]:
    return render_template(
        "admin/people_import.html",
        form=form,
        errors=errors or [],
        problem=problem,
        max_mb=MAX_BYTES // (1024 * 1024),
        max_rows=MAX_ROWS,
    ), status


def _preview_page(
    preview: PeoplePreview, confirm: PeopleConfirmForm, status: int = 200, problem: str = ""
) -> tuple[str, int]:
    return render_template(
        "admin/people_import_preview.html",
        preview=preview,
        creates=preview.creates,
        updates=preview.updates,
        confirm=confirm,
        limit=PREVIEW_ROWS,
        problem=problem,
    ), status


@bp.route("/people/import", methods=["GET", "POST"])
def people_import() -> Page:
    """Upload a file and see what importing it would do; nothing is stored here."""
    form = PeopleUploadForm()
    if not form.validate_on_submit():
        return _import_page(form, 422 if request.method == "POST" else 200)
    db = get_session()
    data = form.file.data.read(MAX_BYTES + 1)
    whole = bool(form.whole_directory.data)
    preview = parse_people_csv(db, data, whole_directory=whole)
    db.rollback()  # a preview changes nothing; end the transaction before rendering
    if preview.errors:
        return _import_page(form, 422, errors=preview.errors)
    if not preview.rows:
        return _import_page(form, 422, problem=_("The file has a header but no rows."))
    assert preview.file is not None  # read, since it has rows
    payload = sign_file(IMPORT_SALT, preview.file, whole_directory=whole)
    return _preview_page(preview, PeopleConfirmForm(data={"payload": payload}))


@bp.post("/people/import/confirm")
def people_import_confirm() -> Page:
    """Import the previewed file: every row or none, checked again against the database; a
    whole-directory file deactivates its leavers, more than half of the active people only
    with the second box ticked."""
    upload = PeopleUploadForm(formdata=None)
    form = PeopleConfirmForm()
    signed, problem = confirmed_file(form, IMPORT_SALT)
    if signed is None:
        return _import_page(upload, 400, problem=problem)
    db = get_session()
    whole = signed.get("whole_directory") is True
    preview = parse_people_csv(db, signed_bytes(signed), whole_directory=whole)
    if preview.errors:
        # The organisation changed since the preview (a department was renamed, say).
        db.rollback()
        return _import_page(upload, 422, errors=preview.errors)
    try:
        result = apply_people_import(db, preview, many_confirmed=bool(form.confirm_many.data))
        audit_leavers(db, current_user._get_current_object(), result)
        audit(
            "import",
            *import_entry(result.created, result.updated, deactivated=len(result.deactivated)),
        )
        db.commit()
    except TooManyLeavers:
        db.rollback()
        form.confirm_many.errors = [_("Tick this box to deactivate them.")]
        return _preview_page(
            preview,
            form,
            422,
            problem=_(
                "Nothing was imported: this file would deactivate more than half of the active "
                "people. Tick the box below if they really left."
            ),
        )
    except IntegrityError:
        db.rollback()
        return _import_page(
            upload,
            409,
            problem=_("Someone changed these people meanwhile; please upload the file again."),
        )
    if whole:
        flash(
            _(
                "Imported: %(created)s new, %(updated)s updated, %(deactivated)s deactivated.",
                created=result.created,
                updated=result.updated,
                deactivated=len(result.deactivated),
            ),
            "success",
        )
    else:
        flash(
            _(
                "Imported: %(created)s new, %(updated)s updated.",
                created=result.created,
                updated=result.updated,
            ),
            "success",
        )
    if preview.warnings:
        flash(
            _(
                "%(n)s of these addresses cannot receive mail from this server; correct them here.",
                n=len(preview.warnings),
            ),
            "warning",
        )
    return redirect(url_for("admin.people"))
