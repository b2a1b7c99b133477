"""Admin pages of survey delivery: campaigns, interactions (form, CSV), outbox, questionnaires."""

from __future__ import annotations

import io
from datetime import timedelta
from html import unescape

import pytest
from sqlalchemy import func, select

from survey.models import Campaign, Interaction, OutboxMessage, Question, Questionnaire
from survey.models.base import utcnow
from survey.services.questionnaires import install_default_questionnaires
from tests.admin.test_audit import entries
from tests.admin.test_people_import import payload_of
from tests.conftest import csrf_token, post_form
from tests.factories import store_response


def count(session, model, *where) -> int:  # type: ignore[no-untyped-def]
    session.rollback()
    return session.scalar(select(func.count()).select_from(model).where(*where)) or 0


@pytest.mark.parametrize(
    "url",
    [
        "/admin/campaigns",
        "/admin/campaigns/new",
        "/admin/interactions",
        "/admin/interactions/new",
        "/admin/interactions/import",
        "/admin/outbox",
        "/admin/questionnaires",
    ],
)
def test_pages_are_for_admins_only(client, make_user, sign_in, url) -> None:
    anonymous = client.get(url)
    assert anonymous.status_code == 302 and "/auth/sign-in" in anonymous.headers["Location"]
    sign_in(make_user("viewer"))
    assert client.get(url).status_code == 403


def test_campaign_created_from_the_form(admin_client, session, org) -> None:
    page = admin_client.get("/admin/campaigns/new").get_data(as_text=True)
    assert org.sales.name in page
    today = utcnow().date()
    response = post_form(
        admin_client,
        "/admin/campaigns/new",
        {
            "name": "Spring review",
            "quarter": "2026Q1",
            "opens_on": (today + timedelta(days=1)).isoformat(),
            "closes_on": (today + timedelta(days=20)).isoformat(),
            "departments": [str(org.sales.id)],
            "min_group_size": "6",
            "reminder_max": "2",
            "reminder_min_days": "5",
            "confirm": "1",
        },
    )
    assert response.status_code == 302
    campaign = session.scalar(select(Campaign))
    assert campaign.name == "Spring review" and campaign.audience == "departments"
    assert [d.code for d in campaign.departments] == ["SALES"]
    detail = admin_client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Spring review" in detail and "not yet open" in detail


def test_campaign_form_errors_keep_the_values(admin_client, session, org) -> None:
    today = utcnow().date()
    response = post_form(
        admin_client,
        "/admin/campaigns/new",
        {
            "name": "Kept name",
            "quarter": "2026-3",
            "opens_on": today.isoformat(),
            "closes_on": (today - timedelta(days=1)).isoformat(),
            "min_group_size": "3",
            "reminder_max": "2",
            "reminder_min_days": "5",
        },
    )
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert 'value="Kept name"' in html and "2026Q3" in html and "after the opening day" in html
    assert count(session, Campaign) == 0


def test_k_cannot_be_lowered_once_open(admin_client, session, org, open_campaign_for) -> None:
    campaign = open_campaign_for()
    url, k = f"/admin/campaigns/{campaign.id}", campaign.min_group_size
    raised = post_form(admin_client, url, {"min_group_size": str(k + 2)})
    assert raised.status_code == 302
    lowered = post_form(admin_client, url, {"min_group_size": str(k + 1)})
    assert lowered.status_code == 422 and "cannot be lowered" in lowered.get_data(as_text=True)
    session.rollback()
    session.expire_all()
    assert session.get(Campaign, campaign.id).min_group_size == k + 2


def test_interaction_recorded_by_hand_then_repeat_changes_nothing(admin_client, session, org):
    opened = (utcnow() - timedelta(hours=3)).strftime("%Y-%m-%dT%H:%M")
    data = {
        "provider": "IT",
        "service": "IT-LAPTOP",
        "requester_email": org.person(0).email.upper(),
        "opened_at": opened,
        "first_response_at": "",
        "resolved_at": "",
        "external_ref": "T-1",
    }
    assert post_form(admin_client, "/admin/interactions/new", data).status_code == 302
    assert post_form(admin_client, "/admin/interactions/new", data).status_code == 302
    assert count(session, Interaction) == 1
    listing = admin_client.get("/admin/interactions").get_data(as_text=True)
    assert org.person(0).email in listing
    # One audit entry, for the first post only; the requester's address is not in it.
    [entry] = entries(session, "interaction")
    assert (entry.action, entry.target_label) == ("create", "T-1")
    assert entry.changes["provider"] == [None, "IT"] and entry.changes["service"][1] == "IT-LAPTOP"
    assert org.person(0).email.lower() not in str(entry.changes).lower()


