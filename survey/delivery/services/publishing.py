"""What happens when a quarter's figures are released, in the transaction that records it:
the release's k recorded (``services.release.record_releases``), the quarter's compliance
counts frozen (``released_compliance``) and the people who read scorecards told
(``release_mail``). The tick's release step and the close of a campaign (by the tick or an
administrator) both call ``publish_releases``, so every path does all three."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.orm import Session

from survey import hooks
from survey.delivery.services.release_mail import ReleaseMailSettings, queue_release_mail
from survey.scorecards.services.released_compliance import freeze_released_compliance
from survey.services.release import record_releases


@dataclass(frozen=True)
class Published:
    """``quarters``: those this call recorded as released, oldest first (none when another
    transaction recorded them first); ``mails``: the release emails it queued."""

    quarters: tuple[str, ...] = ()
    mails: int = 0


def publish_releases(
    session: Session, now: datetime, k: int, mail: ReleaseMailSettings
) -> Published:
    """Record the quarters released at ``now`` (UTC) under at least ``k``, freeze their
    compliance counts and queue their emails (with ``mail.enabled``). Flushes only. First,
    in the same transaction, the extension point ``release.before`` (the queued submits are
    filed): a campaign's close calls this after expiring its links, so every answer whose
    link was used before the close counts, and none can arrive after it."""
    hooks.run("release.before", session)
    quarters = record_releases(session, now, k)
    # What the release published stays: its compliance counts are frozen now.
    freeze_released_compliance(session, now)
    return Published(tuple(quarters), queue_release_mail(session, quarters, mail, now))
