"""The requests CSV import in two steps: the upload previews (new, known, reported late, per
provider department, every refused line) and stores nothing; the confirmation carries the
signed file, checks it again and stores every row or none."""

from __future__ import annotations

import re
from datetime import timedelta
from html import unescape

import pytest
from sqlalchemy import select

from survey.models import Interaction
from survey.models.base import utcnow
from tests import factories
from tests.admin.test_audit import entries
from tests.admin.test_people_import import payload_of
from tests.conftest import post_form
from tests.delivery.test_admin_delivery import count, upload

CONFIRM = "/admin/interactions/import/confirm"
HEADER = "provider;requester_email;opened_at;resolved_at;source;external_ref\n"


def _iso(moment) -> str:  # type: ignore[no-untyped-def]
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


def _file(org) -> str:  # type: ignore[no-untyped-def]
    """K1 already known, N1 resolved 40 days ago (late), N2 for HR, N3 still open."""
    now, email = utcnow(), org.person(0).email
    old = now - timedelta(days=40)
    return (
        HEADER
        + f"IT;{email};{_iso(now - timedelta(days=1))};{_iso(now - timedelta(hours=1))};desk;K1\n"
        + f"IT;{email};{_iso(old - timedelta(hours=3))};{_iso(old)};desk;N1\n"
        + f"HR;{email};{_iso(now - timedelta(days=3))};{_iso(now - timedelta(days=2))};desk;N2\n"
        + f"IT;{email};{_iso(now - timedelta(hours=5))};;desk;N3\n"
    )


def _known(session, org) -> Interaction:  # type: ignore[no-untyped-def]
    known = factories.handled_request(session, org.person(0), org.it)
    known.source, known.external_ref = "desk", "K1"
    session.commit()
    return known


def _cells(page: str, department: str) -> list[str]:
    row = re.search(rf"<tr>\s*<th scope=\"row\">{department}</th>(.*?)</tr>", page, re.S)
    assert row is not None, page
    return re.findall(r"<td[^>]*>([^<]*)</td>", row.group(1))


@pytest.mark.postgres
def test_an_upload_only_previews_then_the_confirmation_imports(admin_client, session, org):  # type: ignore[no-untyped-def]
    _known(session, org)
    preview = upload(admin_client, _file(org))
    assert preview.status_code == 200, re.findall(r"<li>Line.*", preview.get_data(as_text=True))
    page = unescape(preview.get_data(as_text=True))
    assert "New requests: 3" in page
    assert "Already known by their reference: 1" in page
    assert (
        "1 of them was resolved more than 14 days ago: it counts toward compliance but will "
        "not be surveyed (reported late)." in page
    )
    # Per provider department: new, already known, reported late.
    assert _cells(page, "Information Technology \\(IT\\)") == ["2", "1", "1"]
    assert _cells(page, "Human Resources \\(HR\\)") == ["1", "0", "0"]
    assert count(session, Interaction) == 1  # the upload stored nothing
    assert entries(session, "interactions") == []

    response = post_form(admin_client, CONFIRM, {"payload": payload_of(preview)})
    assert response.status_code == 302
    assert count(session, Interaction) == 4
    refs = set(session.scalars(select(Interaction.external_ref)))
    assert refs == {"K1", "N1", "N2", "N3"}
    logged = [(e.action, e.changes) for e in entries(session, "interactions")]
    assert logged == [("import", {"created": [None, 3], "repeated": [None, 1]})]


def test_a_post_without_the_confirmation_stores_nothing(admin_client, session, org) -> None:
    for _ in range(2):
        assert upload(admin_client, _file(org)).status_code == 200
    assert count(session, Interaction) == 0


