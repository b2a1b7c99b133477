"""Admin: the quiz's items and their wording in three languages, the item analysis of a
released quarter (answer distributions, item-total correlations, Cronbach's alpha, gated:
``survey.quiz.item_analysis``) and quiz invitations to departments,
sent through the outbox like survey emails.

The scoring key of an item (reverse scoring, best/acceptable/poor) belongs to the scoring
version and is not editable here: rewording keeps results comparable, re-keying would not.
"""

from __future__ import annotations

from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from sqlalchemy import func, select
from werkzeug.wrappers import Response as WerkzeugResponse
from wtforms import SelectChoice

from forms.quiz import LANGUAGES, QuizInvitationForm, make_item_texts_form
from survey.config import mail_domain, min_group_size
from survey.db import get_session
from survey.i18n import current_locale
from survey.local_format import decimal
from survey.models import Department, Person, Question
from survey.quiz.item_analysis import analysis_quarters, item_analysis
from survey.quiz.items import practice_text
from survey.quiz.scoring import SCENARIO, SCORING_VERSION, rule_for
from survey.quiz.services import (
    ITEM_TYPES,
    REINVITE_DAYS,
    attempts_by_version,
    ensure_quiz,
    item_keys,
    item_options,
    live_items,
    send_quiz_invitations,
    update_item_texts,
)
from survey.services.audit import Target, diff, snapshot
from survey.views.admin import bp
from survey.views.admin.common import audit, flash_left_out

LOCALE_CODES = tuple(code for code, _label in LANGUAGES)


def _k() -> int:
    return min_group_size(current_app.config)


def _practice_name(code: str) -> str:
    return str(practice_text(code, current_locale()))


def _translated(question: Question) -> dict[str, bool]:
    """Whether each locale has a prompt (and, for a scenario, every choice)."""
    count = len((question.options or {}).get("ratings") or ())
    done = {}
    for loc in LOCALE_CODES:
        entry = question.texts.get(loc) or {}
        options = entry.get("options") or []
        done[loc] = bool(entry.get("prompt")) and (
            question.qtype != SCENARIO or (len(options) == count and all(options))
        )
    return done


@bp.get("/quiz")
def quiz() -> str:
    db = get_session()
    questionnaire = ensure_quiz(db)
    db.commit()
    items = live_items(questionnaire)
    keys = {key.code: key for key in item_keys(items)}
    return render_template(
        "admin/quiz.html",
        questionnaire=questionnaire,
        items=items,
        keys=keys,
        translated={q.id: _translated(q) for q in items},
        versions=attempts_by_version(db, _k(), SCORING_VERSION),
        k=_k(),
        current_version=SCORING_VERSION,
        rule=rule_for(SCORING_VERSION),
        practice_name=_practice_name,
        locales=LOCALE_CODES,
        scenario=SCENARIO,
    )


@bp.route("/quiz/items/<int:item_id>", methods=["GET", "POST"])
def quiz_item(item_id: int) -> str | WerkzeugResponse:
    db = get_session()
    question = db.get(Question, item_id)
    if (
        question is None
        or question.questionnaire.kind != "quiz"
        or question.qtype not in ITEM_TYPES
    ):
        abort(404)
    ratings = list((question.options or {}).get("ratings") or ())
    form = make_item_texts_form(len(ratings) if question.qtype == SCENARIO else 0)
    if request.method == "GET":
        for loc in LOCALE_CODES:
            entry = question.texts.get(loc) or {}
            form[f"prompt_{loc}"].data = entry.get("prompt", "")
            form[f"help_{loc}"].data = entry.get("help", "")
            options = list(entry.get("options") or [])
            for n in range(form.option_count):
                form[f"option_{n}_{loc}"].data = options[n] if n < len(options) else ""
    elif form.validate_on_submit():
        texts = {}
        for loc in LOCALE_CODES:
            entry: dict[str, object] = {
                "prompt": (form[f"prompt_{loc}"].data or "").strip(),
                "help": (form[f"help_{loc}"].data or "").strip(),
            }
            if form.option_count:
                entry["options"] = [
                    (form[f"option_{n}_{loc}"].data or "").strip() for n in range(form.option_count)
                ]
            texts[loc] = entry
        before = snapshot(question, "texts")
        update_item_texts(db, question, texts)
        audit("edit", question, diff(before, snapshot(question, "texts")))
        db.commit()
        flash(_("Wording saved."), "success")
        return redirect(url_for("admin.quiz"))
    status = 422 if request.method == "POST" else 200
    return render_template(
        "admin/quiz_item_form.html",
        form=form,
        question=question,
        ratings=ratings,
        scenario=SCENARIO,
        reverse=bool((question.options or {}).get("reverse")),
        practice_name=_practice_name,
        english_options=item_options(question, "en"),
        locales=LANGUAGES,
    ), status  # type: ignore[return-value]


