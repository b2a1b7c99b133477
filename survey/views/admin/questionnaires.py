"""Admin: questionnaires and the wording of their questions in three languages.

A question with answers is retired, never deleted, so quarters stay comparable; once the
questionnaire has any answer, every question is (``services.questionnaires.remove_question``).
The page shows no answer count per question.
"""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from sqlalchemy import select
from werkzeug.wrappers import Response as WerkzeugResponse
from wtforms import SelectChoice

from forms.delivery import NewQuestionForm, QuestionTextsForm, ScaleQuestionTextsForm, scale_words
from survey.db import get_session
from survey.i18n import LOCALES
from survey.models import Question, Questionnaire
from survey.question_types import ADMIN_TYPES, CODES, QUESTION_TYPES, Likert5
from survey.services.audit import created, diff, snapshot, target_of
from survey.services.questionnaires import (
    add_question,
    move_question,
    place_of,
    questionnaire_answered,
    remove_question,
    update_question_texts,
)
from survey.views.admin import bp
from survey.views.admin.common import audit


def _texts_from(form: QuestionTextsForm, question: Question | None = None) -> dict[str, dict]:
    texts: dict[str, dict] = {}
    for loc in LOCALES:
        entry = dict((question.texts.get(loc) or {}) if question else {})
        entry["prompt"] = (getattr(form, f"prompt_{loc}").data or "").strip()
        entry["help"] = (getattr(form, f"help_{loc}").data or "").strip()
        words = getattr(form, f"labels_{loc}", None)
        if words is not None and words.data is not None:  # absent from the post: kept
            entry["labels"] = scale_words(words.data, form.points)
        texts[loc] = entry
    return texts


def _texts_form(question: Question) -> QuestionTextsForm:
    """The wording form of ``question``: with the words of its points when its type has a
    worded scale (``QuestionType.worded_scale``)."""
    kind = QUESTION_TYPES[question.qtype]
    if not kind.worded_scale:
        return QuestionTextsForm()
    form = ScaleQuestionTextsForm()
    form.points = kind.points()
    return form


def _questionnaire_or_404(questionnaire_id: int) -> Questionnaire:
    questionnaire = get_session().get(Questionnaire, questionnaire_id)
    if questionnaire is None or questionnaire.kind == "quiz":
        abort(404)
    return questionnaire


def question_types(codes: tuple[str, ...] = ADMIN_TYPES) -> dict[str, str]:
    """Each of ``codes`` (by default the types an administrator may add) in words, in the
    reader's language (the codes stay in the data)."""
    return {code: str(QUESTION_TYPES[code].admin_label) for code in codes}


@bp.context_processor
def _question_type_words() -> dict[str, object]:
    """``question_type(code)``: any registered type in words (a code the registry does not
    know, which the database's check forbids, would show as itself)."""
    return {"question_type": lambda code: question_types(CODES).get(code, code)}


@bp.get("/questionnaires")
def questionnaires() -> str:
    db = get_session()
    items = list(
        db.scalars(
            select(Questionnaire)
            .where(Questionnaire.kind != "quiz")
            .order_by(Questionnaire.kind, Questionnaire.name)
        )
    )
    return render_template("admin/questionnaires.html", questionnaires=items)


