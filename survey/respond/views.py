"""Answering from an emailed link: ``/r/<token>``. No account; the person's language.

A GET never changes anything. CSRF is checked here rather than globally so that a form whose
token expired while the respondent was thinking comes back with every answer kept.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from flask import (
    Blueprint,
    abort,
    current_app,
    g,
    get_template_attribute,
    redirect,
    render_template,
    request,
    url_for,
)
from flask.blueprints import BlueprintSetupState
from markupsafe import Markup
from werkzeug.wrappers import Response as WerkzeugResponse

from forms.survey import QuestionSpec, SurveyForm, make_survey_form, plain_answers
from survey import hooks
from survey.config import min_group_size
from survey.db import get_session, reading, writing
from survey.extensions import csrf, csrf_ok, limit_link_pages
from survey.i18n import LOCALES, choose_locale
from survey.models import Invitation, Person
from survey.respond.filing_job import file_waiting
from survey.respond.form_specs import question_specs
from survey.respond.sections import first_open_section, section_form, section_index, step
from survey.respond.services.answering import (
    asked_to_be_contacted,
    live_questions,
    load_draft,
    prepare_post_interaction,
    quarterly_providers,
    save_draft,
    submit_post_interaction,
    submit_quarterly,
)
from survey.respond.services.filing import file_queued
from survey.services.fatigue import opt_out
from survey.services.invitations import Link, LinkState, look_up_link
from survey.services.live_questionnaires import QuestionnaireCopy, copy_for

bp = Blueprint("respond", __name__, url_prefix="/r")
csrf.exempt(bp)


@bp.record_once
def _file_before_release(state: BlueprintSetupState) -> None:
    """A release files the queued submits in its own transaction (``hooks``,
    ``release.before``): a page's filing ran in a transaction before it."""
    hooks.register(state.app, "release.before", file_queued)


# Requests that read no figure: unknown paths, static files, the load balancer's check (which
# must answer at once, whatever holds the write lock).
_NO_FILING = frozenset({None, "static", "main.health"})


@bp.before_app_request
def file_queued_first() -> None:
    """Before every request outside this blueprint (and ``_NO_FILING``): file the queued
    submissions (``services.filing``), so that pages, exports and the API read every answer
    given so far. They must not read without them: a quarter that has ended may be released
    at the next read, and a released figure must not move when an answer given before its
    end is filed later. A request with nothing queued costs one indexed look and takes no
    write lock; with something queued, it waits for the lock like any writer (on SQLite, up to
    the busy timeout, then "try again"). The respondent's own pages skip it: a submit's work
    is to use the link and queue."""
    if request.blueprint == bp.name or request.endpoint in _NO_FILING:
        return
    file_waiting(get_session())


View = str | tuple[str, int] | WerkzeugResponse


def _closed_page(state: LinkState) -> tuple[str, int]:
    if state is LinkState.UNKNOWN:
        return render_template("respond/closed.html", state="unknown"), 404
    return render_template("respond/closed.html", state=state.value), 410


@bp.route("/<token>", methods=["GET", "POST"])
@limit_link_pages
def link(token: str) -> View:
    db = get_session()
    # The link and its questionnaire are read in a read transaction, ended before the form is
    # checked: a submit takes the write lock (``writing``) for the claim and store only, so
    # that one respondent's form checks do not hold up another's submit.
    with reading(db):
        found = look_up_link(db, token)
        if found.state is not LinkState.OPEN:
            # A used or expired link still knows its person's language; an unknown one has
            # only the language asked for, else the browser's.
            choose_locale(found.link.locale if found.link is not None else None)
            return _closed_page(found.state)
        link = found.link
        assert link is not None
        questionnaire = copy_for(db, found.questionnaire) if found.questionnaire else None
    locale = choose_locale(link.locale)
    if questionnaire is None:
        abort(404)
    specs = _specs(questionnaire, locale)
    if link.kind == "post_interaction" and link.provider is not None:
        return _post_interaction(link, questionnaire, specs, locale)
    if link.kind == "quarterly" and link.quarter is not None:
        return _quarterly(link, questionnaire, specs, locale)
    abort(404)


def _specs(questionnaire: QuestionnaireCopy, locale: str) -> Sequence[QuestionSpec]:
    """The form specs of the live questions in ``locale``, built once per copy and language."""
    key = ("specs", locale)
    specs = questionnaire.rendered.get(key)
    if not isinstance(specs, tuple):
        specs = tuple(question_specs(live_questions(questionnaire), locale))
        questionnaire.rendered[key] = specs
    return specs


def _blank_questions(
    questionnaire: QuestionnaireCopy, specs: Sequence[QuestionSpec], locale: str, score: str | None
) -> Markup:
    """The questions of an unanswered form (``score`` preselected), rendered once per
    questionnaire revision, language and score and then reused: the same bytes every time."""
    key = ("post_interaction", locale, score)
    html = questionnaire.rendered.get(key)
    if not isinstance(html, Markup):
        form = make_survey_form(specs, data={"overall": score} if score else None)
        question = get_template_attribute("respond/_questions.html", "question")
        html = Markup("").join(question(form[code]) for code in form.question_codes)
        questionnaire.rendered[key] = html
    return html


