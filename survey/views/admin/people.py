"""Admin: people (list and search, create, edit, deactivate/reactivate) and the CSV import.

The import has two steps. The upload is checked and previewed; nothing is stored. The checked
file goes back to the browser signed with the app's secret key (never trusted unsigned), and
the confirmation re-checks it against the database as it is then and stores every row or none.
"""

from __future__ import annotations

from typing import Any

from flask import Flask, abort, current_app, flash, redirect, render_template, request, url_for
from flask.blueprints import BlueprintSetupState
from flask_babel import gettext as _
from flask_login import current_user
from itsdangerous import BadSignature, URLSafeTimedSerializer
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import joinedload
from werkzeug.wrappers import Response as WerkzeugResponse

from forms.admin import PeopleConfirmForm, PeopleUploadForm, PersonForm
from survey.db import get_session
from survey.models import Department, Person
from survey.services.audit import created, diff, import_entry, snapshot
from survey.services.org import OrgError, create_person, set_person_active, update_person
from survey.services.paging import page_arg, paginate
from survey.services.people_import import MAX_BYTES, MAX_ROWS, parse_people_csv
from survey.services.people_import import apply_import as apply_people_import
from survey.services.resend import resendable
from survey.views.admin import bp
from survey.views.admin.common import (
    audit,
    chosen_id,
    department_choices,
    matches,
    per_page,
    search_arg,
    show_error,
)

Page = str | tuple[str, int] | WerkzeugResponse
IMPORT_SALT = "admin.people-import"
IMPORT_MAX_AGE = 3600  # seconds between preview and confirmation
PREVIEW_ROWS = 500  # rows listed per kind on the preview page (the counts are always exact)
# The confirmation carries the signed file in a form field. Werkzeug caps form fields at
# MAX_FORM_MEMORY_SIZE (500 kB by default), less than an allowed file; MAX_CONTENT_LENGTH
# still caps the whole request.
CONFIRM_FIELD_LIMIT = 4 * MAX_BYTES


def _person_or_404(person_id: int) -> Person:
    person = get_session().get(Person, person_id)
    if person is None:
        abort(404)
    return person


@bp.get("/people")
def people() -> str:
    db = get_session()
    query = search_arg()
    stmt = select(Person).join(Person.department).options(joinedload(Person.department))
    if query:
        stmt = stmt.where(
            matches(query, Person.name, Person.email, Department.code, Department.name)
        )
    page = paginate(
        db,
        stmt.order_by(Person.name, Person.email),
        page_arg(request.args.get("page")),
        per_page(),
        query,
    )
    return render_template("admin/people.html", page=page)


def _form(person: Person | None) -> PersonForm:
    data: dict[str, Any] | None = None
    if person is not None and request.method == "GET":
        data = {
            "email": person.email,
            "name": person.name,
            "department": str(person.department_id),
            "locale": person.locale,
            "active": person.active,
            "opted_out": person.opted_out,
        }
    form = PersonForm(data=data)
    form.department.choices = department_choices(blank=_("(choose a department)"))
    return form


def _save(form: PersonForm, person: Person | None) -> Person | None:
    db = get_session()
    department_id = chosen_id(form.department.data)
    if department_id is None:
        form.department.errors = [*form.department.errors, _("Choose a department.")]
        return None
    values = {
        "email": form.email.data or "",
        "name": form.name.data or "",
        "department_id": department_id,
        "locale": form.locale.data or "en",
        "active": bool(form.active.data),
        "opted_out": bool(form.opted_out.data),
    }
    try:
        if person is None:
            person = create_person(db, **values)
            audit("create", person, created(snapshot(person)))
        else:
            before = snapshot(person)
            update_person(db, person, **values)
            audit("edit", person, diff(before, snapshot(person)))
        db.commit()
    except OrgError as error:
        db.rollback()
        show_error(form, error, "email")
        return None
    except IntegrityError:
        db.rollback()
        form.email.errors = [
            *form.email.errors,
            _("Another person already has this email address."),
        ]
        return None
    return person


@bp.route("/people/new", methods=["GET", "POST"])
def person_new() -> Page:
    form = _form(None)
    if form.validate_on_submit():
        person = _save(form, None)
        if person is not None:
            flash(_("%(email)s added.", email=person.email), "success")
            return redirect(url_for("admin.people"))
    status = 422 if request.method == "POST" else 200
    return render_template("admin/person_form.html", form=form, person=None), status


