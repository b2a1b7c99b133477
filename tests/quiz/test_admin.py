"""Administration of the quiz: wording of the items in three languages (never their scoring
key), item analysis with Cronbach's alpha, invitations to departments through the outbox, and
the role check on every admin quiz route."""

from __future__ import annotations

import re
from datetime import date
from html import unescape

import numpy as np
import pytest
from sqlalchemy import select

from survey.models import Invitation, OutboxMessage, Question
from survey.quiz.item_analysis import analysis_quarters, item_analysis
from survey.services.questionnaires import install_default_questionnaires
from tests.admin.conftest import count, fresh
from tests.admin.test_audit import entries
from tests.conftest import PASSWORD, csrf_token, post_form
from tests.quiz.conftest import rated


def item(session, quiz, code: str) -> Question:  # type: ignore[no-untyped-def]
    return next(q for q in quiz.questions if q.code == code)


def texts_form(question: Question, **changes: str) -> dict[str, str]:
    """Every field of the item form as stored, with ``changes`` applied."""
    data: dict[str, str] = {}
    for loc in ("en", "it", "fr"):
        entry = question.texts[loc]
        data[f"prompt_{loc}"] = entry["prompt"]
        data[f"help_{loc}"] = entry.get("help", "")
        for n, option in enumerate(entry.get("options") or []):
            data[f"option_{n}_{loc}"] = option
    data.update(changes)
    return data


# --- Items -------------------------------------------------------------------------------------


def test_item_list(admin_client, quiz) -> None:
    page = admin_client.get("/admin/quiz")
    html = unescape(page.get_data(as_text=True))
    assert page.status_code == 200
    assert html.count("/admin/quiz/items/") == 22
    assert html.count(">reverse-scored<") == 4
    assert "version 1" in html
    assert 'href="/admin/quiz/analysis"' in html and 'href="/admin/quiz/invitations"' in html


def test_nav_links_to_the_quiz(admin_client, quiz) -> None:
    html = admin_client.get("/admin/").get_data(as_text=True)
    assert 'href="/admin/quiz"' in html


@pytest.mark.postgres
def test_edit_a_statement_in_one_language(admin_client, session, quiz) -> None:
    question = item(session, quiz, "self_clarity")
    url = f"/admin/quiz/items/{question.id}"
    form = admin_client.get(url)
    assert form.status_code == 200
    assert question.texts["fr"]["prompt"] in unescape(form.get_data(as_text=True))
    new_it = "I colleghi sanno sempre quale canale usare per raggiungere il mio team."
    response = post_form(admin_client, url, texts_form(question, prompt_it=new_it))
    assert response.status_code == 302
    saved = fresh(session, Question, question.id)
    assert saved.texts["it"]["prompt"] == new_it
    assert saved.texts["en"]["prompt"] == question.texts["en"]["prompt"]
    assert saved.texts["it"]["labels"] == question.texts["it"]["labels"]  # scale kept
    assert saved.options == {"reverse": False}
    assert new_it in unescape(admin_client.get("/quiz?lang=it").get_data(as_text=True))


def test_edit_the_choices_of_a_scenario_keeps_the_scoring_key(admin_client, session, quiz) -> None:
    question = item(session, quiz, "case_lateral")
    ratings = list(question.options["ratings"])
    url = f"/admin/quiz/items/{question.id}"
    page = unescape(admin_client.get(url).get_data(as_text=True))
    assert "option_2_fr" in page and "best" in page
    new = "Je reste en dehors : leur file d'attente ne me concerne pas."
    response = post_form(admin_client, url, texts_form(question, option_2_fr=new))
    assert response.status_code == 302
    saved = fresh(session, Question, question.id)
    assert saved.texts["fr"]["options"][2] == new
    assert saved.texts["fr"]["options"][:2] == question.texts["fr"]["options"][:2]
    assert saved.options["ratings"] == ratings


def test_an_empty_wording_is_refused(admin_client, session, quiz) -> None:
    question = item(session, quiz, "case_clarity")
    url = f"/admin/quiz/items/{question.id}"
    response = post_form(admin_client, url, texts_form(question, prompt_en="", option_0_it=""))
    assert response.status_code == 422
    assert fresh(session, Question, question.id).texts == question.texts


