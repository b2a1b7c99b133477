"""Admin: services of provider departments and their service standards.

Standards are only ever added (a new row from a date on), never edited: compliance of a past
interaction is judged against the standard in force when it was opened.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from sqlalchemy import Select, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, joinedload, selectinload

from forms.admin import ServiceForm, StandardForm
from survey.db import get_session
from survey.models import Department, Service
from survey.org.admin.names import translated_names
from survey.org.services import Message, OrgError, add_standard, create_service, update_service
from survey.services.audit import created, snapshot
from survey.views.admin import bp
from survey.views.admin.common import (
    audit,
    chosen_id,
    department_choices,
    matches,
    show_error,
)
from survey.views.admin.crud import CrudPages, Page


def _service_form(service: Service | None, formdata: bool = True) -> ServiceForm:
    data = None
    if service is not None and (request.method == "GET" or not formdata):
        data = {
            "provider": str(service.provider_department_id),
            "code": service.code,
            "name": service.name,
            "name_it": (service.names or {}).get("it", ""),
            "name_fr": (service.names or {}).get("fr", ""),
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


def _provider_id(form: ServiceForm) -> int:
    provider_id = chosen_id(form.provider.data)
    if provider_id is None:
        raise OrgError("provider", Message("Choose a department."))
    return provider_id


class ServicePages(CrudPages[Service]):
    """Services have no deactivate route: "active" is a field of their form."""

    model = Service
    plural, singular = "services", "service"
    list_template, form_template = "admin/services.html", "admin/service_form.html"
    can_deactivate = False

    def list_statement(self, query: str) -> Select[Any]:
        stmt = (
            select(Service)
            .join(Service.provider)
            .options(joinedload(Service.provider), selectinload(Service.standards))
        )
        if query:
            stmt = stmt.where(
                matches(query, Service.code, Service.name, Department.code, Department.name)
            )
        return stmt.order_by(Department.code, Service.code)

    def list_context(self) -> dict[str, Any]:
        return {"today": datetime.now(UTC).date()}

    def make_form(self, row: Service | None) -> ServiceForm:
        return _service_form(row)

    def create(self, db: Session, form: ServiceForm) -> Service:  # type: ignore[override]
        return create_service(
            db,
            _provider_id(form),
            form.code.data or "",
            form.name.data or "",
            form.description.data or "",
            float(form.sampling_rate.data),  # type: ignore[arg-type]
            names=translated_names(form),
        )

    def update(self, db: Session, form: ServiceForm, row: Service) -> None:  # type: ignore[override]
        update_service(
            db,
            row,
            _provider_id(form),
            form.code.data or "",
            form.name.data or "",
            form.description.data or "",
            float(form.sampling_rate.data),  # type: ignore[arg-type]
            bool(form.active.data),
            names=translated_names(form),
        )

    def error_field(self, row: Service | None) -> str:
        return "code"

    def refused(self, form: ServiceForm, row: Service | None) -> None:  # type: ignore[override]
        form.code.errors = [*form.code.errors, _("Another service already has this code.")]

    def created_text(self, row: Service) -> str:
        return _("Service %(code)s created. Add its service standard below.", code=row.code)

    def saved_text(self, row: Service) -> str:
        return _("Service %(code)s saved.", code=row.code)

    def after_create(self, row: Service) -> str:
        return url_for("admin.service_edit", service_id=row.id)

    def after_save(self, row: Service) -> str:
        return url_for("admin.service_edit", service_id=row.id)

    def new_page(self, form: ServiceForm, status: int) -> Page:  # type: ignore[override]
        return render_template("admin/service_new.html", form=form), status

    def form_page(self, form: ServiceForm, row: Service | None, status: int) -> Page:  # type: ignore[override]
        assert row is not None  # "new" has its own page
        return _edit_page(row, form, _standard_form(formdata=False), status)


PAGES = ServicePages()
PAGES.register(bp)


@bp.post("/services/<int:service_id>/standards")
def service_standard_new(service_id: int) -> Page:
    db = get_session()
    service = PAGES.get_or_404(service_id)
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
