"""An account's language after its creation: the administrator changes it on the user's page,
the owner on their own language page; either is audit-logged, and it sets the language of the
account's pages and of the mail sent to it (a password reset link)."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from survey.models import AuditEntry, OutboxMessage, User
from tests.admin.conftest import fresh
from tests.conftest import post_form


def _edits(session, user_id: int) -> list[AuditEntry]:  # type: ignore[no-untyped-def]
    session.rollback()
    return list(
        session.scalars(
            select(AuditEntry)
            .where(
                AuditEntry.target_kind == "user",
                AuditEntry.target_id == str(user_id),
                AuditEntry.action == "edit",
            )
            .order_by(AuditEntry.id)
        )
    )


def _reset_subject(session, admin_client, user: User) -> str:  # type: ignore[no-untyped-def]
    assert post_form(admin_client, f"/admin/users/{user.id}/reset-password").status_code == 302
    session.rollback()
    mails = session.scalars(
        select(OutboxMessage.subject)
        .where(OutboxMessage.to_addr.contains(user.email))
        .order_by(OutboxMessage.id.desc())
    )
    return str(next(iter(mails)))


@pytest.mark.postgres
def test_the_administrator_changes_an_accounts_language(admin_client, session, make_user) -> None:
    mia = make_user("viewer", "mia@example.com", locale="en")
    page = admin_client.get(f"/admin/users/{mia.id}").get_data(as_text=True)
    assert 'name="locale"' in page and '<option selected value="en">' in page
    saved = post_form(
        admin_client, f"/admin/users/{mia.id}", {"name": "Mia", "role": "viewer", "locale": "it"}
    )
    assert saved.status_code == 302
    assert fresh(session, User, mia.id).locale == "it"
    [entry] = _edits(session, mia.id)
    assert entry.changes["locale"] == ["en", "it"]
    assert _reset_subject(session, admin_client, mia) == "Scegli una nuova password per Service IQ"

    blank = post_form(
        admin_client, f"/admin/users/{mia.id}", {"name": "Mia", "role": "viewer", "locale": ""}
    )
    assert blank.status_code == 302 and fresh(session, User, mia.id).locale is None
    bad = post_form(
        admin_client, f"/admin/users/{mia.id}", {"name": "Mia X", "role": "viewer", "locale": "de"}
    )
    assert bad.status_code == 422 and 'id="locale-error"' in bad.get_data(as_text=True)
    assert 'value="Mia X"' in bad.get_data(as_text=True)  # the answers are kept
    assert fresh(session, User, mia.id).name == "Mia"


@pytest.mark.postgres
def test_a_user_changes_their_own_language(client, session, make_user, sign_in) -> None:
    lea = make_user("viewer", "lea@example.com", locale="en")
    sign_in(lea)
    page = client.get("/auth/language")
    assert page.status_code == 200 and "Your language" in page.get_data(as_text=True)
    # The header's switcher changes this browser's pages at once, not the account.
    assert "Tableaux de bord" in client.get("/scorecards/?lang=fr").get_data(as_text=True)
    assert "Tableaux de bord" in client.get("/scorecards/").get_data(as_text=True)
    assert fresh(session, User, lea.id).locale == "en"
    assert post_form(client, "/auth/language", {"locale": "it"}).status_code == 302
    assert "Schede di valutazione" in client.get("/scorecards/").get_data(as_text=True)
    assert post_form(client, "/auth/language", {"locale": "fr"}).status_code == 302
    assert fresh(session, User, lea.id).locale == "fr"
    assert "Tableaux de bord" in client.get("/auth/language").get_data(as_text=True)
    first, entry = _edits(session, lea.id)
    assert first.changes == {"locale": ["en", "it"]}
    assert entry.changes == {"locale": ["it", "fr"]} and entry.actor_id == lea.id
    refused = post_form(client, "/auth/language", {"locale": "xx"})
    assert refused.status_code == 422 and fresh(session, User, lea.id).locale == "fr"
    no_token = client.post("/auth/language", data={"locale": "it"})
    assert no_token.status_code in (400, 422) and fresh(session, User, lea.id).locale == "fr"


def test_the_language_page_needs_a_signed_in_user(client) -> None:
    answer = client.get("/auth/language")
    assert answer.status_code == 302 and "/auth/sign-in" in answer.headers["Location"]
