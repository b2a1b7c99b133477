"""Service-standard compliance in business hours: the organisation calendar from the setting
``BUSINESS_HOURS`` (e.g. ``"Mon-Fri 09:00-17:00 Europe/Rome"``; unset = round the clock) and
the per-request judgement done by the pure ``analysis.business_time.met_standard``.

With no calendar the scorecard reader counts compliance in one SQL query
(``compliance_data._compliance_query``, paused time subtracted there too). With a calendar,
working minutes cannot be computed in SQL portably, so ``business_compliance`` reads the
judged requests' times (one query over the quarters asked) and judges each in Python. Both
read the same requests with the same standard in force (``compliance_data.in_force``,
written once and handed in, so this module imports nothing of the reader).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from flask import current_app, has_app_context
from sqlalchemy.orm import Session

from analysis.business_time import Calendar, met_standard, parse_calendar
from survey.models import Interaction


def business_calendar() -> Calendar | None:
    """The calendar of the running app's ``BUSINESS_HOURS`` setting; None when unset or
    outside an app context. The setting is checked at start-up (``survey.config``)."""
    if not has_app_context():
        return None
    text = current_app.config.get("BUSINESS_HOURS")
    return parse_calendar(text) if text else None


def business_compliance(
    session: Session,
    requests: Any,
    now: datetime,
    provider_id: int | None,
    by_service: bool,
    calendar: Calendar,
) -> dict[tuple[Any, ...], tuple[int, int]]:
    """``(judged, compliant)`` keyed like ``compliance_data.compliance_counts``, over
    ``requests`` (``compliance_data.in_force``: the requests of the quarters asked, each with
    the standard in force on its opening day, the one read both paths share); cancelled
    requests are not judged."""
    i = Interaction
    std = requests.std
    stmt = requests.select(
        i.provider_department_id,
        requests.quarter,
        i.service_id,
        i.opened_at,
        i.first_response_at,
        i.resolved_at,
        i.paused_seconds,
        std.first_response_minutes,
        std.resolution_minutes,
    ).where(i.cancelled_at.is_(None))
    if provider_id is not None:
        stmt = stmt.where(i.provider_department_id == provider_id)
    out: dict[tuple[Any, ...], tuple[int, int]] = {}
    for (
        provider,
        quarter,
        service,
        opened,
        first,
        resolved,
        paused,
        fr_min,
        res_min,
    ) in session.execute(stmt):
        if quarter is None:
            continue
        verdict = met_standard(opened, first, resolved, paused or 0, fr_min, res_min, calendar, now)
        if verdict is None:
            continue
        key = (provider, quarter, service) if by_service else (provider, quarter)
        judged, compliant = out.get(key, (0, 0))
        out[key] = (judged + 1, compliant + int(verdict))
    return out
