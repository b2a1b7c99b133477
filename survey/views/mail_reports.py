"""The bounce and complaint webhook: a relay or mailbox service POSTs one received report (an
RFC 3464 delivery status notification or an RFC 5965 abuse report, the raw message as the body)
with ``Authorization: Bearer <API key>``; it is applied as ``flask survey process-bounces``
applies the reports it reads over POP3. JSON answers, no cookies read, so no CSRF token.

The answer lists the addresses suppressed, counts transient failures and complaints, and
lists in ``not_applied`` the recipients named that are no email address (nothing done)."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, jsonify, request

from survey.db import get_session
from survey.extensions import csrf
from survey.mail.bounces import BounceReport, apply_outcomes, parse_report
from survey.views.api import api_error, api_key_required

bp = Blueprint("mail_reports", __name__, url_prefix="/mail")


@bp.post("/reports")
@csrf.exempt
@api_key_required("mail_reports")
def receive_report() -> Any:
    outcomes = parse_report(request.get_data(cache=False))
    if not outcomes:
        return api_error(422, "not a delivery status notification or an abuse report", "body")
    db = get_session()
    report = BounceReport(read=1)
    apply_outcomes(db, outcomes, report)
    db.commit()
    return jsonify(
        {
            "suppressed": sorted(set(report.suppressed)),
            "transient": report.transient,
            "complaints": report.complaints,
            "not_applied": sorted(set(report.not_applied)),
        }
    )