@bp.route("/people/<int:person_id>", methods=["GET", "POST"])
def person_edit(person_id: int) -> Page:
    person = _person_or_404(person_id)
    form = _form(person)
    if form.validate_on_submit() and _save(form, person) is not None:
        flash(_("%(email)s saved.", email=person.email), "success")
        return redirect(url_for("admin.people"))
    status = 422 if request.method == "POST" else 200
    return render_template(
        "admin/person_form.html",
        form=form,
        person=person,
        invitations=resendable(get_session(), person.id),
    ), status


def _set_active(person_id: int, active: bool) -> WerkzeugResponse:
    db = get_session()
    person = _person_or_404(person_id)
    before = snapshot(person, "active")
    set_person_active(db, person, active)
    audit("reactivate" if active else "deactivate", person, diff(before, {"active": active}))
    db.commit()
    if active:
        flash(_("%(email)s is active again.", email=person.email), "success")
    else:
        flash(_("%(email)s deactivated: no more surveys.", email=person.email), "success")
    return redirect(url_for("admin.person_edit", person_id=person.id))


@bp.post("/people/<int:person_id>/deactivate")
def person_deactivate(person_id: int) -> WerkzeugResponse:
    return _set_active(person_id, False)


@bp.post("/people/<int:person_id>/reactivate")
def person_reactivate(person_id: int) -> WerkzeugResponse:
    return _set_active(person_id, True)


# CSV import -----------------------------------------------------------------------------------


def _serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=IMPORT_SALT)


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


@bp.route("/people/import", methods=["GET", "POST"])
def people_import() -> Page:
    """Upload a file and see what importing it would do; nothing is stored here."""
    form = PeopleUploadForm()
    if not form.validate_on_submit():
        return _import_page(form, 422 if request.method == "POST" else 200)
    db = get_session()
    data = form.file.data.read(MAX_BYTES + 1)
    preview = parse_people_csv(db, data)
    db.rollback()  # a preview changes nothing; end the transaction before rendering
    if preview.errors:
        return _import_page(form, 422, errors=preview.errors)
    if not preview.rows:
        return _import_page(form, 422, problem=_("The file has a header but no rows."))
    payload = _serializer().dumps({"csv": data.decode("utf-8-sig"), "by": current_user.id})
    confirm = PeopleConfirmForm(data={"payload": payload})
    return render_template(
        "admin/people_import_preview.html",
        preview=preview,
        creates=preview.creates,
        updates=preview.updates,
        confirm=confirm,
        limit=PREVIEW_ROWS,
    )


@bp.post("/people/import/confirm")
def people_import_confirm() -> Page:
    """Import the previewed file: every row or none, checked again against the database."""
    upload = PeopleUploadForm(formdata=None)
    form = PeopleConfirmForm()
    if not form.validate_on_submit():
        return _import_page(upload, 400, problem=_("Nothing to import: please upload the file."))
    try:
        signed = _serializer().loads(form.payload.data or "", max_age=IMPORT_MAX_AGE)
    except BadSignature:
        return _import_page(
            upload,
            400,
            problem=_(
                "The checked file could not be verified or is too old; please upload it again."
            ),
        )
    if not (
        isinstance(signed, dict)
        and isinstance(signed.get("csv"), str)
        and signed.get("by") == current_user.id
    ):
        return _import_page(
            upload,
            400,
            problem=_("The checked file could not be verified; please upload it again."),
        )
    db = get_session()
    preview = parse_people_csv(db, signed["csv"].encode("utf-8"))
    if preview.errors:
        # The organisation changed since the preview (a department was renamed, say).
        db.rollback()
        return _import_page(upload, 422, errors=preview.errors)
    try:
        result = apply_people_import(db, preview)
        audit("import", *import_entry(result.created, result.updated))
        db.commit()
    except IntegrityError:
        db.rollback()
        return _import_page(
            upload,
            409,
            problem=_("Someone changed these people meanwhile; please upload the file again."),
        )
    flash(
        _(
            "Imported: %(created)s new, %(updated)s updated.",
            created=result.created,
            updated=result.updated,
        ),
        "success",
    )
    return redirect(url_for("admin.people"))


def _allow_signed_file() -> None:
    if request.endpoint == "admin.people_import_confirm":
        request.max_form_memory_size = CONFIRM_FIELD_LIMIT


@bp.record_once
def _register_field_limit(state: BlueprintSetupState) -> None:
    # First of the app's before-request functions: CSRF protection (an app-wide
    # before-request function) parses the form before any blueprint function runs.
    app: Flask = state.app
    app.before_request_funcs.setdefault(None, []).insert(0, _allow_signed_file)