def test_a_row_that_fails_at_the_confirmation_stores_nothing(admin_client, session, org) -> None:
    """HR is deactivated between the preview and the confirmation: its row is refused at its
    line and none of the others is stored."""
    preview = upload(admin_client, _file(org))
    assert preview.status_code == 200
    org.hr.active = False
    session.commit()
    response = post_form(admin_client, CONFIRM, {"payload": payload_of(preview)})
    assert response.status_code == 422
    page = unescape(response.get_data(as_text=True))
    assert "Line 4: provider: no active department has this code" in page
    assert "Line 2" not in page and "Line 3" not in page
    assert count(session, Interaction) == 0
    assert entries(session, "interactions") == []


def test_a_changed_file_is_refused_at_the_confirmation(admin_client, session, org) -> None:
    preview = upload(admin_client, _file(org))
    payload = payload_of(preview)
    tampered = payload[:-3] + ("AAA" if not payload.endswith("AAA") else "BBB")
    response = post_form(admin_client, CONFIRM, {"payload": tampered})
    assert response.status_code == 400
    assert "could not be verified" in response.get_data(as_text=True)
    # A file checked by another import does not open this one.
    people = post_form(admin_client, "/admin/people/import/confirm", {"payload": payload})
    assert people.status_code == 400
    assert post_form(admin_client, CONFIRM).status_code == 400  # no file at all
    no_csrf = admin_client.post(CONFIRM, data={"payload": payload})
    assert no_csrf.status_code == 400
    assert count(session, Interaction) == 0
    assert post_form(admin_client, CONFIRM, {"payload": payload}).status_code == 302
    assert count(session, Interaction) == 4


def test_excels_plain_csv_is_read_with_a_notice(admin_client, session, org) -> None:
    email = org.person(0).email
    text = HEADER + f"IT;{email};{_iso(utcnow() - timedelta(hours=2))};;service-client;Réf-1\n"
    preview = upload(admin_client, text, encoding="cp1252")
    assert preview.status_code == 200, preview.get_data(as_text=True)[:2000]
    page = unescape(preview.get_data(as_text=True))
    assert "it was read as Windows (Excel) text" in page
    assert page.index("it was read as Windows") < page.index(f'action="{CONFIRM}"')
    assert post_form(admin_client, CONFIRM, {"payload": payload_of(preview)}).status_code == 302
    session.rollback()
    assert list(session.scalars(select(Interaction.external_ref))) == ["Réf-1"]


@pytest.mark.parametrize(
    ("data", "words"),
    [
        (b"provider;requester_email;opened_at\nIT;a\x81@example.com;2026-01-05\n", "neither UTF-8"),
        (b"provider,opened_at\n", "it lacks requester_email"),
        (b"provider;requester_email;opened_at\n", "has a header but no rows"),
        (b"provider;requester_email;opened_at;provider\nIT;x;y;z\n", "repeats the column provider"),
    ],
)
def test_file_problems_are_explained(admin_client, session, org, data, words) -> None:  # type: ignore[no-untyped-def]
    response = upload(admin_client, data)
    assert response.status_code == 422
    assert words in unescape(response.get_data(as_text=True))
    assert count(session, Interaction) == 0


def test_a_line_with_more_values_than_the_header_is_refused(admin_client, session, org):  # type: ignore[no-untyped-def]
    """An export whose free-text column holds an unquoted separator shifts the values after
    it into the wrong columns: line 3's address lands in ``opened_at``'s place, and a shifted
    line can even read as a valid request of another department. Refused at its line, as the
    people and departments imports refuse it; nothing is stored."""
    email = org.person(0).email
    opened = _iso(utcnow() - timedelta(days=1))
    text = (
        "subject;provider;requester_email;opened_at\n"
        f"Laptop;IT;{email};{opened}\n"
        f"Screen; broken;HR;IT;{email};{opened}\n"
    )
    page = upload(admin_client, text)
    html = unescape(page.get_data(as_text=True))
    assert page.status_code == 422
    assert "Line 3" in html and "has 6 values but the header has 4 columns" in html
    assert "Line 2" not in html
    assert count(session, Interaction) == 0