def _post_interaction(
    link: Link,
    questionnaire: QuestionnaireCopy,
    specs: Sequence[QuestionSpec],
    locale: str,
) -> View:
    context: dict[str, Any] = {
        "provider": link.provider,
        "service": link.service,
        "request_ref": link.request_ref,
        "request_at": link.request_at,
        "locale": locale,
    }
    if request.method in ("GET", "HEAD"):
        score = request.args.get("score", "")
        questions = _blank_questions(
            questionnaire, specs, locale, score if score in {"1", "2", "3", "4", "5"} else None
        )
        return render_template(
            "respond/post_interaction.html", form=None, questions=questions, **context
        )
    fresh = csrf_ok()
    # A browser's submit is read as it is; anything else (a refusal to word, an expired token
    # whose page shows the answers again) goes through the form itself.
    answers = plain_answers(specs, request.form) if fresh else None
    if answers is None:
        form = make_survey_form(specs, formdata=request.form)
        valid = form.validate()
        if not fresh:
            return render_template(
                "respond/post_interaction.html", form=form, expired=True, **context
            ), 400
        if not valid:
            return render_template("respond/post_interaction.html", form=form, **context), 422
        answers = form.answers()
    db = get_session()
    prepared = prepare_post_interaction(link, answers, questionnaire=questionnaire)
    with writing(db):
        stored = submit_post_interaction(db, link, prepared, questionnaire)
    if stored is None:
        return _closed_page(LinkState.USED)
    named = 1 if asked_to_be_contacted(answers) else None
    return redirect(url_for("respond.thanks", lang=locale, named=named))


def _quarterly(
    link: Link,
    questionnaire: QuestionnaireCopy,
    specs: Sequence[QuestionSpec],
    locale: str,
) -> View:
    if request.method != "POST":
        return _quarterly_page(link, questionnaire, specs, locale)
    # Drafts are read and written in one write transaction; the link may have been used since
    # it was looked up.
    with writing(get_session()):
        return _quarterly_page(link, questionnaire, specs, locale)


def _quarterly_page(
    link: Link,
    questionnaire: QuestionnaireCopy,
    specs: Sequence[QuestionSpec],
    locale: str,
) -> View:
    db = get_session()
    invitation = db.get(Invitation, link.invitation_id)
    if invitation is None or invitation.status == "answered":
        return _closed_page(LinkState.USED)
    providers = quarterly_providers(db, invitation)
    if not providers:
        return _closed_page(LinkState.EXPIRED)
    ids = [p.id for p in providers]
    draft = load_draft(db, invitation)
    sections: dict[str, Any] = draft.setdefault("sections", {})

    def show(index: int, form: SurveyForm | None = None, status: int = 200, **extra: Any) -> View:
        provider = providers[index]
        form = form or section_form(specs, sections.get(str(provider.id)))
        return render_template(
            "respond/quarterly.html",
            form=form,
            providers=providers,
            index=index,
            provider=provider,
            sections=sections,
            campaign=invitation.campaign,
            locale=locale,
            **extra,
        ), status

    if request.method in ("GET", "HEAD"):
        index = section_index(
            request.args.get("section"), len(ids), first_open_section(draft, ids, specs)
        )
        return show(index)

    index = section_index(request.form.get("section"), len(ids), 0)
    form = make_survey_form(specs, formdata=request.form, with_not_applicable=True)
    if not csrf_ok():
        form.validate()
        return show(index, form, 400, expired=True)
    taken = step(specs, draft, ids, index, request.form.get("action", "next"), form)
    if not taken.keep:
        return show(taken.index, taken.form, taken.status)
    save_draft(db, invitation, draft)
    if taken.outcome == "saved":
        db.commit()
        return render_template("respond/saved.html", locale=locale)
    if taken.outcome == "submit":
        if submit_quarterly(db, link, taken.answers, questionnaire=questionnaire) is None:
            db.rollback()
            return _closed_page(LinkState.USED)
        db.commit()
        named = 1 if any(asked_to_be_contacted(a) for a in taken.answers.values()) else None
        return redirect(url_for("respond.thanks", lang=locale, d=ids, named=named))
    db.commit()
    return show(taken.index, status=taken.status, incomplete=taken.incomplete)


@bp.get("/thanks")
def thanks() -> str:
    asked = request.args.get("lang")
    if asked in LOCALES:
        g.locale = asked
    # ``d``: the departments just rated (ids, from the quarterly survey's redirect), for what
    # the extension point ``respond.thanks`` adds ("you said, we did"); anything else ignored.
    rated = [int(v) for v in request.args.getlist("d")[:50] if v.isdigit() and len(v) < 10]
    extras = hooks.gather("respond.thanks", get_session(), rated)
    k = min_group_size(current_app.config)
    # ``named``: a comment went with the respondent's name (they asked to be contacted), so
    # the page does not call their answers anonymous. Only the wording depends on it.
    named = request.args.get("named") == "1"
    return render_template("respond/thanks.html", group_size=k, named=named, **extras)


@bp.route("/<token>/stop", methods=["GET", "POST"])
@limit_link_pages
def stop(token: str) -> View:
    """Opt out of every future survey. The GET only asks; the POST records it. Works from any
    link the person received, answered or not, so an old email is enough."""
    db = get_session()
    found = look_up_link(db, token)
    person = db.get(Person, found.link.person_id) if found.link is not None else None
    if person is None:
        return _closed_page(LinkState.UNKNOWN)
    choose_locale(person.locale)
    if request.method == "POST":
        if not csrf_ok():
            return render_template("respond/stop.html", done=False, expired=True), 400
        opt_out(db, person)
        db.commit()
        return render_template("respond/stop.html", done=True, expired=False)
    return render_template("respond/stop.html", done=person.opted_out, expired=False)
