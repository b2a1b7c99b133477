"""When a quarter's figures are released, the people who read scorecards are told by email:
one message per active account with a password, per released quarter, in the account's
language, linking the page (a manager's own department, the overview for the others) and
carrying no figure. The release record (``quarter_releases``) is what makes it happen once,
whichever path records it: the tick, or an administrator closing the quarter's last campaign.
"""

from __future__ import annotations

import re
import threading
from datetime import date, timedelta
from html import unescape
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from survey.actions.services import ActionInput, create_action
from survey.db import database
from survey.delivery.services.publishing import publish_releases
from survey.delivery.services.release_mail import ReleaseMailSettings
from survey.delivery.services.tick import TickSettings
from survey.delivery.tick_job import run_tick
from survey.models import OutboxMessage, QuarterRelease, User
from survey.models.base import utcnow
from survey.periods import shift_quarter
from survey.services.accounts import create_user
from tests.anonymity.world import World
from tests.factories import PASSWORD, file_submissions

LINK = re.compile(r"https?://[^\s\"<>]+")


def _world(app: Flask, session: Session) -> World:
    """HR serves six ENG people; readers: the world's administrator (no language set), HR's
    manager in Italian, a viewer in French, ENG's manager who has not chosen a password yet
    and a viewer who left (inactive)."""
    w = World.build(app, session, {"HR": 1, "ENG": 6})
    create_user(
        session,
        "hr-boss@example.com",
        PASSWORD,
        "manager",
        name="Ilaria",
        department_id=w.departments["HR"].id,
        locale="it",
    )
    create_user(session, "viewer@example.com", PASSWORD, "viewer", name="Fanny", locale="fr")
    create_user(
        session,
        "eng-boss@example.com",
        None,
        "manager",
        department_id=w.departments["ENG"].id,
    )
    gone = create_user(session, "gone@example.com", PASSWORD, "viewer")
    gone.active = False
    session.commit()
    return w


def _release_by_tick(app: Flask, w: World) -> Any:
    for i in range(6):
        w.post_interaction(f"ENG-{i}", "HR", 4)
    file_submissions(app)  # ``end_quarter`` moves the filed answers into the ended quarter
    w.end_quarter()
    return _tick(app)


def _tick(app: Flask, **settings: Any) -> Any:
    """The tick at ``utcnow()``, filing the queued submissions first as ``flask survey tick``
    does."""
    file_submissions(app)
    with app.app_context():
        config = TickSettings.from_config(app.config)
        for name, value in settings.items():
            setattr(config, name, value)
        return run_tick(database(app).sessionmaker, config, utcnow())


def _mails(session: Session) -> dict[str, OutboxMessage]:
    session.rollback()
    rows = session.scalars(
        select(OutboxMessage).where(OutboxMessage.purpose.startswith("release:"))
    ).all()
    found: dict[str, OutboxMessage] = {}
    for row in rows:
        address = re.search(r"[\w.+-]+@[\w.-]+", row.to_addr).group(0)  # type: ignore[union-attr]
        assert address not in found, f"two release mails to {address}"
        found[address] = row
    return found


def _dispatch(app: Flask, smtp_server: Any) -> Any:
    """One pass of the mail dispatcher against the test's SMTP server: its report."""
    from survey.mail.dispatch_job import dispatch_once
    from survey.mail.smtp import SmtpConnection, SmtpSettings

    connection = SmtpConnection(SmtpSettings.from_url(smtp_server.url))
    try:
        return dispatch_once(
            database(app).sessionmaker,
            connection,
            "siq@example.com",
            "w1",
            base_url="http://localhost",
        )
    finally:
        connection.close()


def _figures(body: str, quarter: str) -> list[str]:
    """The numbers of ``body`` outside its links and the quarter's name."""
    rest = LINK.sub(" ", body).replace(quarter, " ")
    return re.findall(r"\d+", rest)


@pytest.mark.postgres
def test_each_reader_gets_one_mail_in_their_language_with_the_right_link(
    app: Flask, session: Session
) -> None:
    w = _world(app, session)
    report = _release_by_tick(app, w)
    q = w.quarter
    assert report.released == [q]
    assert report.release_mails == 3
    assert "release emails 3" in report.describe()
    mails = _mails(session)
    # Inactive, or no password chosen yet: nothing.
    assert set(mails) == {"auditor-admin@example.com", "hr-boss@example.com", "viewer@example.com"}
    manager, viewer, admin = (
        mails["hr-boss@example.com"],
        mails["viewer@example.com"],
        mails["auditor-admin@example.com"],
    )
    assert manager.purpose == f"release:{q}" and manager.invitation_id is None
    assert manager.subject == f"Service IQ: i risultati del {q} sono pubblicati"
    assert viewer.subject == f"Service IQ : les résultats du {q} sont publiés"
    assert admin.subject == f"Service IQ: the results of {q} are published"
    # A manager: their own department's scorecard first, then the overview.
    for body in (manager.body_text, manager.body_html):
        links = [link.rstrip(".") for link in LINK.findall(body)]
        assert links == [
            f"http://localhost/scorecards/HR?quarter={q}",
            f"http://localhost/scorecards/?quarter={q}",
        ], links
    for mail in (viewer, admin):
        for body in (mail.body_text, mail.body_html):
            links = [link.rstrip(".") for link in LINK.findall(body)]
            assert links == [f"http://localhost/scorecards/?quarter={q}"], links
    assert "Gentile Ilaria" in manager.body_text
    assert "Fanny" in viewer.body_text and "résultats" in viewer.body_text
    # No figure: the only numbers are the quarter's and those inside the links.
    for mail in (manager, viewer, admin):
        assert _figures(mail.body_text, q) == [], mail.body_text
        assert _figures(unescape(re.sub(r"<[^>]+>", " ", mail.body_html)), q) == [], mail.body_html
        assert "IQ " not in mail.body_text.replace("Service IQ", "")
    # The links lead to the pages those readers may open.
    assert w.admin.get(f"/scorecards/?quarter={q}").status_code == 200

    # A second tick, and a third: nothing more.
    again = _tick(app)
    assert again.released == [] and again.release_mails == 0
    assert "release emails" not in again.describe()
    assert len(_mails(session)) == 3