def test_only_quiz_items_are_editable_here(admin_client, session, quiz) -> None:
    other = install_default_questionnaires(session)["quarterly"].questions[0]
    session.commit()
    assert admin_client.get(f"/admin/quiz/items/{other.id}").status_code == 404
    assert admin_client.get("/admin/quiz/items/999999").status_code == 404
    # and the questionnaire pages do not edit quiz items
    quiz_item = item(session, quiz, "self_clarity")
    assert admin_client.get(f"/admin/questions/{quiz_item.id}").status_code == 404


# --- Item analysis -------------------------------------------------------------------------------


def graded(keys, level: int) -> dict[str, int]:  # type: ignore[no-untyped-def]
    """An attempt whose quality grows with ``level`` (0..5), except ``self_recognition``, which
    runs the other way (it should get a negative item-total correlation)."""
    step = min(level, 4)
    answers = {}
    for key in keys:
        if key.kind == "frequency5":
            answers[key.code] = 5 - step if key.reverse else 1 + step
        else:
            grade = ("poor", "poor", "acceptable", "acceptable", "best")[step]
            answers[key.code] = rated(key, grade)
    answers["self_recognition"] = 5 - step
    return answers


@pytest.fixture
def ops(make_department):  # type: ignore[no-untyped-def]
    return make_department(code="OPS", name="Operations")


def test_item_analysis_is_hidden_under_k(admin_client, session, quiz, keys, attempt, ops) -> None:
    for level in range(4):
        attempt(graded(keys, level), "OPS", member=f"person:{level}")
    for level in range(6):
        attempt(graded(keys, level))  # anonymous attempts count nowhere
    analysis = item_analysis(session, quiz, 5, "2026Q2")
    assert analysis.released and analysis.respondents == 4
    assert not analysis.shown and analysis.items == ()
    html = admin_client.get("/admin/quiz/analysis").get_data(as_text=True)
    assert "appears once at least 5 people" in html
    # Its quarter is not offered: listing it would tell that somebody took the quiz then.
    assert '<option value="2026Q2"' not in html
    assert "Cronbach" not in html


def test_the_quarter_in_progress_is_never_analysed(session, quiz, keys, attempt, ops) -> None:
    for n in range(30):
        attempt(graded(keys, n % 5), "OPS", member=f"person:{n}")
    assert item_analysis(session, quiz, 5, "2026Q2", today=date(2026, 6, 30)).items == ()
    assert not item_analysis(session, quiz, 5, "2026Q2", today=date(2026, 6, 30)).released
    assert not item_analysis(session, quiz, 5, "2026-Q2").released
    assert item_analysis(session, quiz, 5, "2026Q2", today=date(2026, 7, 1)).shown
    assert analysis_quarters(session, quiz, 5, today=date(2026, 6, 30)) == ["2026Q1"]
    assert analysis_quarters(session, quiz, 5, today=date(2026, 7, 1)) == ["2026Q2"]
    assert analysis_quarters(session, quiz, 31, today=date(2026, 7, 1)) == ["2026Q2"]
    assert analysis_quarters(session, quiz, 31, today=date(2026, 10, 1)) == ["2026Q3"]


def test_item_analysis_hides_options_with_fewer_than_k_on_a_side(
    admin_client, session, quiz, keys, attempt, ops
) -> None:
    levels = [0, 1, 2, 3, 4] * 2 + [0]  # eleven members: two or three people per statement option
    for n, level in enumerate(levels):
        attempt(graded(keys, level), "OPS", member=f"person:{n}")
    analysis = item_analysis(session, quiz, 5, "2026Q2")
    by_code = {s.code: s for s in analysis.items}
    standards = by_code["self_standards"]
    assert [o.count for o in standards.options] == [None] * 5
    assert standards.mean is None and standards.item_total is None and not standards.whole
    # A situation: poor 5, acceptable 4, best 2 -> only "poor" has five on each side, and
    # then the hidden two (six people) are a remainder with five on each side too.
    lateral = by_code["case_lateral"]
    assert {o.rating: o.count for o in lateral.options} == {
        "poor": 5,
        "acceptable": None,
        "best": None,
    }
    assert lateral.mean is None
    assert analysis.alpha is None  # the statements are not shown whole
    html = unescape(admin_client.get("/admin/quiz/analysis?quarter=2026Q2").get_data(as_text=True))
    assert html.count('<td class="num">5</td>') == 11  # each situation's "poor"
    assert "mean item score: hidden" in html