def test_interaction_form_names_the_bad_field(admin_client, session, org) -> None:
    response = post_form(
        admin_client,
        "/admin/interactions/new",
        {
            "provider": "IT",
            "service": "",
            "requester_email": "nobody@example.com",
            "opened_at": (utcnow() - timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M"),
        },
    )
    html = response.get_data(as_text=True)
    assert response.status_code == 422 and "no person has this email" in html
    assert 'value="nobody@example.com"' in html
    assert count(session, Interaction) == 0


def test_a_request_typed_in_a_year_the_api_refuses_is_refused_on_the_form_too(
    admin_client, session, org
) -> None:
    """The API takes requests opened in 2000..2100; the form's date field reads any year
    from 1970, so a typo (1999 for 2099, or a year's digits swapped) was stored."""
    response = post_form(
        admin_client,
        "/admin/interactions/new",
        {
            "provider": "IT",
            "service": "",
            "requester_email": org.person(0).email,
            "opened_at": "1999-12-31T10:00",
        },
    )
    html = response.get_data(as_text=True)
    assert response.status_code == 422 and "between the years 2000 and 2100" in html
    assert 'value="1999-12-31T10:00"' in html
    assert count(session, Interaction) == 0


def upload(client, text: str | bytes, encoding: str = "utf-8-sig"):  # type: ignore[no-untyped-def]
    """The upload step: the preview (200) or the refused lines (422); stores nothing."""
    data = text if isinstance(text, bytes) else text.encode(encoding)
    return client.post(
        "/admin/interactions/import",
        data={
            "csrf_token": csrf_token(client, "/admin/interactions/import"),
            "file": (io.BytesIO(data), "tickets.csv"),
        },
        content_type="multipart/form-data",
    )


def imported(client, text: str):  # type: ignore[no-untyped-def]
    """Upload, then confirm the previewed file: the confirmation's response."""
    preview = upload(client, text)
    assert preview.status_code == 200, preview.get_data(as_text=True)[:2000]
    return post_form(client, "/admin/interactions/import/confirm", {"payload": payload_of(preview)})


def test_csv_import_all_or_nothing_with_line_numbers(admin_client, session, org) -> None:
    good = org.person(0).email
    text = (
        "provider;requester_email;opened_at;source;external_ref\n"
        f"IT;{good};2026-01-05T09:00:00Z;desk;A1\n"
        f"NOPE;{good};2026-01-05T09:00:00Z;desk;A2\n"
        f"IT;{good};not a time;desk;A3\n"
    )
    response = upload(admin_client, text)
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "Line 3" in html and "provider" in html and "Line 4" in html and "opened_at" in html
    assert "Line 2" not in html
    assert count(session, Interaction) == 0
    assert entries(session, "interactions") == []  # nothing imported, nothing logged
    fixed = text.replace("NOPE", "HR").replace("not a time", "2026-01-06T10:00:00+01:00")
    assert imported(admin_client, fixed).status_code == 302
    assert count(session, Interaction) == 3
    assert imported(admin_client, fixed).status_code == 302  # repeats change nothing
    assert count(session, Interaction) == 3
    logged = [(e.action, e.changes) for e in entries(session, "interactions")]
    assert logged == [
        ("import", {"created": [None, 3], "repeated": [None, 0]}),
        ("import", {"created": [None, 0], "repeated": [None, 3]}),
    ]


def test_skip_reasons_are_shown(admin_client, session, org) -> None:
    interaction = Interaction(
        provider_department_id=org.it.id,
        requester_person_id=org.person(0).id,
        opened_at=utcnow() - timedelta(days=1),
        survey_decision="skipped",
        skip_reason="fatigue_window",
    )
    session.add(interaction)
    session.commit()
    html = admin_client.get("/admin/interactions?decision=skipped").get_data(as_text=True)
    assert "fatigue window" in html


def test_failed_mail_is_listed_and_can_be_retried(admin_client, session, org) -> None:
    message = OutboxMessage(
        message_id="<m1@example.com>",
        purpose="invitation",
        to_addr="x@example.com",
        subject="Survey",
        body_text="t",
        body_html="<p>t</p>",
        status="failed",
        attempts=5,
        last_error="550 mailbox unavailable",
    )
    session.add(message)
    session.commit()
    html = admin_client.get("/admin/outbox?status=failed").get_data(as_text=True)
    assert "550 mailbox unavailable" in html
    response = post_form(admin_client, f"/admin/outbox/{message.id}/retry")
    assert response.status_code == 302
    session.rollback()
    session.expire_all()
    assert session.get(OutboxMessage, message.id).status == "queued"
    [entry] = entries(session, "message")
    assert (entry.action, entry.target_id) == ("retry", str(message.id))
    assert entry.target_label == "invitation to x@example.com"
    # Retrying a message that is no longer failed changes nothing and logs nothing.
    post_form(admin_client, f"/admin/outbox/{message.id}/retry")
    assert len(entries(session, "message")) == 1


def test_a_question_of_an_answered_questionnaire_is_retired_not_deleted(
    admin_client, session, org
) -> None:
    """Answered or not itself ("opening" has no answer): the outcome must not tell which. A
    question of a questionnaire nobody answered yet is deleted."""
    questionnaires = install_default_questionnaires(session)
    pi = questionnaires["post_interaction"]
    quarterly_comment_id = next(
        q.id for q in questionnaires["quarterly"].questions if q.code == "comment"
    )
    store_response(
        session,
        kind="post_interaction",
        questionnaire=pi,
        provider_department_id=org.it.id,
        customer_department_id=org.sales.id,
        quarter="2026Q2",
        iso_week="2026-W20",
        answers={"overall": 4, "effort": 5},
    )
    session.commit()
    effort_id = next(q.id for q in pi.questions if q.code == "effort")
    opening_id = next(q.id for q in pi.questions if q.code == "opening")
    pi_id = pi.id
    post_form(admin_client, f"/admin/questions/{effort_id}/remove")
    post_form(admin_client, f"/admin/questions/{opening_id}/remove")
    post_form(admin_client, f"/admin/questions/{quarterly_comment_id}/remove")
    session.rollback()
    session.expire_all()
    session.expire_all()
    assert session.get(Question, effort_id).retired_at is not None
    assert session.get(Question, opening_id).retired_at is not None
    assert session.get(Question, quarterly_comment_id) is None
    # A new question and new wording, in three languages.
    url = f"/admin/questionnaires/{pi_id}"
    texts = {f"prompt_{loc}": f"Q {loc}" for loc in ("en", "it", "fr")}
    added = post_form(admin_client, url, {"code": "effort", "qtype": "likert5", **texts})
    assert added.status_code == 302
    session.rollback()
    session.expire_all()
    live = [q.code for q in session.get(Questionnaire, pi_id).questions if q.retired_at is None]
    assert live.count("effort") == 1
    edit = post_form(
        admin_client, f"/admin/questions/{effort_id}", {**texts, "prompt_it": "Nuovo testo"}
    )
    assert edit.status_code == 302
    session.rollback()
    session.expire_all()
    assert session.get(Question, effort_id).texts["it"]["prompt"] == "Nuovo testo"


@pytest.mark.postgres
def test_a_campaign_not_yet_open_can_be_cancelled(app, admin_client, session, org) -> None:
    from survey.db import database
    from survey.delivery.services.campaigns import create_campaign
    from survey.delivery.services.tick import TickSettings
    from survey.delivery.tick_job import run_tick
    from survey.models import Invitation
    from survey.periods import quarter_of

    now = utcnow()
    campaign = create_campaign(
        session,
        name="Not needed",
        quarter=quarter_of(now),
        opens_at=now + timedelta(hours=1),
        closes_at=now + timedelta(days=20),
        min_group_size=5,
    )
    session.commit()
    url = f"/admin/campaigns/{campaign.id}"
    assert "Cancel the campaign" in admin_client.get(url).get_data(as_text=True)
    response = post_form(admin_client, f"{url}/cancel")
    assert response.status_code == 302 and response.headers["Location"].endswith(url)
    page = admin_client.get(url).get_data(as_text=True)
    assert "Campaign cancelled" in page and "Cancel the campaign" not in page
    session.rollback()
    session.expire_all()
    assert session.get(Campaign, campaign.id).status == "cancelled"
    # Past its opening time the scheduler leaves it alone: no one is invited or mailed.
    with app.app_context():
        settings = TickSettings(base_url="http://localhost", mail_domain="example.com", salt="s")
        report = run_tick(database(app).sessionmaker, settings, now + timedelta(hours=2))
    assert report.opened == []
    assert count(session, Invitation, Invitation.campaign_id == campaign.id) == 0
    assert count(session, OutboxMessage) == 0
    # Cancelling twice is refused with a message, and changes nothing.
    again = post_form(admin_client, f"{url}/cancel", follow_redirects=True)
    assert "Only a campaign that has not opened can be cancelled" in again.get_data(as_text=True)
    assert (
        admin_client.post(
            f"/admin/campaigns/{campaign.id + 99}/cancel",
            data={"csrf_token": csrf_token(admin_client)},
        ).status_code
        == 404
    )


def test_an_open_campaign_cannot_be_cancelled(admin_client, session, org, open_campaign_for):
    campaign = open_campaign_for()
    url = f"/admin/campaigns/{campaign.id}"
    assert "Cancel the campaign" not in admin_client.get(url).get_data(as_text=True)
    refused = post_form(admin_client, f"{url}/cancel", follow_redirects=True)
    assert "Only a campaign that has not opened can be cancelled" in refused.get_data(as_text=True)
    session.rollback()
    session.expire_all()
    assert session.get(Campaign, campaign.id).status == "open"


def test_a_scale_question_added_by_an_administrator_names_its_ends(
    admin_client, client, session, org, invite
) -> None:
    """The form offers no words for a new question's scale points, and the respondent saw
    "1 2 3 4 5" alone, without telling which end is good. A new 1-to-5 question gets the
    words of the default questions' quality scale, a 0-to-10 one its two ends, in each
    language, as the default questions do."""
    questionnaires = install_default_questionnaires(session)
    session.commit()
    pi_id = questionnaires["post_interaction"].id
    texts = {f"prompt_{loc}": f"Q {loc}" for loc in ("en", "it", "fr")}
    url = f"/admin/questionnaires/{pi_id}"
    assert (
        post_form(admin_client, url, {"code": "clear", "qtype": "likert5", **texts}).status_code
        == 302
    )
    assert (
        post_form(admin_client, url, {"code": "again", "qtype": "nps", **texts}).status_code == 302
    )
    session.rollback()
    session.expire_all()
    new = {q.code: q for q in session.get(Questionnaire, pi_id).questions}
    assert new["clear"].texts["it"]["labels"] == [
        "Pessimo",
        "Scarso",
        "Discreto",
        "Buono",
        "Eccellente",
    ]
    assert new["again"].texts["fr"]["labels"][0] and new["again"].texts["fr"]["labels"][-1]
    assert len(new["again"].texts["fr"]["labels"]) == 11
    page = client.get(f"/r/{invite('post_interaction', org.person(2))}").get_data(as_text=True)
    clear = page[page.index('id="q-clear"') :]
    clear = clear[: clear.index("</fieldset>")]
    assert "1 – Très mauvais" in clear and "5 – Excellent" in clear
    again = page[page.index('id="q-again"') :]
    again = again[: again.index("</fieldset>")]
    assert ">0 – " in again and ">10 – " in again and ">5<" in again


def test_csv_import_ignores_columns_it_does_not_read(admin_client, session, org) -> None:
    """A ticket export carries columns of its own (subject, priority, assignee): every line
    was refused with "priority: is not a known field" until the administrator deleted them
    by hand. They are ignored, as the people import ignores columns it does not read."""
    good = org.person(0).email
    text = (
        "Provider;Requester_Email;Opened_At;Subject;Priority;source;external_ref\n"
        f"IT;{good};2026-01-05T09:00:00Z;Printer broken;High;desk;P1\n"
        f"HR;{good};2026-01-06T09:00:00Z;Payslip;Low;desk;P2\n"
    )
    response = imported(admin_client, text)
    assert response.status_code == 302, response.get_data(as_text=True)
    assert count(session, Interaction) == 2


def test_refusals_of_requests_speak_the_admin_pages_language(admin_client, session, org) -> None:
    """The API's refusals are English (its clients read them), and the admin pages showed
    them as they are: an Italian page said "no person has this email address". The manual
    form and the import give them in the page's language; the column a line names stays."""
    good = org.person(0).email
    form = post_form(
        admin_client,
        "/admin/interactions/new?lang=it",
        {
            "provider": "IT",
            "requester_email": "nobody@example.com",
            "opened_at": "2026-01-05T09:00",
        },
    )
    assert form.status_code == 422
    page = form.get_data(as_text=True)
    assert "nessuna persona ha questo indirizzo e-mail" in page
    assert "no person has this email address" not in page
    text = (
        "provider;requester_email;opened_at;paused_seconds\n"
        f"NOPE;{good};2026-01-05T09:00:00Z;\n"
        f"IT;{good};not a time;\n"
        f"IT;{good};2026-01-05T09:00:00Z;-5\n"
    )
    admin_client.get("/admin/interactions/import?lang=fr")
    imported = unescape(upload(admin_client, text).get_data(as_text=True))
    assert "provider : aucun département actif n'a ce code" in imported
    assert "opened_at : doit être une date et heure ISO 8601" in imported
    assert "paused_seconds : doit être un nombre entier de secondes" in imported
    missing = upload(admin_client, "provider;opened_at\nIT;2026-01-05T09:00:00Z\n")
    assert "il manque requester_email" in unescape(missing.get_data(as_text=True))
    admin_client.get("/admin/interactions/import?lang=en")
