"""Freezing a released quarter's compliance counts (the C component) when its release is
recorded, so that nothing published about it moves afterwards.

C is counted from the requests of the quarter (by the day they were opened). Without a
freeze, every reading counted them again: a ticketing tool reporting requests of the quarter
after its release (a first connection back-filling months, a replay after an outage), a
request resolved after it, or time passing over a request still open, changed a published C
and with it the quarter's ISQ and IQ. ``freeze_released_compliance`` stores each newly
recorded quarter's counts per provider and service (``ReleasedCompliance``) and marks its
release row (``QuarterRelease.compliance_frozen_at``); ``compliance_data.compliance_counts``
reads them from then on. Requests reported later stay on the requests page and count toward
no published figure (``docs/scoring.md``, "Released figures do not move").
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from survey.models import QuarterRelease, ReleasedCompliance
from survey.scorecards.services.compliance_data import live_compliance_counts


def freeze_released_compliance(session: Session, now: datetime) -> list[str]:
    """Freeze the compliance counts, as they are at ``now`` (aware UTC), of every recorded
    release (``release.record_releases``) not frozen yet; returns those quarters, oldest
    first. Called right after ``record_releases`` (the tick, an administrator's close), so a
    quarter is frozen when its release is recorded; a quarter recorded before this rule
    existed is frozen by the next tick. Two hosts freezing at once (PostgreSQL): the
    conditional update lets one of them write the counts. Flushes only."""
    waiting = list(
        session.scalars(
            select(QuarterRelease.quarter)
            .where(QuarterRelease.compliance_frozen_at.is_(None))
            .order_by(QuarterRelease.quarter)
        )
    )
    if not waiting:
        return []
    counts = live_compliance_counts(session, waiting, now, by_service=True)
    claimed = set(
        session.scalars(
            update(QuarterRelease)
            .where(
                QuarterRelease.quarter.in_(waiting),
                QuarterRelease.compliance_frozen_at.is_(None),
            )
            .values(compliance_frozen_at=now)
            .returning(QuarterRelease.quarter)
            .execution_options(synchronize_session=False)
        )
    )
    session.add_all(
        ReleasedCompliance(
            quarter=quarter,
            provider_department_id=provider,
            service_id=service,
            judged=count.judged,
            compliant=count.compliant,
        )
        for (provider, quarter, service), count in counts.items()
        if quarter in claimed
    )
    session.flush()
    return sorted(claimed)
