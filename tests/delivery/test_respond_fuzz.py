"""Whatever a client posts to a link, the answer is a page, never a server error: a stored
response (every answer in its question's range) or the form again with the refusal and the
answers kept. Generated posts: the form's codes and unknown names, with values a browser
never sends (spaces, signs, other digits, the words the form itself uses, NUL, long text)."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select

from survey.models import Answer, Question
from tests.conftest import csrf_token
from tests.factories import file_submissions

CODES = ["overall", "effort", "on_time", "opening", "closing", "comment", "contact_consent"]
ODD = [
    "",
    " ",
    "  ",
    "\t",
    "0",
    "1",
    "3",
    "5",
    "6",
    "10",
    "11",
    "-1",
    "+3",
    " 4",
    "4 ",
    "٣",
    "1.5",
    "1e1",
    "dk",
    "None",
    "none",
    "y",
    "on",
    "false",
    "\x00",
    "4\x00",
    "x" * 5001,
]
values = st.one_of(st.sampled_from(ODD), st.text(max_size=12))
VALID = {
    "overall": "4",
    "effort": "3",
    "on_time": "1",
    "opening": "4",
    "closing": "5",
    "comment": "fine",
}
# A valid post with some of its values replaced or added: most refusals would otherwise come
# from the required question alone.
posts = st.dictionaries(
    st.sampled_from([*CODES, "unknown", "lang", "section"]), values, max_size=4
).map(lambda odd: {**VALID, **odd})
RANGES = {"likert5": (1, 5), "nps": (0, 10), "yes_no": (0, 1), "consent": (0, 1)}


@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(post=posts)
def test_any_post_is_stored_in_range_or_refused_with_its_answers(
    app, client, session, invite, org, post
) -> None:
    url = f"/r/{invite('post_interaction', org.person(0))}"
    reply = client.post(url, data={"csrf_token": csrf_token(client, url), **post})
    assert reply.status_code in (302, 422), reply.status_code
    file_submissions(app)  # as the next page would
    session.rollback()
    if reply.status_code == 422:
        page = reply.get_data(as_text=True)
        assert 'class="error' in page or "error" in page
        return
    types = dict(session.execute(select(Question.id, Question.qtype)).all())
    for answer in session.scalars(select(Answer)):
        if answer.value is not None:
            low, high = RANGES[types[answer.question_id]]
            assert low <= answer.value <= high


def test_spaces_for_an_optional_scale_mean_not_answered(app, client, session, invite, org) -> None:
    """Spaces pass the optional check (it strips them) and were then read as a number: a
    server error. They are "not answered", as an empty value is."""
    url = f"/r/{invite('post_interaction', org.person(0))}"
    data = {"csrf_token": csrf_token(client, url), "overall": "4", "effort": "  ", "on_time": " "}
    reply = client.post(url, data=data)
    assert reply.status_code == 302
    file_submissions(app)  # as the next page would
    session.rollback()
    codes = dict(session.execute(select(Question.id, Question.code)).all())
    stored = {codes[a.question_id]: a.value for a in session.scalars(select(Answer))}
    assert stored == {"overall": 4, "contact_consent": 0}


SECTION_FIELDS = [
    "section",
    "action",
    "not_applicable",
    "reliability",
    "responsiveness",
    "competence",
    "courtesy",
    "tools",
    "comment",
    "contact_consent",
    "unknown",
]
ACTIONS = ["next", "back", "save", "submit", "", "other", "\x00"]
sections = st.dictionaries(
    st.sampled_from(SECTION_FIELDS),
    st.one_of(
        st.sampled_from([*ODD, *ACTIONS, "-1", "2", "99", "999999999999999999999"]),
        st.text(max_size=8),
    ),
    max_size=6,
)


@settings(
    max_examples=30,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(steps=st.lists(sections, min_size=1, max_size=3))
def test_any_quarterly_post_is_a_page(
    client, session, invite, org, open_campaign_for, steps
) -> None:
    """A quarterly survey walked with generated posts (sections out of range, unknown actions,
    odd answers): every reply is a page (200, a redirect, or the form refused), none an error
    of the server."""
    url = f"/r/{invite('quarterly', org.person(0), campaign=open_campaign_for())}"
    for post in steps:
        reply = client.post(url, data={"csrf_token": csrf_token(client, url), **post})
        assert reply.status_code in (200, 302, 410, 422), (reply.status_code, post)
