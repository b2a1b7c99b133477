"""Admin: services of provider departments and their service standards.

Standards are only ever added (a new row from a date on), never edited: compliance of a past
interaction is judged against the standard in force when it was opened.
"""

from __future__ import annotations

from datetime import UTC, datetime

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import joinedload, selectinload
from werkzeug.wrappers import Response as WerkzeugResponse

from forms.admin import ServiceForm, StandardForm
from survey.db import get_session
from survey.models import Department, Service
from survey.services.audit import created, diff, snapshot
from survey.services.org import OrgError, add_standard, create_service, update_service
from survey.services.paging import page_arg, paginate
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


def _service_or_404(service_id: int) -> Service:
    service = get_session().get(Service, service_id)
    if service is None:
        abort(404)
    return service


@bp.get("/services")
def services() -> str:
    db = get_session()
    query = search_arg()
    stmt = (
        select(Service)
        .join(Service.provider)
        .options(joinedload(Service.provider), selectinload(Service.standards))
    )
    if query:
        stmt = stmt.where(
            matches(query, Service.code, Service.name, Department.code, Department.name)
        )
    page = paginate(
        db,
        stmt.order_by(Department.code, Service.code),
        page_arg(request.args.get("page")),
        per_page(),
        query,
    )
    return render_template("admin/services.html", page=page, today=datetime.now(UTC).date())


def _service_form(service: Service | None, formdata: bool = True) -> ServiceForm:
    data = None
    if service is not None and (request.method == "GET" or not formdata):
        data = {
            "provider": str(service.provider_department_id),
            "code": service.code,
            "name": service.name,
            "description": service.description,
            "sampling_rate": service.sampling_rate,
            "active": service.active,
        }
    form = ServiceForm(data=data) if formdata else ServiceForm(formdata=None, data=data)
    form.provider.choices = department_choices(blank=_("(choose a department)"))
    return form


def _standard_form(formdata: bool = True) -> StandardForm:
    if formdata and request.method == "POST":
        return StandardForm()
    return StandardForm(formdata=None, data={"effective_from": datetime.now(UTC).date()})


def _edit_page(service: Service, form: ServiceForm, standard: StandardForm, status: int) -> Page:
    return render_template(
        "admin/service_form.html",
        service=service,
        form=form,
        standard_form=standard,
        standards=sorted(service.standards, key=lambda s: s.effective_from, reverse=True),
    ), status


def _save(form: ServiceForm, service: Service | None) -> Service | None:
    db = get_session()
    provider_id = chosen_id(form.provider.data)
    if provider_id is None:
        form.provider.errors = [*form.provider.errors, _("Choose a department.")]
        return None
    try:
        if service is None:
            service = create_service(
                db,
                provider_id,
                form.code.data or "",
                form.name.data or "",
                form.description.data or "",
                float(form.sampling_rate.data),  # type: ignore[arg-type]
            )
            audit("create", service, created(snapshot(service)))
        else:
            before = snapshot(service)
            update_service(
                db,
                service,
                provider_id,
                form.code.data or "",
                form.name.data or "",
                form.description.data or "",
                float(form.sampling_rate.data),  # type: ignore[arg-type]
                bool(form.active.data),
            )
            audit("edit", service, diff(before, snapshot(service)))
        db.commit()
    except OrgError as error:
        db.rollback()
        show_error(form, error, "code")
        return None
    except IntegrityError:
        db.rollback()
        form.code.errors = [*form.code.errors, _("Another service already has this code.")]
        return None
    return service


@bp.route("/services/new", methods=["GET", "POST"])
def service_new() -> Page:
    form = _service_form(None)
    if form.validate_on_submit():
        service = _save(form, None)
        if service is not None:
            flash(
                _("Service %(code)s created. Add its service standard below.", code=service.code),
                "success",
            )
            return redirect(url_for("admin.service_edit", service_id=service.id))
    status = 422 if request.method == "POST" else 200
    return render_template("admin/service_new.html", form=form), status


@bp.route("/services/<int:service_id>", methods=["GET", "POST"])
def service_edit(service_id: int) -> Page:
    service = _service_or_404(service_id)
    form = _service_form(service)
    if form.validate_on_submit() and _save(form, service) is not None:
        flash(_("Service %(code)s saved.", code=service.code), "success")
        return redirect(url_for("admin.service_edit", service_id=service.id))
    status = 422 if request.method == "POST" else 200
    return _edit_page(service, form, _standard_form(formdata=False), status)


@bp.post("/services/<int:service_id>/standards")
def service_standard_new(service_id: int) -> Page:
    db = get_session()
    service = _service_or_404(service_id)
    standard = _standard_form()
    if standard.validate_on_submit():
        try:
            row = add_standard(
                db,
                service,
                standard.effective_from.data,  # type: ignore[arg-type]
                standard.first_response_minutes.data or 0,
                standard.resolution_minutes.data or 0,
            )
            audit(
                "add_standard",
                service,
                created(
                    snapshot(row, "effective_from", "first_response_minutes", "resolution_minutes")
                ),
            )
            db.commit()
        except OrgError as error:
            db.rollback()
            show_error(standard, error, "effective_from")
        except IntegrityError:
            db.rollback()
            standard.effective_from.errors = [
                *standard.effective_from.errors,
                _("This standard could not be stored; please check the values."),
            ]
        else:
            flash(_("Service standard added."), "success")
            return redirect(url_for("admin.service_edit", service_id=service.id))
    return _edit_page(service, _service_form(service, formdata=False), standard, 422)