@pytest.mark.postgres
def test_item_analysis_with_alpha(admin_client, session, quiz, keys, attempt, ops) -> None:
    levels = [0, 1, 2, 3, 4] * 5 + [0]
    for n, level in enumerate(levels[:-1]):
        attempt(graded(keys, level), "OPS", member=f"person:{n}")
    # The last member takes it twice: the latest attempt of the quarter is the one counted.
    attempt(graded(keys, 4), "OPS", member="person:last", day=date(2026, 4, 20))
    attempt(graded(keys, 0), "OPS", member="person:last", day=date(2026, 5, 20))
    for level in (4, 4, 4):
        attempt(graded(keys, level))  # anonymous: not counted
    analysis = item_analysis(session, quiz, 5, "2026Q2")
    assert analysis.shown and analysis.respondents == 26

    by_code = {s.code: s for s in analysis.items}
    standards = by_code["self_standards"]
    assert [o.count for o in standards.options] == [6, 5, 5, 5, 5]
    assert standards.answered == 26 and standards.whole
    assert standards.mean == pytest.approx(100 * sum(min(lv, 4) for lv in levels) / 4 / 26)
    lateral = by_code["case_lateral"]
    assert {o.rating: o.count for o in lateral.options} == {"poor": 11, "acceptable": 10, "best": 5}

    # Independent recomputation: item scores on 0..100, corrected item-total correlation.
    matrix = np.array(
        [[100 * k.points(graded(keys, lv)[k.code]) / k.max_points for k in keys] for lv in levels]
    )
    for j, key in enumerate(keys):
        rest = matrix.sum(axis=1) - matrix[:, j]
        expected = np.corrcoef(matrix[:, j], rest)[0, 1]
        assert by_code[key.code].item_total == pytest.approx(expected), key.code
    assert by_code["self_recognition"].item_total < 0 < by_code["self_standards"].item_total

    # Cronbach's alpha of the 11 statements, points after reverse scoring.
    scale = [k for k in keys if k.kind == "frequency5"]
    points = np.array([[k.points(graded(keys, lv)[k.code]) for k in scale] for lv in levels])
    n_items = points.shape[1]
    alpha = (
        n_items
        / (n_items - 1)
        * (1 - points.var(axis=0, ddof=1).sum() / points.sum(axis=1).var(ddof=1))
    )
    assert analysis.alpha_items == 11 and analysis.alpha_respondents == 26
    assert analysis.alpha == pytest.approx(alpha)
    assert analysis.alpha_low < analysis.alpha < analysis.alpha_high

    html = unescape(admin_client.get("/admin/quiz/analysis").get_data(as_text=True))
    assert "Cronbach's alpha of the 11 self-rating statements" in html
    assert f"{alpha:.2f}" in html
    assert html.count("item–total correlation:") == 22
    assert "hidden</td>" not in html
    assert f"{by_code['self_recognition'].item_total:.2f}" in html
    assert "23%" in html  # 6 of 26 answered "never" to self_standards
    # Each of the 11 situations, and only they, shows the rating of its choices.
    assert html.count('<th scope="col">Rating</th>') == 11
    assert html.count("<td>acceptable</td>") == 11

    # In Italian and French the numbers take a decimal comma.
    italian = unescape(admin_client.get("/admin/quiz/analysis?lang=it").get_data(as_text=True))
    assert f"{alpha:.2f}".replace(".", ",") in italian and f"{alpha:.2f}" not in italian
    assert f"{by_code['self_recognition'].item_total:.2f}".replace(".", ",") in italian
    french = unescape(admin_client.get("/admin/quiz/analysis?lang=fr").get_data(as_text=True))
    assert f"{alpha:.2f}".replace(".", ",") in french and f"{alpha:.2f}" not in french


# --- Invitations ---------------------------------------------------------------------------------


@pytest.fixture
def departments(make_department, make_person):  # type: ignore[no-untyped-def]
    fin = make_department(code="FIN", name="Finance")
    ops = make_department(code="OPS", name="Operations")
    hr = make_department(code="HR", name="Human Resources")
    people = {
        "ada": make_person("ada@example.com", fin, locale="en"),
        "bea": make_person("bea@example.com", fin, locale="it"),
        "cyd": make_person("cyd@example.com", fin, opted_out=True),
        "dan": make_person("dan@example.com", fin, active=False),
        "eve": make_person("eve@example.com", ops, locale="fr"),
        "fay": make_person("fay@example.com", ops),
        "gus": make_person("gus@example.com", hr),
    }
    return fin, ops, hr, people