@pytest.mark.postgres
def test_closing_the_last_campaign_of_a_quarter_mails_the_readers(
    app: Flask, session: Session
) -> None:
    w = _world(app, session)
    w.open_campaign(k=5, audience=["ENG"])
    for i in range(5):
        w.quarterly(f"ENG-{i}", {"HR": 4})
    assert _mails(session) == {}
    w.close_campaign()  # the administrator's page: the quarter is released
    mails = _mails(session)
    assert set(mails) == {"auditor-admin@example.com", "hr-boss@example.com", "viewer@example.com"}
    assert f"/scorecards/HR?quarter={w.quarter}" in mails["hr-boss@example.com"].body_text
    # The tick after it finds the quarter recorded: nothing more.
    report = _tick(app)
    assert report.release_mails == 0 and len(_mails(session)) == 3


@pytest.mark.postgres
def test_a_tick_that_closes_the_last_campaign_reports_the_release_and_its_mail(
    app: Flask, session: Session
) -> None:
    """The tick's close step releases the quarter (its campaign ended): the release step then
    finds it recorded, yet the report names it and counts its mail."""
    w = _world(app, session)
    campaign = w.open_campaign(k=5, audience=["ENG"])
    for i in range(5):
        w.quarterly(f"ENG-{i}", {"HR": 4})
    campaign.closes_at = utcnow() - timedelta(minutes=1)
    session.commit()
    report = _tick(app)
    assert report.closed == ["Quarterly"]
    assert report.released == [w.quarter] and report.release_mails == 3
    assert len(_mails(session)) == 3


@pytest.mark.postgres
def test_two_releases_at_once_mail_once(app: Flask, session: Session) -> None:
    """Two hosts record the same release at the same moment (a tick and an administrator's
    close): the second waits for the first, finds the quarter recorded and mails nobody."""
    w = _world(app, session)
    for i in range(6):
        w.post_interaction(f"ENG-{i}", "HR", 4)
    file_submissions(app)  # ``end_quarter`` moves the filed answers into the ended quarter
    w.end_quarter()
    sessions = database(app).sessionmaker
    now = utcnow()
    mail = ReleaseMailSettings(base_url="http://localhost", mail_domain="example.com")
    with app.app_context():
        first = sessions()
        assert publish_releases(first, now, 5, mail).mails == 3
        results: list[Any] = []

        def second() -> None:
            with app.app_context(), sessions() as other:
                try:
                    results.append(publish_releases(other, now, 5, mail))
                    other.commit()
                except BaseException as error:  # reported below
                    results.append(error)

        thread = threading.Thread(target=second)
        thread.start()
        thread.join(0.5)
        first.commit()
        first.close()
        thread.join(30)
    assert not thread.is_alive()
    [published] = results
    assert not isinstance(published, BaseException), published
    assert published.quarters == () and published.mails == 0
    assert len(_mails(session)) == 3
    assert session.scalars(select(QuarterRelease.quarter)).all() == [w.quarter]


@pytest.fixture
def mail_off(app_config: dict[str, Any]) -> dict[str, Any]:
    app_config["RELEASE_MAIL"] = False
    return app_config


@pytest.mark.postgres
def test_the_setting_off_sends_none(mail_off: Any, app: Flask, session: Session) -> None:
    w = _world(app, session)
    report = _release_by_tick(app, w)
    assert report.released == [w.quarter] and report.release_mails == 0
    assert _mails(session) == {}


def test_the_setting_off_sends_none_when_an_administrator_closes(
    mail_off: Any, app: Flask, session: Session
) -> None:
    w = _world(app, session)
    w.open_campaign(k=5, audience=["ENG"])
    for i in range(5):
        w.quarterly(f"ENG-{i}", {"HR": 4})
    w.close_campaign()
    assert session.scalar(select(QuarterRelease.quarter)) == w.quarter
    assert _mails(session) == {}


