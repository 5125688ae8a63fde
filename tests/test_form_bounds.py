"""Every field of every form is bounded before its value reaches the database (core.bounds):
text has a maximum length, whole numbers a range inside PostgreSQL's INTEGER, dates a range
of days around today. A new form with an unbounded field fails here."""

import pytest
from flask_wtf import FlaskForm
from wtforms import DateField, IntegerField
from wtforms.fields import (
    EmailField,
    HiddenField,
    PasswordField,
    SearchField,
    StringField,
    TelField,
    TextAreaField,
)
from wtforms.fields.core import UnboundField
from wtforms.validators import Length, NumberRange

from core.bounds import INT_MAX, DayWithinRange

TEXT = (StringField, TextAreaField, EmailField, PasswordField, HiddenField, SearchField, TelField)


def _all_forms(app):
    seen, todo = [], list(FlaskForm.__subclasses__())
    while todo:
        form = todo.pop()
        if form.__module__.startswith(("flask_wtf", "wtforms")) or form in seen:
            continue
        seen.append(form)
        todo.extend(form.__subclasses__())
    return sorted(seen, key=lambda f: f"{f.__module__}.{f.__qualname__}")


def _fields(form):
    for name in dir(form):
        value = getattr(form, name, None)
        if isinstance(value, UnboundField):
            yield name, value


def _validators(field: UnboundField):
    return list(field.kwargs.get("validators") or (field.args[1] if len(field.args) > 1 else []))


def _problem(field: UnboundField) -> str | None:
    kind, checks = field.field_class, _validators(field)
    if issubclass(kind, TEXT):
        lengths = [v for v in checks if isinstance(v, Length) and v.max not in (None, -1)]
        if not lengths:
            return "text without Length(max=…)"
    elif issubclass(kind, IntegerField):
        ranges = [v for v in checks if isinstance(v, NumberRange)]
        if not any(
            r.min is not None and r.max is not None and -INT_MAX - 1 <= r.min <= r.max <= INT_MAX
            for r in ranges
        ):
            return "whole number without NumberRange(min, max) inside INTEGER"
    elif issubclass(kind, DateField) and not any(isinstance(v, DayWithinRange) for v in checks):
        return "date without DayWithinRange"
    return None


def test_every_form_field_is_bounded(app):
    forms = _all_forms(app)
    assert len(forms) > 10, "the forms were not found"
    problems = [
        f"{form.__module__}.{form.__qualname__}.{name}: {problem}"
        for form in forms
        for name, field in _fields(form)
        if (problem := _problem(field))
    ]
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize(
    ("text", "expected"),
    [("42", 42), ("  7 ", 7), ("-1", None), ("²", None), ("9" * 400, INT_MAX), ("", None)],
)
def test_number_arg(text, expected):
    from core.bounds import number_arg

    assert number_arg(text) == expected
