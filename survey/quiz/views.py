"""The self-assessment quiz "What is your internal service IQ?" at ``/quiz``: any employee, no
account, no name, in English, Italian or French.

A plain POST form (no JavaScript). Anyone may take it; an attempt counts toward a department's
self-view only when made through a personal quiz invitation (``/quiz/i/<token>``) or by a
signed-in user of the department (see ``survey/quiz/services.py``). Anonymous posts are
rate-limited per address. The result lives at a private, unguessable address
``/quiz/r/<key>``; a retake through ``/quiz/r/<key>/retake`` adds to the same series so the
result page shows progress. CSRF is checked here rather than globally so that a form whose
token expired while the taker was thinking comes back with every answer kept.
"""

from __future__ import annotations

from typing import Any

from flask import (
    Blueprint,
    current_app,
    make_response,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_login import current_user
from sqlalchemy import select
from werkzeug.wrappers import Response as WerkzeugResponse
from wtforms import SelectChoice

from forms.quiz import QuizForm, QuizItemSpec, make_quiz_form
from survey.config import min_group_size
from survey.db import get_session
from survey.extensions import csrf, csrf_ok, limit_link_pages, limiter
from survey.i18n import choose_locale, current_locale
from survey.models import Department, Question
from survey.names import localized_name
from survey.quiz.items import band_text, practice_text
from survey.quiz.scoring import PRACTICES, SCORING_VERSION, rule_for
from survey.quiz.services import (
    Member,
    ScoringError,
    account_member,
    ensure_quiz,
    item_options,
    live_items,
    quiz_invitation_member,
    series_by_key,
    start_attempt,
    submit_attempt,
)

bp = Blueprint("quiz", __name__, url_prefix="/quiz")
csrf.exempt(bp)

# Anonymous quiz submissions per address: plenty for a person retaking the quiz, far too few to
# flood anything (anonymous attempts never move a department figure anyway).
ANONYMOUS_QUIZ_POSTS = "10 per hour"


def _is_member() -> bool:
    return bool(current_user and current_user.is_authenticated)


def _not_counted() -> bool:
    """Posts the limit leaves alone: a signed-in user's, and moving between steps (Next,
    Back), which stores nothing."""
    return _is_member() or request.form.get("go") in ("next", "back")


limit_anonymous_posts = limiter.limit(
    ANONYMOUS_QUIZ_POSTS, methods=["POST"], exempt_when=_not_counted, scope="quiz-posts"
)


def _signed_in_member() -> Member | None:
    """The signed-in user as a member of their (active) department, or None."""
    if not _is_member():
        return None
    user = current_user
    return account_member(get_session(), user.id, user.email, user.department_id)


View = str | tuple[str, int] | WerkzeugResponse


def _specs(items: list[Question], locale: str) -> list[QuizItemSpec]:
    return [
        QuizItemSpec(
            code=q.code,
            kind=q.qtype,
            prompt=q.text(locale),
            options=tuple(item_options(q, locale)),
            help=q.text(locale, "help"),
        )
        for q in items
    ]


def _department_choices() -> list[SelectChoice]:
    departments = get_session().scalars(
        select(Department).where(Department.active.is_(True)).order_by(Department.name)
    )
    locale = current_locale()
    named = sorted(
        ((localized_name(d, locale), d.code) for d in departments),
        key=lambda pair: pair[0].casefold(),
    )
    return [SelectChoice(code, f"{name} ({code})") for name, code in named]


def _texts(locale: str) -> dict[str, Any]:
    """Helpers for the templates: practice and band texts in ``locale``."""
    return {
        "practice": lambda code, field="name": practice_text(code, locale, field),
        "band": lambda code, field="name": band_text(code, locale, field) if code else "",
        "practices": PRACTICES,
    }


def _form_page(
    form: QuizForm, status: int = 200, *, step: int = 1, **context: Any
) -> tuple[str, int]:
    """The quiz form at ``step`` (1..3); the other steps' answers are carried as hidden
    fields, so nothing is lost going forward or back, with or without JavaScript."""
    shown = _step_codes(form, step)
    return (
        render_template(
            "quiz/take.html", form=form, step=step, steps=STEPS, shown=shown, **context
        ),
        status,
    )


def _take(
    form_url: str,
    *,
    key: str | None = None,
    department: str | None = None,
    member: Member | None = None,
) -> View:
    """The quiz form (GET) and its submission (POST), for a first attempt or a retake.
    ``member``: the verified taker whose attempt counts toward their department's
    self-view (the department field is then theirs and not asked)."""
    db = get_session()
    quiz = ensure_quiz(db)
    db.commit()  # the item bank, when this was the very first visit
    locale = current_locale()
    items = live_items(quiz)
    specs = _specs(items, locale)
    context: dict[str, Any] = {
        "locale": locale,
        "retake": key is not None,
        "form_url": form_url,
        "item_count": len(specs),
        "k": min_group_size(current_app.config),
        "member": member,
    }
    if request.method in ("GET", "HEAD"):
        form = make_quiz_form(specs, _department_choices(), data={"department": department or ""})
        return _form_page(form, step=1, **context)
    form = make_quiz_form(specs, _department_choices(), formdata=request.form)
    step = _posted_step()
    go = request.form.get("go", "submit")
    if not csrf_ok():
        form.validate()
        return _form_page(form, 400, expired=True, step=step, **context)
    if go == "back":
        return _form_page(form, step=max(step - 1, 1), **context)
    if go == "next" and step < STEPS:
        if not _validate_step(form, step):
            return _form_page(form, 422, step=step, **context)
        return _form_page(form, step=step + 1, **context)
    if not form.validate():
        return _form_page(form, 422, step=_first_step_with_errors(form), **context)
    answers = form.answers()
    code = form.department.data or None
    try:
        if key is None:
            key, _attempt = start_attempt(
                db, quiz, answers, department_code=code, locale=locale, member=member
            )
        elif (
            submit_attempt(
                db, quiz, key, answers, department_code=code, locale=locale, member=member
            )
            is None
        ):
            db.rollback()
            return _unknown()
    except (ScoringError, ValueError):
        db.rollback()
        form.validate()
        return _form_page(form, 422, **context)
    db.commit()
    return redirect(url_for("quiz.result", key=key))


STEPS = 3  # 1: habits (statements), 2: situations (scenarios), 3: your department


def _posted_step() -> int:
    """The step the posted form was showing (1..3; a form without one is the last step)."""
    try:
        return min(max(int(request.form.get("step", STEPS)), 1), STEPS)
    except ValueError:
        return STEPS


def _step_codes(form: QuizForm, step: int) -> list[str]:
    if step == 1:
        return form.statements()
    if step == 2:
        return form.scenarios()
    return []


def _validate_step(form: QuizForm, step: int) -> bool:
    """Validate the items of one step only (answers of the other steps ride along as hidden
    fields and are checked on the final submit)."""
    ok = True
    for code in _step_codes(form, step):
        ok = form[code].validate(form) and ok
    return ok


def _first_step_with_errors(form: QuizForm) -> int:
    for step in (1, 2):
        if any(form[code].errors for code in _step_codes(form, step)):
            return step
    return STEPS


def _unknown() -> tuple[str, int]:
    return render_template("quiz/unknown.html"), 404


def _private(response: WerkzeugResponse) -> WerkzeugResponse:
    """A private page: not kept by caches, not indexed."""
    response.headers["Cache-Control"] = "no-store"
    response.headers["X-Robots-Tag"] = "noindex, nofollow"
    return response


@bp.app_template_global("quiz_practice")
def quiz_practice(practice: str, field: str = "name") -> Any:
    """A practice's ``name``, ``summary``, ``tips`` or ``try`` from the quiz's library in the
    reader's language: for other journeys' templates (the scorecard's priorities), which
    cannot import the quiz."""
    return practice_text(practice, current_locale(), field)


@bp.route("", methods=["GET", "POST"])
@limit_anonymous_posts
def start() -> View:
    choose_locale()
    return _take(url_for("quiz.start"), member=_signed_in_member())


@bp.route("/i/<token>", methods=["GET", "POST"])
@limit_link_pages
def invited(token: str) -> View:
    """The quiz through a personal invitation: the attempt counts toward the invited person's
    department (under a keyed pseudonym). A link that is unknown or no longer open still
    leads to the quiz, as an anonymous attempt that counts nowhere."""
    choose_locale()
    member = quiz_invitation_member(get_session(), token)
    # An unknown or spent link is the public quiz at this address: its answers are kept
    # (and checked like any other, CSRF first) and count nowhere.
    response = _take(url_for("quiz.invited", token=token), member=member)
    return _private(make_response(response))


@bp.get("/r/<key>")
@limit_link_pages
def result(key: str) -> View:
    db = get_session()
    series = series_by_key(db, key)
    if series is None:
        choose_locale()
        return _private(make_response(_unknown()))
    latest = series.latest
    locale = choose_locale(latest.locale)
    k = min_group_size(current_app.config)
    # The result page shows the taker's own scores only: never a department figure, which
    # anyone holding a result link could otherwise watch move (published self-views are on
    # the scorecards, for signed-in reviewers, once their quarter has ended).
    department = None
    if latest.department_id is not None:
        department = db.get(Department, latest.department_id)
    try:
        rule = rule_for(latest.scoring_version)
    except ValueError:
        rule = rule_for(SCORING_VERSION)
    base_url = str(current_app.config.get("BASE_URL") or request.host_url).rstrip("/")
    page = render_template(
        "quiz/result.html",
        series=series,
        latest=latest,
        previous=series.previous,
        department=department,
        k=k,
        rule=rule,
        key=key,
        private_url=f"{base_url}{url_for('quiz.result', key=key)}",
        locale=locale,
        **_texts(locale),
    )
    return _private(make_response(page))


@bp.route("/r/<key>/retake", methods=["GET", "POST"])
@limit_link_pages
@limit_anonymous_posts
def retake(key: str) -> View:
    db = get_session()
    series = series_by_key(db, key)
    if series is None:
        choose_locale()
        return _private(make_response(_unknown()))
    choose_locale(series.latest.locale)
    department = None
    if series.latest.department_id is not None:
        found = db.get(Department, series.latest.department_id)
        department = found.code if found is not None and found.active else None
    response = _take(
        url_for("quiz.retake", key=key),
        key=key,
        department=department,
        member=_signed_in_member(),
    )
    return _private(make_response(response))