@bp.get("/quiz/analysis")
def quiz_analysis() -> str:
    db = get_session()
    questionnaire = ensure_quiz(db)
    db.commit()
    quarters = analysis_quarters(db, questionnaire, _k())
    quarter = request.args.get("quarter") or quarters[-1]
    analysis = item_analysis(db, questionnaire, _k(), quarter, locale=current_locale())
    return render_template(
        "admin/quiz_analysis.html",
        analysis=analysis,
        quarters=quarters,
        practice_name=_practice_name,
        scenario=SCENARIO,
    )


def _invitation_choices() -> list[SelectChoice]:
    db = get_session()
    people = dict(
        db.execute(
            select(Person.department_id, func.count())
            .where(Person.active.is_(True), Person.opted_out.is_(False))
            .group_by(Person.department_id)
        ).all()
    )
    departments = db.scalars(
        select(Department).where(Department.active.is_(True)).order_by(Department.name)
    )
    return [
        SelectChoice(
            str(d.id),
            _(
                "%(name)s (%(code)s), %(n)s people",
                name=d.name,
                code=d.code,
                n=people.get(d.id, 0),
            ),
        )
        for d in departments
    ]


@bp.route("/quiz/invitations", methods=["GET", "POST"])
def quiz_invitations() -> str | WerkzeugResponse:
    form = QuizInvitationForm()
    form.departments.choices = _invitation_choices()
    if form.validate_on_submit():
        db = get_session()
        chosen = [int(v) for v in form.departments.data or []]
        report = send_quiz_invitations(
            db,
            chosen,
            str(current_app.config["BASE_URL"]),
            mail_domain(current_app.config),
            _k(),
        )
        codes = db.scalars(select(Department.code).where(Department.id.in_(chosen))).all()
        audit(
            "invite",
            Target("quiz_invitations", None, f"quiz invitations: {report.invited} queued"),
            {
                "departments": [None, sorted(codes)],
                "invited": [None, report.invited],
                "opted_out": [None, report.opted_out],
                "recently_invited": [None, report.recently_invited],
                "over_budget": [None, report.over_budget],
                "erased_this_quarter": [None, report.erased_this_quarter],
            },
        )
        db.commit()
        flash(
            _(
                "%(n)s quiz invitations queued; they leave with the next mail dispatch.",
                n=decimal(report.invited, 0),
            ),
            "success",
        )
        if report.opted_out or report.recently_invited:
            flash(
                _(
                    "Not invited: %(opted)s who opted out of survey emails, %(recent)s invited "
                    "to the quiz in the last %(days)s days.",
                    opted=decimal(report.opted_out, 0),
                    recent=decimal(report.recently_invited, 0),
                    days=REINVITE_DAYS,
                ),
                "info",
            )
        flash_left_out(report.over_budget, report.erased_this_quarter)
        return redirect(url_for("admin.quiz_invitations"))
    status = 422 if request.method == "POST" else 200
    page = render_template("admin/quiz_invitations.html", form=form, k=_k(), days=REINVITE_DAYS)
    return page, status  # type: ignore[return-value]
