"""Who a campaign left out when it opened (survey budget spent, erased this quarter) is kept
with the campaign and shown on its page, whether the scheduler or an administrator opened it."""

from __future__ import annotations

from datetime import timedelta

import pytest

from survey.delivery.services.campaigns import create_campaign
from survey.models import Campaign, Person
from survey.models.base import utcnow
from survey.periods import quarter_of
from tests.admin.conftest import fresh
from tests.conftest import csrf_token
from tests.delivery.test_campaigns import tick
from tests.factories import erase

SAID = (
    "Left out when it opened: 1 whose survey budget for the period was spent, 1 erased this quarter"
)


def _one_erased_one_spent(app, session, org) -> None:  # type: ignore[no-untyped-def]
    """Person 0 erased and imported again; person 1's survey budget spent."""
    from survey.services.invitations import issue_invitation

    email = org.person(0).email
    erase(app, email)
    session.rollback()
    session.add(Person(email=email, name="Back Again", department_id=org.sales.id))
    spent = org.person(1)
    for _ in range(4):  # the default budget: four invitations in thirty days
        issue_invitation(session, spent, "quiz", utcnow() + timedelta(days=9))
    session.commit()


def _page(client, campaign_id: int, lang: str = "en") -> str:  # type: ignore[no-untyped-def]
    page = client.get(f"/admin/campaigns/{campaign_id}?lang={lang}").get_data(as_text=True)
    return " ".join(page.split())


@pytest.mark.postgres
def test_a_campaign_the_scheduler_opened_shows_who_was_left_out(
    app, admin_client, session, org
) -> None:
    _one_erased_one_spent(app, session, org)
    now = utcnow()
    campaign = create_campaign(
        session,
        name="Due",
        quarter=quarter_of(now),
        opens_at=now + timedelta(minutes=30),
        closes_at=now + timedelta(days=20),
        min_group_size=5,
    )
    session.commit()
    assert "Left out when it opened" not in _page(admin_client, campaign.id)  # not open yet
    report = tick(app, now + timedelta(hours=1))
    assert report.opened == ["Due"]
    stored = fresh(session, Campaign, campaign.id)
    assert (stored.left_out_over_budget, stored.left_out_erased) == (1, 1)
    assert SAID in _page(admin_client, campaign.id)
    assert (
        "Esclusi all'apertura: 1 che avevano esaurito il numero di sondaggi del periodo, "
        "1 cancellati in questo trimestre" in _page(admin_client, campaign.id, "it")
    )
    assert (
        "Non invitées à l'ouverture : 1 personnes dont le nombre d'enquêtes de la période "
        "était atteint, 1 effacées ce trimestre" in _page(admin_client, campaign.id, "fr")
    )


def test_a_campaign_opened_now_keeps_the_counts_after_the_flash(
    app, admin_client, session, org
) -> None:
    _one_erased_one_spent(app, session, org)
    now = utcnow()
    campaign = create_campaign(
        session,
        name="Due",
        quarter=quarter_of(now),
        opens_at=now - timedelta(hours=1),
        closes_at=now + timedelta(days=20),
        min_group_size=5,
    )
    session.commit()
    token = csrf_token(admin_client, f"/admin/campaigns/{campaign.id}")
    admin_client.post(f"/admin/campaigns/{campaign.id}/open", data={"csrf_token": token})
    admin_client.get(f"/admin/campaigns/{campaign.id}")  # the flash is read here
    assert SAID in _page(admin_client, campaign.id)


@pytest.mark.postgres
def test_the_tick_command_says_who_each_campaign_it_opened_left_out(
    app, runner, session, org
) -> None:
    _one_erased_one_spent(app, session, org)
    now = utcnow()
    for name in ("Due", "Also due"):
        create_campaign(
            session,
            name=name,
            quarter=quarter_of(now),
            opens_at=now - timedelta(hours=1),
            closes_at=now + timedelta(days=20),
            min_group_size=5,
        )
    session.commit()
    done = runner.invoke(args=["survey", "tick"])
    assert done.exit_code == 0, done.output
    summary, *lines = done.output.splitlines()
    assert "opened 2 campaign(s) (20 invitations)" in summary
    said = (
        "10 invitations; left out: 1 whose survey budget for the period is spent, "
        "1 erased this quarter"
    )
    assert sorted(lines) == [
        f"opened campaign 'Also due': {said}",
        f"opened campaign 'Due': {said}",
    ]
    again = runner.invoke(args=["survey", "tick"])
    assert again.exit_code == 0 and "opened campaign" not in again.output
