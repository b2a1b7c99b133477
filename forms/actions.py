"""The action plan form. No database: the views pass the target, owner and status choices in
(target values ``dimension:<code>``, ``component:<T|R|C>``, ``customer:<department id>``;
owners as user ids, "" for none) and the services check them again."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import DateField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Length, Optional

from forms.base import InCalendar, OptionalChoice, SafeForm


class ActionForm(SafeForm):
    title = StringField(_l("What will you do?"), validators=[DataRequired(), Length(max=160)])
    description = TextAreaField(_l("Details"), validators=[Optional(), Length(max=4000)])
    target = SelectField(_l("What it answers"), validators=[InputRequired()])
    owner_name = StringField(_l("Owner (name)"), validators=[Optional(), Length(max=160)])
    owner_user = SelectField(_l("Owner (account)"), validators=[OptionalChoice()])
    due_on = DateField(_l("Due date"), validators=[Optional(), InCalendar()])
    status = SelectField(_l("Status"), validators=[InputRequired()])
    public_summary = TextAreaField(_l("Public summary"), validators=[Optional(), Length(max=280)])
    # Optional translations: left empty, readers of that language see the text above.
    title_it = StringField(_l("Title in Italian"), validators=[Optional(), Length(max=160)])
    title_fr = StringField(_l("Title in French"), validators=[Optional(), Length(max=160)])
    public_summary_it = TextAreaField(
        _l("Public summary in Italian"), validators=[Optional(), Length(max=280)]
    )
    public_summary_fr = TextAreaField(
        _l("Public summary in French"), validators=[Optional(), Length(max=280)]
    )


class StatusForm(SafeForm):
    status = SelectField(_l("Status"), validators=[InputRequired()])
