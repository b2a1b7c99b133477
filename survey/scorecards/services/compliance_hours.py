"""Service-standard compliance in business hours: the organisation calendar from the setting
``BUSINESS_HOURS`` (e.g. ``"Mon-Fri 09:00-17:00 Europe/Rome"``; unset = round the clock) and
the per-request judgement done by the pure ``analysis.business_time.met_standard``.

With no calendar the scorecard reader counts compliance in one SQL query
(``compliance_data._compliance_query``, paused time subtracted there too). With a calendar,
working minutes cannot be computed in SQL portably, so ``business_compliance`` reads the
judged requests' times (one query over the quarters asked) and judges each in Python.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from flask import current_app, has_app_context
from sqlalchemy import and_, case, exists, select
from sqlalchemy.orm import Session, aliased

from analysis.business_time import Calendar, met_standard, parse_calendar
from survey.models import Interaction, ServiceStandard


def business_calendar() -> Calendar | None:
    """The calendar of the running app's ``BUSINESS_HOURS`` setting; None when unset or
    outside an app context. The setting is checked at start-up (``survey.config``)."""
    if not has_app_context():
        return None
    text = current_app.config.get("BUSINESS_HOURS")
    return parse_calendar(text) if text else None


def business_compliance(
    session: Session,
    quarters: Sequence[str],
    now: datetime,
    provider_id: int | None,
    by_service: bool,
    calendar: Calendar,
    day_of: Any,
    utc_start: Any,
    quarter_bounds: Any,
) -> dict[tuple[Any, ...], tuple[int, int]]:
    """``(judged, compliant)`` keyed like ``compliance_data.compliance_counts``. The standard
    in force is the one of the day the request was opened (as in SQL); cancelled requests
    are not judged. ``day_of``, ``utc_start`` and ``quarter_bounds`` are the reader's own
    helpers, passed in so both paths cut days and quarters identically."""
    i = Interaction
    std = aliased(ServiceStandard)
    later = aliased(ServiceStandard)
    opened_day = day_of(session, i.opened_at)
    bounds = [
        (q, utc_start(s), utc_start(e)) for q, s, e in ((q, *quarter_bounds(q)) for q in quarters)
    ]
    quarter_of_row = case(
        *[(and_(i.opened_at >= s, i.opened_at < e), q) for q, s, e in bounds], else_=None
    )
    stmt = (
        select(
            i.provider_department_id,
            quarter_of_row,
            i.service_id,
            i.opened_at,
            i.first_response_at,
            i.resolved_at,
            i.paused_seconds,
            std.first_response_minutes,
            std.resolution_minutes,
        )
        .join(std, and_(std.service_id == i.service_id, std.effective_from <= opened_day))
        .where(
            ~exists().where(
                later.service_id == i.service_id,
                later.effective_from <= opened_day,
                later.effective_from > std.effective_from,
            ),
            i.opened_at >= min(s for _q, s, _e in bounds),
            i.opened_at < max(e for _q, _s, e in bounds),
            i.cancelled_at.is_(None),
        )
    )
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