@pytest.mark.postgres
def test_invitations_queue_one_message_per_person(
    admin_client, client, session, departments
) -> None:
    fin, ops, _hr, people = departments
    page = admin_client.get("/admin/quiz/invitations")
    assert page.status_code == 200
    token = csrf_token(admin_client, "/admin/quiz/invitations")
    response = admin_client.post(
        "/admin/quiz/invitations",
        data={"csrf_token": token, "departments": [str(fin.id), str(ops.id)]},
    )
    assert response.status_code == 302
    session.rollback()
    messages = list(session.scalars(select(OutboxMessage).order_by(OutboxMessage.id)))
    recipients = sorted(re.search(r"<(.+)>", m.to_addr).group(1) for m in messages)
    assert recipients == [
        "ada@example.com",
        "bea@example.com",
        "eve@example.com",
        "fay@example.com",
    ]
    assert {m.purpose for m in messages} == {"invitation:quiz"}
    assert {m.status for m in messages} == {"queued"}
    [entry] = entries(session, "quiz_invitations")
    assert entry.action == "invite"
    assert entry.changes["departments"] == [None, sorted([fin.code, ops.code])]
    assert entry.changes["invited"] == [None, 4]
    invitations = list(session.scalars(select(Invitation)))
    assert {i.kind for i in invitations} == {"quiz"} and len(invitations) == 4
    assert {m.invitation_id for m in messages} == {i.id for i in invitations}
    bea = next(m for m in messages if "bea@" in m.to_addr)
    personal = re.search(r"http://localhost/quiz/i/([A-Za-z0-9_-]+)\?lang=it", bea.body_text)
    assert personal, bea.body_text
    assert f'href="http://localhost/quiz/i/{personal.group(1)}?lang=it"' in bea.body_html
    assert client.get(f"/quiz/i/{personal.group(1)}").status_code == 200
    ada = next(m for m in messages if "ada@" in m.to_addr)
    assert "at least 5 people" in ada.body_text  # k, in the person's language
    assert re.search(r"http://localhost/quiz/i/[A-Za-z0-9_-]+\?lang=en", ada.body_text)
    # The stop link opts the person out, like the one in survey emails.
    stop = re.search(r"http://localhost(/r/[A-Za-z0-9_-]+/stop)", bea.body_text).group(1)
    assert client.get(stop).status_code == 200
    assert post_form(client, stop, {"csrf_token": csrf_token(client, stop)}).status_code == 200
    assert fresh(session, type(people["bea"]), people["bea"].id).opted_out

    # A second click sends nothing twice.
    again = admin_client.post(
        "/admin/quiz/invitations",
        data={"csrf_token": token, "departments": [str(fin.id), str(ops.id)]},
        follow_redirects=True,
    )
    assert count(session, OutboxMessage) == 4
    assert "0 quiz invitations queued" in unescape(again.get_data(as_text=True))


def test_invitations_need_a_department(admin_client, session, departments) -> None:
    response = post_form(admin_client, "/admin/quiz/invitations", {})
    assert response.status_code == 422
    assert "Choose at least one department." in response.get_data(as_text=True)
    assert count(session, OutboxMessage) == 0


# --- Roles ---------------------------------------------------------------------------------------

ROUTES = [
    ("GET", "/admin/quiz"),
    ("GET", "/admin/quiz/items/{id}"),
    ("POST", "/admin/quiz/items/{id}"),
    ("GET", "/admin/quiz/analysis"),
    ("GET", "/admin/quiz/invitations"),
    ("POST", "/admin/quiz/invitations"),
]


@pytest.mark.parametrize("role", ["manager", "viewer"])
def test_non_admins_get_403(app, session, quiz, make_user, role) -> None:
    question_id = quiz.questions[0].id
    user = make_user(role)
    client = app.test_client()
    post_form(client, "/auth/sign-in", {"email": user.email, "password": PASSWORD})
    token = csrf_token(client, "/")
    for method, path in ROUTES:
        url = path.format(id=question_id)
        if method == "GET":
            response = client.get(url)
        else:
            response = client.post(url, data={"csrf_token": token, "prompt_en": "x"})
        assert response.status_code == 403, (role, method, url)
    assert count(session, OutboxMessage) == 0


def test_anonymous_visitors_go_to_sign_in(client, quiz) -> None:
    token = csrf_token(client)
    for method, path in ROUTES:
        url = path.format(id=quiz.questions[0].id)
        if method == "GET":
            response = client.get(url)
        else:
            response = client.post(url, data={"csrf_token": token})
        assert response.status_code == 302, (method, url)
        assert "/auth/sign-in" in response.headers["Location"]
