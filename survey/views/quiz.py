"""The self-assessment quiz "What is your internal service IQ?" at ``/quiz``: any employee, no
account, no name, in English, Italian or French.

A plain POST form (no JavaScript). The result lives at a private, unguessable address
``/quiz/r/<key>``; a retake through ``/quiz/r/<key>/retake`` adds to the same series so the
result page shows progress. CSRF is checked here rather than globally so that a form whose
token expired while the taker was thinking comes back with every answer kept.
"""

from __future__ import annotations

from typing import Any

from flask import (
    Blueprint,
    current_app,
    g,
    make_response,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_wtf.csrf import validate_csrf
from sqlalchemy import select
from werkzeug.wrappers import Response as WerkzeugResponse
from wtforms import SelectChoice, ValidationError

from forms.quiz import QuizForm, QuizItemSpec, make_quiz_form
from survey.config import LOCALES
from survey.db import get_session
from survey.extensions import csrf, limit_link_pages
from survey.i18n import current_locale
from survey.models import Department, Question
from survey.services.quiz import (
    ScoringError,
    department_self_view,
    ensure_quiz,
    item_options,
    live_items,
    series_by_key,
    start_attempt,
    submit_attempt,
)
from survey.services.quiz_items import band_text, practice_text
from survey.services.quiz_scoring import PRACTICES, SCORING_VERSION, rule_for

bp = Blueprint("quiz", __name__, url_prefix="/quiz")
csrf.exempt(bp)

View = str | tuple[str, int] | WerkzeugResponse


def _choose_locale(default: str | None = None) -> str:
    """``?lang=`` (or the posted ``lang``) first, then ``default`` (the language the quiz was
    taken in), then the usual choice (remembered ``?lang=``, the browser)."""
    asked = request.values.get("lang")
    if asked in LOCALES:
        g.locale = asked
    elif default in LOCALES:
        g.locale = default
    return current_locale()


def _csrf_ok() -> bool:
    try:
        validate_csrf(request.form.get("csrf_token"))
    except ValidationError:
        return False
    return True


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
    return [SelectChoice(d.code, f"{d.name} ({d.code})") for d in departments]


def _texts(locale: str) -> dict[str, Any]:
    """Helpers for the templates: practice and band texts in ``locale``."""
    return {
        "practice": lambda code, field="name": practice_text(code, locale, field),
        "band": lambda code, field="name": band_text(code, locale, field) if code else "",
        "practices": PRACTICES,
    }


def _form_page(form: QuizForm, status: int = 200, **context: Any) -> tuple[str, int]:
    return render_template("quiz/take.html", form=form, **context), status


def _take(form_url: str, *, key: str | None = None, department: str | None = None) -> View:
    """The quiz form (GET) and its submission (POST), for a first attempt or a retake."""
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
        "k": current_app.config.get("MIN_GROUP_SIZE", 5),
    }
    if request.method in ("GET", "HEAD"):
        form = make_quiz_form(specs, _department_choices(), data={"department": department or ""})
        return _form_page(form, **context)
    form = make_quiz_form(specs, _department_choices(), formdata=request.form)
    if not _csrf_ok():
        form.validate()
        return _form_page(form, 400, expired=True, **context)
    if not form.validate():
        return _form_page(form, 422, **context)
    answers = form.answers()
    code = form.department.data or None
    try:
        if key is None:
            key, _attempt = start_attempt(
                db, quiz, answers, department_code=code, locale=locale
            )
        elif submit_attempt(db, quiz, key, answers, department_code=code, locale=locale) is None:
            db.rollback()
            return _unknown()
    except (ScoringError, ValueError):
        db.rollback()
        form.validate()
        return _form_page(form, 422, **context)
    db.commit()
    return redirect(url_for("quiz.result", key=key))


def _unknown() -> tuple[str, int]:
    return render_template("quiz/unknown.html"), 404


def _private(response: WerkzeugResponse) -> WerkzeugResponse:
    """A private page: not kept by caches, not indexed."""
    response.headers["Cache-Control"] = "no-store"
    response.headers["X-Robots-Tag"] = "noindex, nofollow"
    return response


@bp.route("", methods=["GET", "POST"])
def start() -> View:
    _choose_locale()
    return _take(url_for("quiz.start"))


@bp.get("/r/<key>")
@limit_link_pages
def result(key: str) -> View:
    db = get_session()
    series = series_by_key(db, key)
    if series is None:
        _choose_locale()
        return _private(make_response(_unknown()))
    latest = series.latest
    locale = _choose_locale(latest.locale)
    k = int(current_app.config.get("MIN_GROUP_SIZE", 5))
    department = self_view = None
    if latest.department_id is not None:
        department = db.get(Department, latest.department_id)
        self_view = department_self_view(db, latest.department_id, latest.quarter, k)
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
        self_view=self_view,
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
def retake(key: str) -> View:
    db = get_session()
    series = series_by_key(db, key)
    if series is None:
        _choose_locale()
        return _private(make_response(_unknown()))
    _choose_locale(series.latest.locale)
    department = None
    if series.latest.department_id is not None:
        found = db.get(Department, series.latest.department_id)
        department = found.code if found is not None and found.active else None
    response = _take(url_for("quiz.retake", key=key), key=key, department=department)
    return _private(make_response(response))