def test_a_manager_is_told_how_many_actions_are_open(app: Flask, session: Session) -> None:
    """A count of the department's own action plan (its manager's records, not answers), with
    the overdue ones; the actions page is linked."""
    w = _world(app, session)
    hr = w.departments["HR"]
    boss = session.scalar(select(User).where(User.email == "hr-boss@example.com"))
    plan = (("Faster answers", date(2000, 1, 1), "planned"), ("Clearer forms", None, "in_progress"))
    for title, due, status in (*plan, ("Old habit", None, "done")):
        data = ActionInput(
            title=title,
            description="",
            target="component:T",
            owner_name="",
            owner_user_id=None,
            due_on=due,
            status=status,
            public_summary="",
        )
        create_action(session, boss, hr, data)
    session.commit()
    _release_by_tick(app, w)
    mails = _mails(session)
    body = mails["hr-boss@example.com"].body_text
    assert "2 azioni aperte" in body and "Di queste, 1 ha superato la scadenza" in body, body
    assert "http://localhost/actions/" in body
    assert "actions/" not in mails["viewer@example.com"].body_text


def test_the_mail_reaches_the_relay_as_account_mail(
    app: Flask, session: Session, smtp_server: Any
) -> None:
    w = _world(app, session)
    _release_by_tick(app, w)
    report = _dispatch(app, smtp_server)
    assert report.sent == 3
    received = {m["To"]: m for m in smtp_server.messages}
    [viewer] = [m for to, m in received.items() if "viewer@example.com" in to]
    assert viewer["List-Unsubscribe"] is None  # account mail, not a survey
    text = viewer.get_body(("plain",)).get_content()
    assert f"http://localhost/scorecards/?quarter={w.quarter}" in text
    html = viewer.get_body(("html",)).get_content()
    assert f'href="http://localhost/scorecards/?quarter={w.quarter}"' in html


def test_the_close_page_says_the_readers_will_be_told(app: Flask, session: Session) -> None:
    w = _world(app, session)
    campaign = w.open_campaign(k=5, audience=["ENG"])
    for i in range(5):
        w.quarterly(f"ENG-{i}", {"HR": 4})
    page = w.admin.get(f"/admin/campaigns/{campaign.id}/close").get_data(as_text=True)
    assert 'id="release-mail"' in page and "holds no figures" in page
    app.config["RELEASE_MAIL"] = False
    page = w.admin.get(f"/admin/campaigns/{campaign.id}/close").get_data(as_text=True)
    assert 'id="release-mail"' not in page


def test_the_setting_is_on_unless_turned_off(tmp_path: Any) -> None:
    from survey.config import load_settings

    assert load_settings(str(tmp_path), {})["RELEASE_MAIL"] is True
    assert load_settings(str(tmp_path), {"SURVEY_RELEASE_MAIL": "off"})["RELEASE_MAIL"] is False


def test_a_backlog_of_quarters_released_at_once_is_one_mail_naming_the_newest(
    app: Flask, session: Session
) -> None:
    """Two quarters ended and released while nothing recorded them (mail off, then the
    records gone, as in a database restored with history): the next tick records both and
    mails each reader once, about the newer."""
    app.config["RELEASE_MAIL"] = False
    w = _world(app, session)
    newer = w.quarter
    older = shift_quarter(newer, -1)
    for quarter in (older, newer):
        w.open_campaign(quarter, 5, ["ENG"], name=f"Survey {quarter}")
        for i in range(5):
            w.quarterly(f"ENG-{i}", {"HR": 4})
        w.close_campaign()
    session.execute(delete(QuarterRelease))
    session.commit()
    assert _mails(session) == {}
    app.config["RELEASE_MAIL"] = True
    report = _tick(app)
    assert report.released == [older, newer] and report.release_mails == 3
    mails = _mails(session)
    assert len(mails) == 3
    assert {m.purpose for m in mails.values()} == {f"release:{newer}"}
    assert older not in mails["viewer@example.com"].body_text


@pytest.mark.postgres
def test_an_account_deactivated_before_its_mail_leaves_gets_none(
    app: Flask, session: Session, smtp_server: Any
) -> None:
    """The viewer's account is switched off (and the Italian manager's removed) after the
    release queued their mail: the dispatcher withdraws both, naming why, and sends the
    administrator's."""
    from survey.services.outbox import WITHDRAWN_ACCOUNT_OFF

    w = _world(app, session)
    _release_by_tick(app, w)
    session.rollback()
    viewer = session.scalars(select(User).where(User.email == "viewer@example.com")).one()
    viewer.active = False
    session.execute(delete(User).where(User.email == "hr-boss@example.com"))
    session.commit()
    report = _dispatch(app, smtp_server)
    assert report.sent == 1
    assert [m["To"] for m in smtp_server.messages] == [
        m.to_addr for m in _mails(session).values() if m.status == "sent"
    ]
    mails = _mails(session)
    for address in ("viewer@example.com", "hr-boss@example.com"):
        assert (mails[address].status, mails[address].last_error) == (
            "failed",
            WITHDRAWN_ACCOUNT_OFF,
        ), address
