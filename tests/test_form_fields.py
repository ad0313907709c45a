"""{% fields %}, {% field %} and {% choice_field %}: every form's labels, help and errors."""

import re

from django import forms
from django.template import engines

HOSTILE = '"><script>alert(1)</script>'


class Sample(forms.Form):
    title = forms.CharField(label=f"Title {HOSTILE}", help_text=f"Shown {HOSTILE}", max_length=5)
    stance = forms.ChoiceField(
        choices=[("supports", "Supports"), ("contradicts", f"Contradicts {HOSTILE}")],
        widget=forms.RadioSelect,
    )
    token = forms.CharField(widget=forms.HiddenInput, required=False)


def drawn(template: str, form: forms.Form) -> str:
    source = "{% load form_fields %}" + template
    return engines["django"].from_string(source).render({"form": form})


def test_a_field_has_its_label_widget_and_help_text_with_every_value_escaped():
    html = drawn("{% field form.title %}", Sample())
    assert '<p class="field">' in html
    assert '<label for="id_title">Title &quot;&gt;&lt;script&gt;' in html
    assert '<input type="text" name="title" maxlength="5"' in html
    assert 'aria-describedby="id_title_helptext"' in html
    assert '<small class="help" id="id_title_helptext">Shown &quot;&gt;&lt;script&gt;' in html
    assert "<script>" not in html


def test_errors_are_in_the_element_the_widget_is_described_by():
    form = Sample({"title": "far too long", "stance": "neither"})
    assert not form.is_valid()
    html = drawn("{% fields form %}", form)
    for name in ("title", "stance"):
        # An input is described on itself, a group of radio buttons on its fieldset.
        widget = rf'name="{name}"[^>]*' if name == "title" else r"<fieldset [^>]*"
        described = re.search(widget + r'aria-describedby="([^"]+)"', html)
        assert described, name
        ids = described.group(1).split()
        assert f"id_{name}_error" in ids
        errors = re.search(rf'<span id="id_{name}_error">(.*?)</span>', html)
        assert errors and '<strong class="error" role="alert">' in errors.group(1)
    assert html.count('class="field has-errors"') == 1
    assert html.count('class="field choices has-errors"') == 1


def test_radio_buttons_are_a_fieldset_whose_legend_is_the_label():
    html = drawn("{% choice_field form.stance %}", Sample())
    assert "<legend>Stance</legend>" in html
    assert '<input type="radio" name="stance" value="supports"' in html
    assert "Contradicts &quot;&gt;&lt;script&gt;" in html and "<script>" not in html


def test_fields_draws_a_hidden_field_bare_and_a_list_of_bound_fields_in_order():
    form = Sample()
    html = drawn("{% fields form %}", form)
    assert '<input type="hidden" name="token" id="id_token">' in html
    assert '<label for="id_token">' not in html
    assert html.index('name="title"') < html.index('name="stance"') < html.index('name="token"')
    only_title = engines["django"].from_string("{% load form_fields %}{% fields chosen %}")
    assert 'name="stance"' not in only_title.render({"chosen": [form["title"]]})
