"""The Python widget renderer draws exactly what Django's widget templates draw."""

import datetime

import pytest
from django import forms
from django.conf import settings
from django.forms.renderers import DjangoTemplates
from django.utils.safestring import mark_safe

from claims.models import Rating
from lib.widgets import DRAWN, ShortModelChoiceField, WidgetsInPython

HOSTILE = '"><script>alert(1)</script>&amp;'


class EveryWidget(forms.Form):
    text = forms.CharField(
        widget=forms.TextInput(attrs={"placeholder": HOSTILE, "autofocus": True})
    )
    hidden = forms.CharField(widget=forms.HiddenInput)
    email = forms.EmailField(required=False)
    url = forms.URLField(required=False, help_text="A link")
    number = forms.IntegerField(required=False, min_value=0)
    secret = forms.CharField(widget=forms.PasswordInput, required=False)
    day = forms.DateField(widget=forms.DateInput(attrs={"type": "date"}), required=False)
    when = forms.DateTimeField(required=False)
    hour = forms.TimeField(required=False)
    flag = forms.BooleanField(required=False)
    body = forms.CharField(widget=forms.Textarea(attrs={"rows": 3, "disabled": False}))
    choice = forms.ChoiceField(
        choices=[("", "—"), ("a", "A & B"), (HOSTILE, mark_safe("<b>safe</b>"))]
    )
    grouped = forms.ChoiceField(
        choices=[("Fruit", [("apple", "Apple"), ("pear", "Pear")]), ("other", "Other")]
    )
    many = forms.MultipleChoiceField(choices=[("x", "X"), ("y", "Y")], required=False)
    stance = forms.ChoiceField(
        choices=[("s", "Supports"), ("c", "Contradicts")], widget=forms.RadioSelect
    )
    boxes = forms.MultipleChoiceField(
        choices=[("p", "P"), ("q", HOSTILE)], widget=forms.CheckboxSelectMultiple, required=False
    )


DATA = {
    "text": HOSTILE,
    "hidden": "h",
    "email": "a@example.org",
    "url": "https://example.org/?a=1&b=2",
    "number": "3",
    "day": "2026-11-30",
    "when": "2026-11-30 10:00",
    "hour": "10:00",
    "flag": "on",
    "body": "first line\n<second> & third",
    "choice": HOSTILE,
    "grouped": "pear",
    "many": ["y"],
    "stance": "c",
    "boxes": ["p", "q"],
}


def drawn_by(renderer, form_kwargs) -> dict[str, str]:
    form = EveryWidget(renderer=renderer, **form_kwargs)
    drawn = {name: str(form[name]) for name in form.fields}
    drawn["stance options"] = "".join(choice.tag() for choice in form["stance"])
    drawn["stance labels"] = "".join(str(choice) for choice in form["stance"])
    return drawn


@pytest.mark.parametrize(
    "form_kwargs",
    [{}, {"data": DATA}, {"initial": {"day": datetime.date(2026, 1, 2), "text": 5}}, {"data": {}}],
    ids=["unbound", "bound", "initial", "bound-empty"],
)
def test_every_widget_is_drawn_as_django_draws_it(form_kwargs):
    ours = drawn_by(WidgetsInPython(), form_kwargs)
    djangos = drawn_by(DjangoTemplates(), form_kwargs)
    for name, html in djangos.items():
        assert ours[name] == html, name


def test_hostile_values_are_escaped():
    html = str(EveryWidget(renderer=WidgetsInPython(), data=DATA)["text"])
    assert "<script>" not in html
    assert "&quot;&gt;&lt;script&gt;" in html


def test_the_project_draws_with_it_and_leaves_the_rest_to_django():
    assert settings.FORM_RENDERER == "lib.widgets.WidgetsInPython"
    file_field = forms.FileField(required=False).widget
    html = file_field.render("upload", None, renderer=WidgetsInPython())
    assert 'type="file"' in html
    assert "django/forms/widgets/clearable_file_input.html" not in DRAWN


class RatingChoices(forms.Form):
    stock = forms.ModelChoiceField(queryset=Rating.objects.all(), empty_label="Any verdict")
    short = ShortModelChoiceField(queryset=Rating.objects.all(), empty_label="Any verdict")
    required = ShortModelChoiceField(queryset=Rating.objects.all(), empty_label=None)


@pytest.mark.django_db
@pytest.mark.parametrize("data", [None, {"stock": "2", "short": "2", "required": "2"}])
def test_short_model_choices_are_djangos_in_one_plain_query(data, django_assert_num_queries):
    form = RatingChoices(data)
    stock = str(form["stock"]).replace("stock", "field")
    with django_assert_num_queries(1) as captured:
        short = str(form["short"]).replace("short", "field")
    assert short == stock and "Any verdict" in short
    # Not QuerySet.iterator(): on PostgreSQL that is a server-side cursor for a dozen rows.
    assert "DECLARE" not in captured.captured_queries[0]["sql"]
    assert str(form["required"]).count("<option") == Rating.objects.count()
