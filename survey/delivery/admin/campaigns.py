"""Admin: quarterly campaigns (create, follow, raise k, close)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta

from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from sqlalchemy import func, select
from sqlalchemy.orm import Session
from werkzeug.wrappers import Response as WerkzeugResponse
from wtforms import SelectChoice

from forms.delivery import CampaignForm, GroupSizeForm
from survey.db import get_session
from survey.delivery.services.campaigns import (
    CampaignError,
    DuplicateCampaign,
    QuarterReleased,
    campaign_clash,
    campaign_reach,
    cancel_campaign,
    close_campaign,
    create_campaign,
    open_campaign,
    quarter_released,
    set_min_group_size,
)
from survey.delivery.services.closing import close_preview
from survey.delivery.services.tick import TickSettings
from survey.local_time import day_start, local_today
from survey.models import Campaign, Department, Invitation
from survey.periods import quarter_of
from survey.services.audit import created, diff, snapshot
from survey.services.paging import page_arg, paginate
from survey.views.admin import bp
from survey.views.admin.common import audit, flash_left_out, per_page


def _department_choices() -> list[SelectChoice]:
    departments = get_session().scalars(
        select(Department).where(Department.active.is_(True)).order_by(Department.name)
    )
    return [SelectChoice(d.id, f"{d.name} ({d.code})") for d in departments]


def _start(day: object) -> datetime:
    """A campaign opens and closes at the start of its day in the organisation's zone."""
    return day_start(day)  # type: ignore[arg-type]


@bp.get("/campaigns")
def campaigns() -> str:
    db = get_session()
    page = paginate(
        db,
        select(Campaign).order_by(Campaign.opens_at.desc(), Campaign.id.desc()),
        page_arg(request.args.get("page")),
        per_page(),
    )
    return render_template("admin/campaigns.html", page=page)


@bp.route("/campaigns/new", methods=["GET", "POST"])
def campaign_new() -> str | WerkzeugResponse:
    """Two steps: the form's first submit shows how many people the campaign will reach (and
    refuses a quarter whose figures are already released, and a second campaign of the same
    quarter for the same people); "Create campaign" then creates it."""
    form = CampaignForm()
    form.departments.choices = _department_choices()
    if request.method == "GET":
        today = local_today()
        form.quarter.data = quarter_of(today)
        form.name.data = _("Quarterly survey %(quarter)s", quarter=form.quarter.data)
        form.opens_on.data = today
        form.closes_on.data = today + timedelta(days=21)
    if not form.validate_on_submit():
        status = 422 if request.method == "POST" else 200
        return render_template("admin/campaign_form.html", form=form), status  # type: ignore[return-value]
    db = get_session()
    quarter = form.quarter.data or ""
    department_ids = list(form.departments.data or [])
    if quarter_released(db, quarter):
        form.quarter.errors = [*form.quarter.errors, _released_message(quarter)]
        return render_template("admin/campaign_form.html", form=form), 422  # type: ignore[return-value]
    clash = campaign_clash(db, quarter, department_ids)
    if clash is not None:
        form.quarter.errors = [*form.quarter.errors, _duplicate_message(clash)]
        return render_template("admin/campaign_form.html", form=form), 422  # type: ignore[return-value]
    if request.form.get("confirm") != "1":
        reach = campaign_reach(db, quarter, department_ids)
        return render_template("admin/campaign_form.html", form=form, reach=reach)
    try:
        campaign = create_campaign(
            db,
            name=form.name.data or "",
            quarter=quarter,
            opens_at=_start(form.opens_on.data),
            closes_at=_start(form.closes_on.data),
            min_group_size=form.min_group_size.data or 5,
            department_ids=department_ids,
            reminder_max=form.reminder_max.data or 0,
            reminder_min_days=form.reminder_min_days.data or 1,
            refuse_overlap=True,
        )
    except DuplicateCampaign as error:  # created by someone else meanwhile
        db.rollback()
        form.quarter.errors = [*form.quarter.errors, _duplicate_message(error.existing)]
        return render_template("admin/campaign_form.html", form=form), 422  # type: ignore[return-value]
    except QuarterReleased:  # released meanwhile
        db.rollback()
        form.quarter.errors = [*form.quarter.errors, _released_message(quarter)]
        return render_template("admin/campaign_form.html", form=form), 422  # type: ignore[return-value]
    except (CampaignError, ValueError) as error:
        db.rollback()
        form.name.errors = [*form.name.errors, str(error)]
        return render_template("admin/campaign_form.html", form=form), 422  # type: ignore[return-value]
    changes = created(snapshot(campaign))
    if campaign.departments:
        changes["departments"] = [None, sorted(d.code for d in campaign.departments)]
    audit("create", campaign, changes)
    db.commit()
    flash(_("Campaign created. It opens on its first day when the scheduler runs."), "success")
    return redirect(url_for("admin.campaign_detail", campaign_id=campaign.id))


