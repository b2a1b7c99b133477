"""The demo's present: what is going on today, so that mail is waiting on the first start.

The history (``survey.demo.history``) ends with the last complete quarter. On top of it the
present holds a quarterly campaign of the current quarter, opened today for the departments
of ``CAMPAIGN_AUDIENCE``, and a few requests handled in the last days by people of the other
departments (a person with an open quarterly survey gets no post-interaction one), decided as
``tick`` would. Both go through the same services as the real product (``open_campaign``,
``record_interaction``, ``decide_pending_surveys``), so the outbox holds real invitations
with working links.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from survey.delivery.services.campaigns import create_campaign, open_campaign
from survey.delivery.services.interactions import (
    InteractionInput,
    decide_pending_surveys,
    record_interaction,
)
from survey.demo.history import DemoPerson
from survey.models import Campaign, Department
from survey.periods import quarter_of
from survey.services.fatigue import FatiguePolicy

#: The departments invited to the current quarter's survey (customers of several providers).
CAMPAIGN_AUDIENCE = ("IT", "HR", "FIN", "FAC", "LEGAL")
#: Services asked recently by the other departments (all sampled at 100 %), with the queue
#: that reports them and its reference prefix.
RECENT_SERVICES = (
    ("IT", "it-hardware", "service-desk", "IT"),
    ("IT", "it-software", "service-desk", "IT"),
    ("HR", "hr-payroll", "hr-portal", "HR"),
    ("FIN", "fin-expenses", "finance-queue", "FIN"),
    ("FAC", "fac-repairs", "facilities-desk", "FAC"),
    ("FAC", "fac-rooms", "facilities-desk", "FAC"),
)
RECENT_REQUESTS = 10
CAMPAIGN_DAYS = 21


@dataclass(frozen=True)
class Present:
    """What the present added: the open campaign's name and the mail it queued."""

    campaign: str
    quarterly_invited: int
    recent_requests: int
    post_interaction_invited: int


def add_present(
    session: Session,
    rng: random.Random,
    people: list[DemoPerson],
    emails: dict[int, str],
    now: datetime,
    *,
    base_url: str,
    mail_domain: str,
    salt: str,
) -> Present:
    """Open the current quarter's campaign at ``now`` (aware UTC) and record
    ``RECENT_REQUESTS`` requests resolved in the two days before ``now``, then decide their
    surveys. Flushes, never commits; the queued mail goes out with the next ``send-mail``."""
    quarter = quarter_of(now)
    audience = list(
        session.scalars(select(Department.id).where(Department.code.in_(CAMPAIGN_AUDIENCE)))
    )
    campaign = create_campaign(
        session,
        name=f"Quarterly survey {quarter}",
        quarter=quarter,
        opens_at=now - timedelta(hours=1),
        closes_at=now + timedelta(days=CAMPAIGN_DAYS),
        min_group_size=5,
        department_ids=audience,
        reminder_max=2,
        reminder_min_days=7,
        questionnaire_id=session.scalar(
            select(Campaign.questionnaire_id).where(Campaign.questionnaire_id.is_not(None))
        ),
        now=now,
    )
    policy = FatiguePolicy()
    opened = open_campaign(session, campaign, base_url, mail_domain, now, policy=policy)
    requesters = [p for p in people if p.department not in CAMPAIGN_AUDIENCE and not p.opted_out]
    chosen = rng.sample(requesters, RECENT_REQUESTS)
    for number, person in enumerate(chosen):
        provider, service, source, prefix = RECENT_SERVICES[number % len(RECENT_SERVICES)]
        resolved = now - timedelta(hours=2 + 4 * number)
        opened_at = resolved - timedelta(hours=3 + number % 5)
        record_interaction(
            session,
            InteractionInput(
                provider=provider,
                requester_email=emails[person.id],
                opened_at=opened_at,
                service=service,
                source=source,
                external_ref=f"{prefix}-{90000 + number:05d}",
                first_response_at=opened_at + timedelta(minutes=40),
                resolved_at=resolved,
            ),
            now=now,
        )
    decided = decide_pending_surveys(session, base_url, mail_domain, salt, policy, now=now)
    return Present(
        campaign=campaign.name,
        quarterly_invited=opened.invited if opened else 0,
        recent_requests=RECENT_REQUESTS,
        post_interaction_invited=decided.invited,
    )
