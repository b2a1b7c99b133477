"""The quarterly survey's sections, one per department the respondent rates: which section to
show, whether a saved section is complete, and what one posted step (next, back, save,
submit) does to the draft. No database and no request here: the view reads the draft and the
posted form, calls ``step``, then saves the draft, commits and renders what it returns.

A draft is ``{"sections": {provider_id (str): raw form values}}`` (``SurveyForm.raw``); a
section with ``not_applicable`` ticked is "I did not deal with them this quarter".
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from werkzeug.datastructures import MultiDict

from forms.survey import QuestionSpec, SurveyForm, make_survey_form


def section_index(raw: str | None, count: int, default: int) -> int:
    """The section a request names (``raw``, a number), kept within the ``count`` sections;
    ``default`` when it names none or is not a number."""
    try:
        return min(max(int(raw or default), 0), count - 1)
    except ValueError:
        return default


def section_form(specs: Sequence[QuestionSpec], raw: dict[str, Any] | None) -> SurveyForm:
    """The form of a section as saved (``raw``), to show; blank when nothing was saved."""
    return make_survey_form(specs, data=raw or None, with_not_applicable=True)


def saved_form(specs: Sequence[QuestionSpec], raw: dict[str, Any]) -> SurveyForm:
    """A section's saved raw values, replayed as if posted, ready to validate."""
    values = MultiDict({k: v for k, v in raw.items() if v not in (None, False, "")})
    return make_survey_form(specs, formdata=values, with_not_applicable=True)


def section_complete(specs: Sequence[QuestionSpec], raw: dict[str, Any] | None) -> bool:
    """Whether a saved section may be submitted: "did not deal with them", or every answer
    valid (required ones given)."""
    if raw is None:
        return False
    return bool(raw.get("not_applicable")) or saved_form(specs, raw).validate()


def first_open_section(
    draft: dict[str, Any], provider_ids: list[int], specs: Sequence[QuestionSpec]
) -> int:
    """Where a returning respondent continues: the first section not complete (never saved,
    or saved half-answered); the last one when all are."""
    sections = draft.get("sections", {})
    for index, pid in enumerate(provider_ids):
        if not section_complete(specs, sections.get(str(pid))):
            return index
    return max(len(provider_ids) - 1, 0)


@dataclass
class Step:
    """What one posted step leads to. ``outcome``: ``"show"`` the section ``index`` (with
    ``status``; ``form`` the posted one when it is shown again with its errors), ``"saved"``
    (save and finish later), or ``"submit"`` (every section complete: ``answers`` by provider
    id, in storage form, sections "did not deal with them" left out). ``keep``: the section was
    written into the draft, which the caller must save; a refused section is never kept."""

    outcome: str
    index: int = 0
    status: int = 200
    form: SurveyForm | None = None
    keep: bool = True
    incomplete: bool = False
    answers: dict[int, dict[str, Any]] = field(default_factory=dict)


def step(
    specs: Sequence[QuestionSpec],
    draft: dict[str, Any],
    provider_ids: list[int],
    index: int,
    action: str,
    form: SurveyForm,
) -> Step:
    """Apply one posted section (``form``, of section ``index``) with ``action`` to ``draft``
    (changed in place when the section is kept).

    Every section is validated before it is kept, whatever the action: "I did not deal with
    them", "back" and "save and finish later" keep a half-answered section, but a value that is
    actually wrong (not merely missing: too long, a NUL, not a choice) sends the form back, so
    no draft holds what a submit would refuse. An unknown action counts as "next"."""
    sections: dict[str, Any] = draft.setdefault("sections", {})
    skipping = bool(form["not_applicable"].data)
    valid = form.validate()
    wrong = [f for f in form if f.errors and f.data not in (None, "", False)]
    if wrong or (not valid and action not in ("save", "back") and not skipping):
        return Step("show", index, 422, form=form, keep=False)
    sections[str(provider_ids[index])] = form.raw()
    if action == "save":
        return Step("saved")
    if action == "back":
        return Step("show", max(index - 1, 0))
    if action == "submit":
        missing = [
            i
            for i, pid in enumerate(provider_ids)
            if not section_complete(specs, sections.get(str(pid)))
        ]
        if missing:
            return Step("show", missing[0], 422, incomplete=True)
        answers = {}
        for pid in provider_ids:
            raw = sections[str(pid)]
            if raw.get("not_applicable"):
                continue
            checked = saved_form(specs, raw)
            checked.validate()
            answers[pid] = checked.answers()
        return Step("submit", answers=answers)
    return Step("show", min(index + 1, len(provider_ids) - 1))