def _duplicate_message(existing: Campaign) -> str:
    return _(
        "“%(name)s” already surveys this quarter for some of these people: one quarterly "
        "survey per person and quarter. Choose other departments or another quarter.",
        name=existing.name,
    )


def _released_message(quarter: str) -> str:
    return _(
        "The figures of %(quarter)s have already been published, and a quarter is published "
        "once: the answers of a new campaign would show in the difference between the two "
        "publications. Choose a quarter that has not been published.",
        quarter=quarter,
    )


@bp.route("/campaigns/<int:campaign_id>", methods=["GET", "POST"])
def campaign_detail(campaign_id: int) -> str | WerkzeugResponse:
    db = get_session()
    campaign = db.get(Campaign, campaign_id)
    if campaign is None:
        abort(404)
    form = GroupSizeForm(min_group_size=campaign.min_group_size)
    status = 200
    if request.method == "POST":
        if form.validate_on_submit():
            before = snapshot(campaign, "min_group_size")
            try:
                set_min_group_size(db, campaign, form.min_group_size.data or 5)
            except QuarterReleased as refused:
                db.rollback()
                form.min_group_size.errors = [
                    _(
                        "The figures of %(quarter)s have already been published under this "
                        "k, and a quarter is published once: its k no longer changes.",
                        quarter=refused.quarter,
                    )
                ]
                status = 422
            except CampaignError:
                db.rollback()
                form.min_group_size.errors = [
                    _("k cannot be lowered once the campaign has opened.")
                ]
                status = 422
            else:
                audit("edit", campaign, diff(before, snapshot(campaign, "min_group_size")))
                db.commit()
                flash(_("Saved."), "success")
                return redirect(url_for("admin.campaign_detail", campaign_id=campaign.id))
        else:
            status = 422
    counts = dict(
        db.execute(
            select(Invitation.status, func.count())
            .where(Invitation.campaign_id == campaign.id)
            .group_by(Invitation.status)
        ).all()
    )
    reminders = db.scalar(
        select(func.coalesce(func.sum(Invitation.reminders_sent), 0)).where(
            Invitation.campaign_id == campaign.id
        )
    )
    invited = sum(counts.values())
    answered = counts.get("answered", 0)
    return render_template(
        "admin/campaign_detail.html",
        campaign=campaign,
        form=form,
        counts=counts,
        invited=invited,
        answered=answered,
        rate=(answered / invited) if invited else None,
        reminders=reminders,
        can_open=campaign.status == "draft"
        and _aware(campaign.opens_at) <= datetime.now(UTC) < _aware(campaign.closes_at),
    ), status  # type: ignore[return-value]


def _change_state(
    campaign_id: int,
    change: Callable[[Session, Campaign], object],
    action: str,
    status: str,
    done: str,
    refused: str,
) -> WerkzeugResponse:
    """Apply ``change`` (a service that returns False or None when the campaign is not in the
    state it starts from), log ``action`` (the campaign now in ``status``) and say so: ``done`` or
    ``refused``, back on the campaign's page."""
    db = get_session()
    campaign = db.get(Campaign, campaign_id)
    if campaign is None:
        abort(404)
    before = campaign.status
    if change(db, campaign):
        audit(action, campaign, {"status": [before, status]})
        db.commit()
        flash(done, "success")
    else:
        db.rollback()
        flash(refused, "error")
    return redirect(url_for("admin.campaign_detail", campaign_id=campaign_id))