@bp.route("/questionnaires/<int:questionnaire_id>", methods=["GET", "POST"])
def questionnaire_detail(questionnaire_id: int) -> str | WerkzeugResponse:
    db = get_session()
    questionnaire = _questionnaire_or_404(questionnaire_id)
    form = NewQuestionForm()
    form.qtype.choices = [SelectChoice(code, label) for code, label in question_types().items()]
    status = 200
    if request.method == "POST":
        if form.validate_on_submit():
            try:
                question = add_question(
                    db,
                    questionnaire,
                    code=form.code.data or "",
                    qtype=form.qtype.data or Likert5.code,
                    texts=_texts_from(form),
                    required=bool(form.required.data),
                )
            except ValueError:
                db.rollback()
                form.code.errors = [_("A question in use already has this code.")]
                status = 422
            else:
                audit(
                    "create",
                    question,
                    created(snapshot(question)),
                )
                db.commit()
                flash(_("Question added."), "success")
                return redirect(
                    url_for("admin.questionnaire_detail", questionnaire_id=questionnaire_id)
                )
        else:
            status = 422
    # No answer count per question: read before and after a known person answers, it would
    # tell which questions they answered. Only whether the questionnaire has answers at all.
    answered = questionnaire_answered(db, questionnaire.id)
    return render_template(
        "admin/questionnaire_detail.html",
        questionnaire=questionnaire,
        answered=answered,
        form=form,
    ), status  # type: ignore[return-value]


@bp.route("/questions/<int:question_id>", methods=["GET", "POST"])
def question_edit(question_id: int) -> str | WerkzeugResponse:
    db = get_session()
    question = db.get(Question, question_id)
    if question is None or question.questionnaire.kind == "quiz":
        abort(404)
    form = _texts_form(question)
    if request.method == "GET":
        for loc in LOCALES:
            getattr(form, f"prompt_{loc}").data = question.text(loc)
            getattr(form, f"help_{loc}").data = question.text(loc, "help")
            if isinstance(form, ScaleQuestionTextsForm):
                words = (question.texts.get(loc) or {}).get("labels") or []
                getattr(form, f"labels_{loc}").data = "\n".join(words)
    if form.validate_on_submit():
        before = snapshot(question, "texts")
        update_question_texts(db, question, _texts_from(form, question))
        audit("edit", question, diff(before, snapshot(question, "texts")))
        db.commit()
        flash(_("Wording saved."), "success")
        return redirect(
            url_for("admin.questionnaire_detail", questionnaire_id=question.questionnaire_id)
        )
    status = 422 if request.method == "POST" else 200
    return render_template("admin/question_form.html", form=form, question=question), status  # type: ignore[return-value]


@bp.post("/questions/<int:question_id>/move")
def question_move(question_id: int) -> WerkzeugResponse:
    """One place up or down (``direction``) among the live questions: the order respondents
    see. History is untouched (answers are keyed by question)."""
    db = get_session()
    question = db.get(Question, question_id)
    if question is None or question.questionnaire.kind == "quiz":
        abort(404)
    offset = {"up": -1, "down": 1}.get(request.form.get("direction", ""))
    if offset is None:
        abort(400)
    back = url_for("admin.questionnaire_detail", questionnaire_id=question.questionnaire_id)
    if question.retired_at is not None:
        flash(_("A retired question is no longer asked: it has no place to move to."), "info")
        return redirect(back)
    before = place_of(question)
    if move_question(db, question, offset):
        audit("move", question, {"place": [before, place_of(question)]})
        db.commit()
    else:
        flash(_("This question is already at that end."), "info")
    return redirect(f"{back}#question-{question_id}")


@bp.post("/questions/<int:question_id>/remove")
def question_remove(question_id: int) -> WerkzeugResponse:
    db = get_session()
    question = db.get(Question, question_id)
    if question is None or question.questionnaire.kind == "quiz":
        abort(404)
    questionnaire_id = question.questionnaire_id
    if question.retired_at is not None:
        flash(_("This question is already retired."), "info")
    elif question.required and question.code == "overall":
        flash(_("Overall satisfaction feeds the scores and cannot be removed."), "error")
    else:
        target = target_of(question)
        outcome = remove_question(db, question)
        audit("retire" if outcome == "retired" else "delete", target)
        db.commit()
        flash(
            _("Question retired: its answers stay in the history.")
            if outcome == "retired"
            else _("Question deleted."),
            "success",
        )
    return redirect(url_for("admin.questionnaire_detail", questionnaire_id=questionnaire_id))
