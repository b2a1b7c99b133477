"""Admin: resend a person's invitation (a new link; the old ones stop working), from the
person's page and from the campaign's."""

from __future__ import annotations

from flask import abort, flash, redirect, request, url_for
from flask_babel import gettext as _
from sqlalchemy import select
from werkzeug.wrappers import Response as WerkzeugResponse

from survey.db import get_session
from survey.delivery.services.resend import ResendRefused, resend_invitation
from survey.delivery.services.tick import TickSettings
from survey.models import Campaign, Invitation, Person
from survey.services.audit import Target
from survey.views.admin import bp
from survey.views.admin.common import audit


def refusal_text(reason: str) -> str:
    return {
        "opted_out": _("Not resent: this person opted out of surveys."),
        "inactive": _("Not resent: this person is no longer active."),
        "closed": _("Not resent: the survey is answered, expired or its campaign is closed."),
        "too_soon": _("Not resent: it was mailed a few minutes ago. Try again later."),
    }[reason]


def _resend(invitation: Invitation) -> bool:
    from flask import current_app

    db = get_session()
    settings = TickSettings.from_config(current_app.config)
    try:
        resend_invitation(db, invitation, settings.base_url, settings.mail_domain)
    except ResendRefused as refused:
        db.rollback()
        flash(refusal_text(refused.reason), "error")
        return False
    audit("resend", _invitation_target(invitation))
    db.commit()
    flash(
        _(
            "Invitation sent again with a new link; the earlier links no longer work and any"
            " answers saved to finish later are discarded."
        ),
        "success",
    )
    return True


@bp.post("/invitations/<int:invitation_id>/resend")
def invitation_resend(invitation_id: int) -> WerkzeugResponse:
    invitation = get_session().get(Invitation, invitation_id)
    if invitation is None:
        abort(404)
    person_id, campaign_id = invitation.person_id, invitation.campaign_id
    _resend(invitation)
    if request.form.get("back") == "campaign" and campaign_id is not None:
        return redirect(url_for("admin.campaign_detail", campaign_id=campaign_id))
    return redirect(url_for("admin.person_edit", person_id=person_id))


@bp.post("/campaigns/<int:campaign_id>/resend")
def campaign_resend(campaign_id: int) -> WerkzeugResponse:
    """Resend by email address: the campaign's invitation of that person."""
    db = get_session()
    if db.get(Campaign, campaign_id) is None:
        abort(404)
    email = (request.form.get("email") or "").strip().lower()[:254]
    invitation = db.scalar(
        select(Invitation)
        .join(Person, Person.id == Invitation.person_id)
        .where(Invitation.campaign_id == campaign_id, Person.email == email)
    )
    if invitation is None:
        flash(_("No one with this email address was invited to this campaign."), "error")
    else:
        _resend(invitation)
    return redirect(url_for("admin.campaign_detail", campaign_id=campaign_id) + "#resend")


def _invitation_target(invitation: Invitation) -> Target:
    """A resent invitation in the audit log: whose, and for which campaign (or request)."""
    person = get_session().get(Person, invitation.person_id)
    email = person.email if person is not None else f"person {invitation.person_id}"
    what = invitation.campaign.name if invitation.campaign is not None else invitation.kind
    return Target("invitation", str(invitation.id), f"{what}: {email}")