@bp.post("/campaigns/<int:campaign_id>/open")
def campaign_open(campaign_id: int) -> WerkzeugResponse:
    """Open a draft campaign whose opening date has come, without waiting for the
    scheduler: the same service ``tick`` uses (fatigue rules and k of the settings)."""
    db = get_session()
    campaign = db.get(Campaign, campaign_id)
    if campaign is None:
        abort(404)
    now = datetime.now(UTC)
    due = campaign.status == "draft" and _aware(campaign.opens_at) <= now < _aware(
        campaign.closes_at
    )
    settings = TickSettings.from_config(current_app.config)
    try:
        result = (
            open_campaign(
                db,
                campaign,
                settings.base_url,
                settings.mail_domain,
                now,
                min_group_size=settings.min_group_size,
                policy=settings.policy,
            )
            if due
            else None
        )
    except QuarterReleased as refused:
        db.rollback()
        flash(
            _(
                "Not opened: the figures of %(quarter)s have already been published since this "
                "campaign was created, and a quarter is published once. Cancel this campaign.",
                quarter=refused.quarter,
            ),
            "error",
        )
        return redirect(url_for("admin.campaign_detail", campaign_id=campaign_id))
    if result is None:
        db.rollback()
        flash(
            _("Only a campaign that has not opened, on or after its first day, can be opened."),
            "error",
        )
    else:
        audit("open", campaign, {"status": ["draft", "open"], "invited": [None, result.invited]})
        db.commit()
        flash(_("Campaign opened: %(n)s people invited.", n=result.invited), "success")
        flash_left_out(result.over_budget, result.erased_this_quarter)
    return redirect(url_for("admin.campaign_detail", campaign_id=campaign_id))


def _aware(moment: datetime) -> datetime:
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


@bp.route("/campaigns/<int:campaign_id>/close", methods=["GET", "POST"])
def campaign_close(campaign_id: int) -> str | WerkzeugResponse:
    """Close an open campaign before its end, after a confirmation: the GET (and a POST
    without ``confirm=1``, which closes nothing) shows what closing does (its links stop
    working, how many invitations are unanswered, whether the quarter's figures are then
    published: ``closing.close_preview``); only the confirmed POST closes. A campaign that
    is not open gets the page saying so, without the form."""
    db = get_session()
    campaign = db.get(Campaign, campaign_id)
    if campaign is None:
        abort(404)
    if request.method == "POST" and request.form.get("confirm") == "1":
        return _close(campaign_id)  # refused, with a flash, unless it is open
    if request.method == "POST":
        return redirect(url_for("admin.campaign_close", campaign_id=campaign_id))
    return render_template(
        "admin/campaign_close.html", campaign=campaign, preview=close_preview(db, campaign)
    )


def _close(campaign_id: int) -> WerkzeugResponse:
    return _change_state(
        campaign_id,
        close_campaign,
        "close",
        "closed",
        _("Campaign closed: its unanswered links no longer work."),
        _("Only an open campaign can be closed."),
    )


@bp.post("/campaigns/<int:campaign_id>/cancel")
def campaign_cancel(campaign_id: int) -> WerkzeugResponse:
    return _change_state(
        campaign_id,
        cancel_campaign,
        "cancel",
        "cancelled",
        _("Campaign cancelled: it will not open, and no one was invited."),
        _("Only a campaign that has not opened can be cancelled."),
    )


@bp.context_processor
def _campaign_labels() -> dict[str, object]:
    labels = {
        "draft": _("not yet open"),
        "open": _("open"),
        "closed": _("closed"),
        "cancelled": _("cancelled"),
    }
    return {"campaign_status": lambda status: labels.get(status, status)}
