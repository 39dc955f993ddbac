"""The inbox's action forms (flask-wtf): what sales may post about a lead, checked for shape.

The rules themselves (which codes, which members, what a verdict does) live in
app.sales.actions and app.qualify.dispositions; these only parse and keep what was typed.
"""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import RadioField, SelectField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length, Optional

from app.qualify.dispositions import DISPOSITION_CODES, DISPOSITION_LABELS
from app.sales.actions import NOTE_MAX

NOTE_HELP = f"At most {NOTE_MAX} characters."


class AcceptForm(FlaskForm):
    """Accept: only the CSRF token."""


class RejectForm(FlaskForm):
    code = SelectField(
        "Reason",
        choices=[SelectChoice("", "Choose a reason…"),
                 *(SelectChoice(code, DISPOSITION_LABELS[code]) for code in DISPOSITION_CODES)],
        validators=[DataRequired("Choose why you reject this lead.")],
        validate_choice=False,  # app.sales.actions says which codes exist, in words
    )
    note = TextAreaField("Note", validators=[
        Optional(), Length(max=NOTE_MAX, message=f"The note is too long: at most {NOTE_MAX} "
                           "characters.")])


class ReassignForm(FlaskForm):
    owner = SelectField("New owner", validators=[DataRequired("Choose who takes the lead.")],
                        validate_choice=False)  # the service checks membership


class ContactedForm(FlaskForm):
    note = TextAreaField("What happened (optional)", validators=[
        Optional(), Length(max=NOTE_MAX, message=f"The note is too long: at most {NOTE_MAX} "
                           "characters.")])


class OutcomeForm(FlaskForm):
    outcome = RadioField("Outcome",
                         choices=[SelectChoice("won", "Won"), SelectChoice("lost", "Lost")],
                         validators=[DataRequired("Choose won or lost.")],
                         validate_choice=False)
    note = TextAreaField("Note (optional)", validators=[
        Optional(), Length(max=NOTE_MAX, message=f"The note is too long: at most {NOTE_MAX} "
                           "characters.")])


ACTION_FORMS: dict[str, type[FlaskForm]] = {
    "accept": AcceptForm,
    "reject": RejectForm,
    "reassign": ReassignForm,
    "contacted": ContactedForm,
    "outcome": OutcomeForm,
}
