"""Admin: handled requests (list with survey decisions and skip reasons, manual entry); the CSV
import is ``interactions_import``."""

from __future__ import annotations

from flask import current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from sqlalchemy import func, select
from sqlalchemy.orm import joinedload
from werkzeug.wrappers import Response as WerkzeugResponse
from wtforms import SelectChoice

from forms.delivery import InteractionForm
from survey.db import get_session
from survey.delivery.admin.refusals import in_page_language
from survey.delivery.services.interactions import FieldError, InteractionInput, record_interaction
from survey.local_format import zone_name
from survey.local_time import to_utc
from survey.models import Department, Interaction, Service
from survey.models.activity import SURVEY_DECISIONS
from survey.services.audit import Target
from survey.services.paging import page_arg, paginate
from survey.views.admin import bp
from survey.views.admin.common import audit, per_page


def skip_reason_labels() -> dict[str, str]:
    return {
        "own_department": _("The requester works in the providing department"),
        "opted_out": _("The person opted out of surveys"),
        "erased_this_quarter": _(
            "The person's data was erased this quarter: surveyed again from the next one"
        ),
        "fatigue_window": _("Surveyed recently (fatigue window)"),
        "open_quarterly": _("A quarterly survey is open for the person"),
        "sampled_out": _("Not drawn by the service's sampling rate"),
        "inactive": _("The person is no longer active"),
        "budget": _("The person reached the survey budget for the period"),
        "cancelled": _("The request was cancelled"),
        "retention": _("Past the retention period: the requester was removed"),
        "erased": _("The requester's data was erased"),
        "no_requester": _("No requester any more (retention or erasure)"),
        "reported_late": _(
            "Reported more than %(days)s days after its resolution: too late for a survey",
            days=current_app.config.get("LATE_REPORT_DAYS", 14),
        ),
    }


@bp.get("/interactions")
def interactions() -> str:
    db = get_session()
    decision = request.args.get("decision", "")
    stmt = select(Interaction).options(
        joinedload(Interaction.provider), joinedload(Interaction.requester)
    )
    if decision in SURVEY_DECISIONS:
        stmt = stmt.where(Interaction.survey_decision == decision)
    page = paginate(
        db,
        stmt.order_by(Interaction.opened_at.desc(), Interaction.id.desc()),
        page_arg(request.args.get("page")),
        per_page(),
    )
    reasons = dict(
        db.execute(
            select(Interaction.skip_reason, func.count())
            .where(Interaction.survey_decision == "skipped")
            .group_by(Interaction.skip_reason)
        ).all()
    )
    return render_template(
        "admin/interactions.html",
        page=page,
        decision=decision,
        reasons=reasons,
        reason_labels=skip_reason_labels(),
    )


def _interaction_form() -> InteractionForm:
    db = get_session()
    form = InteractionForm()
    departments = db.scalars(
        select(Department).where(Department.active.is_(True)).order_by(Department.name)
    )
    form.provider.choices = [SelectChoice(d.code, f"{d.name} ({d.code})") for d in departments]
    services = db.scalars(select(Service).where(Service.active.is_(True)).order_by(Service.name))
    # Grouped by provider (visible without JavaScript); service_filter.js then shows only the
    # chosen department's services. record_interaction refuses a mismatch anyway.
    codes = {d.id: (d.code, d.name) for d in db.scalars(select(Department))}
    form.service.choices = [SelectChoice("", _("(none)"))] + [
        SelectChoice(
            s.code,
            f"{s.name} ({s.code})",
            render_kw={"data-provider": codes[s.provider_department_id][0]},
            optgroup=codes[s.provider_department_id][1],
        )
        for s in sorted(services, key=lambda s: (codes[s.provider_department_id][1], s.name))
    ]
    # Times are typed in the organisation's time zone (converted to UTC by ``to_utc``).
    zone = zone_name()
    form.opened_at.label.text = _("Opened (%(zone)s)", zone=zone)
    form.first_response_at.label.text = _("First response (%(zone)s)", zone=zone)
    form.resolved_at.label.text = _("Resolved (%(zone)s)", zone=zone)
    return form


@bp.route("/interactions/new", methods=["GET", "POST"])
def interaction_new() -> str | WerkzeugResponse:
    form = _interaction_form()
    if form.validate_on_submit():
        db = get_session()

        ref = (form.external_ref.data or "").strip() or None
        data = InteractionInput(
            provider=form.provider.data or "",
            requester_email=form.requester_email.data or "",
            opened_at=to_utc(form.opened_at.data),
            service=form.service.data or None,
            source="admin" if ref else None,
            external_ref=ref,
            first_response_at=to_utc(form.first_response_at.data),
            resolved_at=to_utc(form.resolved_at.data),
        )
        try:
            interaction, created = record_interaction(db, data)
        except FieldError as error:
            db.rollback()
            target = getattr(form, error.field, form.provider)
            target.errors = [*target.errors, in_page_language(error.message)]
            return render_template("admin/interaction_form.html", form=form), 422  # type: ignore[return-value]
        if created:
            audit("create", _interaction_target(interaction), _interaction_changes(data))
        db.commit()
        flash(
            _("Recorded. The survey decision is made at the next scheduler run.")
            if created
            else _("This reference was already recorded; nothing changed."),
            "success" if created else "info",
        )
        return redirect(url_for("admin.interactions"))
    status = 422 if request.method == "POST" else 200
    return render_template("admin/interaction_form.html", form=form), status  # type: ignore[return-value]


def _interaction_target(interaction: Interaction) -> Target:
    """An entered request in the audit log: its reference, or its number when it has none."""
    label = interaction.external_ref or f"#{interaction.id}"
    return Target("interaction", str(interaction.id), label)


def _interaction_changes(data: InteractionInput) -> dict[str, list[object]]:
    """What an administrator entered, without the requester's address (the request names a
    person; the log needs only which service handled it and when)."""
    return {
        "provider": [None, data.provider],
        "service": [None, data.service],
        "opened_at": [None, data.opened_at],
        "resolved_at": [None, data.resolved_at],
    }
