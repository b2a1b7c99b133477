"""Admin: the campaign schedule (quarterly campaigns created by the scheduler)."""

from __future__ import annotations

from datetime import UTC, datetime

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select
from werkzeug.wrappers import Response as WerkzeugResponse
from wtforms import SelectChoice

from forms.delivery import ScheduleForm
from survey.db import get_session
from survey.delivery.services.schedules import (
    LEAD_DAYS,
    ScheduleError,
    ScheduleValues,
    next_campaign,
    save_schedule,
)
from survey.models import Campaign, CampaignSchedule, Department, Questionnaire
from survey.views.admin import bp


def _choices(form: ScheduleForm) -> None:
    db = get_session()
    form.departments.choices = [
        SelectChoice(d.id, f"{d.name} ({d.code})")
        for d in db.scalars(
            select(Department).where(Department.active.is_(True)).order_by(Department.name)
        )
    ]
    form.questionnaire.choices = [SelectChoice("", _("The newest quarterly questionnaire"))] + [
        SelectChoice(str(q.id), q.name)
        for q in db.scalars(
            select(Questionnaire)
            .where(Questionnaire.kind == "quarterly")
            .order_by(Questionnaire.name)
        )
    ]


def _fill(form: ScheduleForm, schedule: CampaignSchedule) -> None:
    form.name.data = schedule.name
    form.quarters.data = [int(q) for q in schedule.quarters]
    form.open_offset_days.data = schedule.open_offset_days
    form.close_offset_days.data = schedule.close_offset_days
    form.questionnaire.data = str(schedule.questionnaire_id or "")
    form.departments.data = [d.id for d in schedule.departments]
    form.min_group_size.data = schedule.min_group_size
    form.reminder_max.data = schedule.reminder_max
    form.reminder_min_days.data = schedule.reminder_min_days
    form.active.data = schedule.active


_FIELDS = {"department_ids": "departments", "questionnaire_id": "questionnaire"}


@bp.route("/schedule", methods=["GET", "POST"])
def schedule() -> str | WerkzeugResponse:
    """View and change the schedule (the first one; there is one per organisation in the
    admin pages, the model allows more). Bad values come back with the answers kept."""
    db = get_session()
    current = db.scalar(select(CampaignSchedule).order_by(CampaignSchedule.id).limit(1))
    form = ScheduleForm()
    _choices(form)
    if request.method == "GET":
        if current is not None:
            _fill(form, current)
        else:
            form.name.data = _("Quarterly survey")
            form.quarters.data = [1, 2, 3, 4]
    status = 200
    if request.method == "POST":
        status = 422
        if form.validate_on_submit():
            values = ScheduleValues(
                name=form.name.data or "",
                quarters=tuple(form.quarters.data or ()),
                open_offset_days=form.open_offset_days.data or 0,
                close_offset_days=form.close_offset_days.data or 0,
                reminder_max=form.reminder_max.data or 0,
                reminder_min_days=form.reminder_min_days.data or 1,
                min_group_size=form.min_group_size.data or 5,
                questionnaire_id=int(form.questionnaire.data) if form.questionnaire.data else None,
                department_ids=tuple(form.departments.data or ()),
                active=bool(form.active.data),
            )
            try:
                save_schedule(db, current, values, actor=current_user._get_current_object())
            except ScheduleError as error:
                db.rollback()
                field = form[_FIELDS.get(error.field, error.field)]
                field.errors = [
                    *field.errors,
                    _("This value was refused: %(reason)s", reason=error.message),
                ]
            else:
                db.commit()
                flash(
                    _("Schedule saved.") if values.active else _("Schedule saved and paused."),
                    "success",
                )
                return redirect(url_for("admin.schedule"))
    now = datetime.now(UTC)
    upcoming = next_campaign(current, now) if current is not None else None
    created = (
        db.scalars(
            select(Campaign)
            .where(Campaign.schedule_id == current.id)
            .order_by(Campaign.opens_at.desc())
            .limit(12)
        ).all()
        if current is not None
        else []
    )
    return render_template(
        "admin/schedule.html",
        form=form,
        schedule=current,
        upcoming=upcoming,
        created=created,
        lead_days=LEAD_DAYS,
    ), status  # type: ignore[return-value]
