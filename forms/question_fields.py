"""The form field of each question type: one class per type that is a field of the respondent
forms (``QUESTION_FIELDS``) or an item of the quiz form (``QUIZ_FIELDS``), named and keyed
(``code``) like its class in ``survey/question_types.py``.

That registry holds how a type's answer is stored and scored and its admin label; this module
holds the form half (which WTForms field, its choices, how the entered value becomes the stored
one), since ``forms/`` imports nothing of ``survey`` and no service imports ``forms/``.
``tests/test_question_types.py`` proves the two halves cover the same types and that every
choice lies in the stored range. No database here.

Each class also reads a submitted value without building the form (``plain``): the common case
of a value the field takes as it is (one of its choices, an optional question left out, a text
within bounds) becomes the stored answer at once; anything else is left to the field
(``UNSURE``), whose validators decide and word the refusal. ``tests/test_survey_form.py`` proves
that what ``plain`` takes the field takes too, to the same stored value.

Stored values: likert5 1..5 and nps 0..10 as integers; yes_no 1 / 0 / None for "don't know";
text as a stripped string (None when empty); consent 1 / 0. Quiz items: a statement 1..5
(never .. always), a scenario the 0-based index of the chosen option.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, ClassVar, Protocol

from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, Field, RadioField, SelectChoice, TextAreaField
from wtforms.validators import InputRequired, Length, Optional, ValidationError

MAX_COMMENT = 5000

# The stock field's message, translated by the form library's own catalogs (through the
# field's ``gettext``), so kept out of this project's.
_NOT_A_CHOICE = "Not a valid choice."


class Spec(Protocol):
    """What a field needs of a question (``forms.survey.QuestionSpec``)."""

    prompt: str
    help: str
    labels: Sequence[str]
    required: bool


class ChoiceField(RadioField):
    """A radio group whose choice check is one set lookup: the stock check builds and compares
    every choice of every group on each submit. Same rule: the submitted value must be one of
    the choices' values (a missing answer is left to the field's validators)."""

    def pre_validate(self, form: Any) -> None:
        if self.process_errors or not self.validate_choice:
            return
        if self.data not in {str(choice.value) for choice in self.choices or ()}:
            raise ValidationError(self.invalid_choice_message or self.gettext(_NOT_A_CHOICE))


UNSURE: Any = object()
"""What ``QuestionField.plain`` returns for a value it leaves to the field to judge."""

QUESTION_FIELDS: dict[str, type[QuestionField]] = {}
"""The field class of every question type on the respondent forms, by type code."""


class QuestionField:
    """The form half of one question type; subclasses set ``code`` and register themselves."""

    code: ClassVar[str]

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        if "code" in cls.__dict__:  # a concrete type, not a shared base
            if cls.code in QUESTION_FIELDS:
                raise ValueError(f"question field {cls.code!r} is registered twice")
            QUESTION_FIELDS[cls.code] = cls

    @classmethod
    def field(cls, spec: Spec) -> Field:
        """The unbound WTForms field asking ``spec``."""
        raise NotImplementedError

    @classmethod
    def stored(cls, raw: Any) -> Any:
        """The entered value (as the field holds it) in storage form; None for no answer:
        blank (spaces too: the optional check strips them) or "don't know"."""
        if raw is None or str(raw).strip() in ("", "None", "dk"):
            return None
        return int(raw)

    @classmethod
    def plain(cls, sent: Sequence[str], spec: Spec) -> Any:
        """The stored answer when ``sent`` (the values submitted under the question's name) is
        one the field takes as it is; ``UNSURE`` for anything the field itself should judge,
        which is every value of a type that does not say otherwise."""
        return UNSURE


def _answer_validators(spec: Spec) -> list[Any]:
    if spec.required:
        return [InputRequired(message=_l("Please choose an answer."))]
    return [Optional()]


class _Choices(QuestionField):
    """A radio group: one value of ``values()`` or, unless the question is required, none."""

    @classmethod
    def values(cls) -> tuple[str, ...]:
        """The submitted value of every choice, in the order shown."""
        raise NotImplementedError

    @classmethod
    def plain(cls, sent: Sequence[str], spec: Spec) -> Any:
        if len(sent) > 1:
            return UNSURE
        value = sent[0] if sent else ""
        if value == "":
            return UNSURE if spec.required else None
        return cls.stored(value) if value in cls.values() else UNSURE


class _Scale(_Choices):
    """Radio buttons for every integer from ``low`` to ``high``, each with the question's label
    for that point where it has one."""

    low: ClassVar[int]
    high: ClassVar[int]

    @classmethod
    def values(cls) -> tuple[str, ...]:
        return tuple(str(value) for value in range(cls.low, cls.high + 1))

    @classmethod
    def field(cls, spec: Spec) -> Field:
        labels = list(spec.labels)
        choices = []
        for index, value in enumerate(cls.values()):
            label = value
            if index < len(labels) and labels[index]:
                label = f"{value} – {labels[index]}"
            choices.append(SelectChoice(value, label))
        return ChoiceField(
            spec.prompt, choices=choices, validators=_answer_validators(spec), description=spec.help
        )


class Likert5(_Scale):
    code = "likert5"
    low, high = 1, 5


class Nps(_Scale):
    code = "nps"
    low, high = 0, 10


class YesNo(_Choices):
    """Yes (1), no (0), or "I don't know" (no answer)."""

    code = "yes_no"

    @classmethod
    def values(cls) -> tuple[str, ...]:
        return ("1", "0", "dk")

    @classmethod
    def field(cls, spec: Spec) -> Field:
        yes, no, dont_know = cls.values()
        choices = [
            SelectChoice(yes, _l("Yes")),
            SelectChoice(no, _l("No")),
            SelectChoice(dont_know, _l("I don't know")),
        ]
        return ChoiceField(
            spec.prompt, choices=choices, validators=_answer_validators(spec), description=spec.help
        )


class Text(QuestionField):
    """A text box of at most ``MAX_COMMENT`` characters."""

    code = "text"

    @classmethod
    def field(cls, spec: Spec) -> Field:
        return TextAreaField(
            spec.prompt,
            validators=[Optional(), Length(max=MAX_COMMENT)],
            description=spec.help,
            render_kw={"maxlength": MAX_COMMENT, "rows": 4},
        )

    @classmethod
    def stored(cls, raw: Any) -> Any:
        return (raw or "").strip() or None

    @classmethod
    def plain(cls, sent: Sequence[str], spec: Spec) -> Any:
        if len(sent) > 1:
            return UNSURE
        value = sent[0] if sent else ""
        if len(value) > MAX_COMMENT or "\x00" in value:
            return UNSURE
        return cls.stored(value)


class Consent(QuestionField):
    """A tick box: 1 ticked, 0 not."""

    code = "consent"

    @classmethod
    def field(cls, spec: Spec) -> Field:
        return BooleanField(spec.prompt, description=spec.help)

    @classmethod
    def stored(cls, raw: Any) -> Any:
        return 1 if raw else 0

    @classmethod
    def plain(cls, sent: Sequence[str], spec: Spec) -> Any:
        if len(sent) > 1 or (sent and "\x00" in sent[0]):
            return UNSURE
        return cls.stored(bool(sent) and sent[0] not in BooleanField.false_values)


QUIZ_FIELDS: dict[str, type[QuizItemField]] = {}
"""The field class of every question type that is an item of the quiz form, by type code."""


class QuizSpec(Protocol):
    """What a quiz field needs of an item (``forms.quiz.QuizItemSpec``)."""

    prompt: str
    options: Sequence[str]
    help: str


class QuizItemField:
    """The form half of one quiz item type: a required radio group. ``layout`` is how its
    choices are laid out on the page (``scale`` in a row, ``choices`` one under another)."""

    code: ClassVar[str]
    layout: ClassVar[str]

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        if cls.code in QUIZ_FIELDS:
            raise ValueError(f"quiz field {cls.code!r} is registered twice")
        QUIZ_FIELDS[cls.code] = cls

    @classmethod
    def choices(cls, spec: QuizSpec) -> list[SelectChoice]:
        raise NotImplementedError

    @classmethod
    def field(cls, spec: QuizSpec) -> RadioField:
        """The unbound radio group asking ``spec``; an answer is required."""
        return RadioField(
            spec.prompt,
            choices=cls.choices(spec),
            validators=[InputRequired(message=_l("Please choose an answer."))],
            description=spec.help,
        )


class Frequency5(QuizItemField):
    """A statement rated 1 never .. 5 always; ``options`` are the five scale labels (the
    numbers when there are none)."""

    code = "frequency5"
    layout = "scale"

    @classmethod
    def choices(cls, spec: QuizSpec) -> list[SelectChoice]:
        labels = list(spec.options) or ["1", "2", "3", "4", "5"]
        return [SelectChoice(str(v), labels[v - 1]) for v in range(1, 6)]


class Scenario(QuizItemField):
    """A situation: one choice per option, valued by its 0-based index."""

    code = "scenario"
    layout = "choices"

    @classmethod
    def choices(cls, spec: QuizSpec) -> list[SelectChoice]:
        return [SelectChoice(str(i), text) for i, text in enumerate(spec.options)]


def quiz_field(kind: str) -> type[QuizItemField]:
    """The quiz field class of a question type; ValueError when it is not a quiz item."""
    try:
        return QUIZ_FIELDS[kind]
    except KeyError:
        raise ValueError(f"item type {kind!r} has no quiz field") from None


def question_field(qtype: str) -> type[QuestionField]:
    """The field class of a question type; ValueError when the type is not on the forms."""
    try:
        return QUESTION_FIELDS[qtype]
    except KeyError:
        raise ValueError(f"question type {qtype!r} has no survey field") from None
