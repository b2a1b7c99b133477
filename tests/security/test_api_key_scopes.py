"""An API key does what it was made for, nothing more. A ticketing tool's key sits in the
tool's configuration, read by the tool's own administrators; a mail relay's key, in the relay's.
Attacks with a leaked ticketing-tool key: post a forged bounce report naming an administrator's
address (no account mail reaches it any more, password reset links included) or a complaint
naming any person (opted out of every survey); read every department's scorecard. With a leaked
relay key: report requests, so that surveys go out to whomever the key names."""

from __future__ import annotations

import re
from datetime import timedelta
from pathlib import Path
from typing import Any

from flask.testing import FlaskClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from survey.models import SuppressedAddress
from survey.models.base import utcnow
from tests.conftest import post_form

SAMPLES = Path(__file__).resolve().parent.parent / "mail" / "samples"
SECRET = re.compile(r"siq_[0-9a-f]+_[A-Za-z0-9_-]+")


def _new_key(admin_client: FlaskClient, name: str, scopes: list[str]) -> str:
    page = post_form(admin_client, "/admin/api-keys/new", {"name": name, "scopes": scopes})
    assert page.status_code == 200, page.get_data(as_text=True)[:2000]
    match = SECRET.search(page.get_data(as_text=True))
    assert match is not None
    return match.group(0)


def _bearer(secret: str, **headers: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {secret}", **headers}


def test_a_key_reaches_only_the_routes_of_its_scopes(
    admin_client: FlaskClient, client: FlaskClient, session: Session, make_department: Any
) -> None:
    make_department("IT")
    desk = _new_key(admin_client, "service-desk", ["interactions"])
    relay = _new_key(admin_client, "mail-relay", ["mail_reports"])
    report = (SAMPLES / "permanent_failure.eml").read_bytes()
    forged = client.post(
        "/mail/reports", data=report, headers=_bearer(desk, **{"Content-Type": "message/rfc822"})
    )
    assert forged.status_code == 403
    assert forged.get_json()["field"] == "Authorization"
    session.rollback()
    assert session.scalars(select(SuppressedAddress)).all() == []
    for url in ("/api/v1/departments", "/api/v1/departments/IT/scorecard"):
        assert client.get(url, headers=_bearer(desk)).status_code == 403, url
        assert client.get(url, headers=_bearer(relay)).status_code == 403, url
    opened = (utcnow() - timedelta(days=1)).isoformat()
    body = {"provider": "IT", "requester_email": "ann@example.com", "opened_at": opened}
    assert client.post("/api/v1/interactions", json=body, headers=_bearer(relay)).status_code == 403
    # Each key still does its own work.
    applied = client.post(
        "/mail/reports", data=report, headers=_bearer(relay, **{"Content-Type": "message/rfc822"})
    )
    assert applied.status_code == 200 and applied.get_json()["suppressed"] == ["gone@example.org"]
    own = client.post("/api/v1/interactions", json=body, headers=_bearer(desk))
    assert own.status_code != 403 and own.get_json().get("field") != "Authorization"
