"""Survey fatigue: one budget per person across every kind of survey.

The budget: at most ``cap`` invitations of any kind (post-interaction, quarterly, quiz) in
any ``period_days`` days, counted from the invitations stored (a withdrawn invitation, never
mailed, is deleted and does not count; reminders re-use their invitation and do not count).
Every path that creates invitations asks ``budget_left`` first: the post-interaction decision
here, campaign opening (``campaigns.open_campaign``) and quiz invitations
(``quiz.send_quiz_invitations``).

A post-interaction survey goes out only if the requester is not a member of the providing
department (a department is not its own internal customer: the quarterly survey leaves the
person's own department out too), is active and has not opted out, was not erased earlier this
quarter (imported again since: ``erasure.erased_since``), has had
no post-interaction invitation in the last ``window_days`` days, is not invited to a quarterly
campaign that is still open (answered or not: the decision must not tell which), has budget
left, and the interaction's service samples it (``sampling_rate``).
Every "no" has a reason that is stored on the interaction for admins to see.
"""

from __future__ import annotations

import hashlib
from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import exists, func, select, update
from sqlalchemy.orm import Session

from survey.models import Campaign, Interaction, Invitation, OutboxMessage, Person


@dataclass(frozen=True)
class FatiguePolicy:
    """``window_days``: minimum days between two post-interaction invitations of one person;
    ``cap``: most invitations of any kind per person in any ``period_days`` days."""

    window_days: int = 14
    cap: int = 4
    period_days: int = 30

    @classmethod
    def from_config(cls, config: Mapping[str, Any]) -> FatiguePolicy:
        """From the app settings ``FATIGUE_DAYS``, ``FATIGUE_CAP``, ``FATIGUE_PERIOD_DAYS``."""
        return cls(
            window_days=int(config.get("FATIGUE_DAYS", cls.window_days)),
            cap=int(config.get("FATIGUE_CAP", cls.cap)),
            period_days=int(config.get("FATIGUE_PERIOD_DAYS", cls.period_days)),
        )


def budget_left(
    session: Session, person_ids: Iterable[int], policy: FatiguePolicy, now: datetime
) -> dict[int, int]:
    """How many more invitations each person may get now (0 when the cap is reached), from
    one grouped query per 500 people. Invitations created in the last ``period_days`` days,
    of any kind and status, count. A caller issuing several invitations at once must count
    them down itself (or flush between them and ask again)."""
    ids = sorted(set(person_ids))
    used: dict[int, int] = {}
    since = now - timedelta(days=policy.period_days)
    for start in range(0, len(ids), 500):
        chunk = ids[start : start + 500]
        rows = session.execute(
            select(Invitation.person_id, func.count())
            .where(Invitation.person_id.in_(chunk), Invitation.created_at > since)
            .group_by(Invitation.person_id)
        )
        used.update((person_id, n) for person_id, n in rows)
    return {i: max(0, policy.cap - used.get(i, 0)) for i in ids}


def sampled(interaction_id: int, rate: float, salt: str) -> bool:
    """Deterministic sampling: the same interaction always gets the same answer, and the
    share picked tends to ``rate`` (0..1) over many interactions."""
    if rate >= 1:
        return True
    if rate <= 0:
        return False
    digest = hashlib.sha256(f"{salt}:{interaction_id}".encode()).digest()
    return int.from_bytes(digest[:8], "big") / 2**64 < rate


def skip_reason(
    session: Session,
    interaction: Interaction,
    person: Person,
    policy: FatiguePolicy,
    now: datetime,
    salt: str,
    returned: Collection[str] = (),
) -> str | None:
    """None when a post-interaction survey may go out now, else the reason it may not:
    ``own_department`` (``person`` is, now, a member of the department that handled the
    request: their answer would be the department's view of itself, filed as its own
    customer), ``inactive``, ``opted_out``, ``erased_this_quarter`` (the address is in
    ``returned``, the caller's ``erasure.erased_since`` for the quarter of ``now``: answered as
    a new id, they would count twice in the quarter), ``fatigue_window`` (a survey
    recently), ``open_quarterly``, ``budget`` or ``sampled_out`` (the admin page words each:
    ``skip_reason_labels``)."""
    if person.department_id == interaction.provider_department_id:
        return "own_department"
    if not person.active:
        return "inactive"
    if person.opted_out:
        return "opted_out"
    if person.email in returned:
        return "erased_this_quarter"
    recent = session.scalar(
        select(
            exists().where(
                Invitation.person_id == person.id,
                Invitation.kind == "post_interaction",
                Invitation.created_at > now - timedelta(days=policy.window_days),
            )
        )
    )
    if recent:
        return "fatigue_window"
    # Invited to a campaign still open, whatever became of the invitation: answered or not
    # must not change the decision, which the API returns to the ticketing tool and the
    # requests page shows (a quarterly invitation's expiry is its campaign's closing time).
    open_quarterly = session.scalar(
        select(
            exists().where(
                Invitation.person_id == person.id,
                Invitation.kind == "quarterly",
                Invitation.expires_at > now,
                Invitation.campaign_id == Campaign.id,
                Campaign.status == "open",
            )
        )
    )
    if open_quarterly:
        return "open_quarterly"
    if budget_left(session, [person.id], policy, now)[person.id] < 1:
        return "budget"
    rate = interaction.service.sampling_rate if interaction.service is not None else 1.0
    if not sampled(interaction.id, rate, salt):
        return "sampled_out"
    return None


OPTED_OUT_ERROR = "withdrawn: the person opted out of surveys"


def opt_out(session: Session, person: Person) -> None:
    """No further survey of any kind for ``person`` (an admin can undo it on the person's page).
    Invitations already sent stay answerable; their survey emails still waiting in the outbox
    are withdrawn (marked failed with the reason, visible on the outbox page), so the promise
    "no more survey emails" holds from the moment it is made. A message being handed to the
    mail server at that very moment may still go."""
    person.opted_out = True
    outbox = OutboxMessage.__table__
    session.execute(
        update(outbox)
        .where(
            outbox.c.status == "queued",
            outbox.c.invitation_id.in_(
                select(Invitation.id).where(Invitation.person_id == person.id)
            ),
        )
        .values(status="failed", last_error=OPTED_OUT_ERROR)
    )
    session.flush()
