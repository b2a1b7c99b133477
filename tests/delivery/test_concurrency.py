"""Twenty simultaneous submissions of one link against a running server store one response."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from survey.models import QueuedSubmission, Response
from tests.conftest import CSRF_RE
from tests.factories import file_submissions
from tests.races import at_once, get_page, post_form


@pytest.mark.postgres
@pytest.mark.slow
def test_twenty_concurrent_posts_store_one_response(app, live_server, session, invite, org) -> None:
    token = invite("post_interaction", org.person(0))
    status, html, cookie = get_page(live_server.port, f"/r/{token}")
    assert status == 200
    form = {"csrf_token": CSRF_RE.search(html).group(1), "overall": "5", "comment": "race"}
    answers = at_once(20, lambda _i: post_form(live_server.port, f"/r/{token}", form, cookie))
    statuses = [status for status, _body in answers]
    # One submit claimed the link and queued one row; the next reader files it.
    session.rollback()
    assert session.scalar(select(func.count()).select_from(QueuedSubmission)) == 1
    assert session.scalar(select(func.count()).select_from(Response)) == 0
    assert file_submissions(app) == 1
    session.rollback()
    assert session.scalar(select(func.count()).select_from(Response)) == 1
    assert statuses.count(302) == 1, statuses
    assert all(s in (302, 410) for s in statuses), statuses
