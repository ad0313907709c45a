"""Form widgets drawn in Python, with the very markup of Django's widget templates.

Django draws each widget through a template, and each of its attributes and options through
another: the claims list's filter form took about 60 template renders and 4 ms a request. The
renderer here draws the common widgets (inputs, textareas, selects, radios, checkboxes) with a
few string joins, and hands every other template to Django's. `tests/test_widgets.py` holds the
two to the same output.
"""

from collections.abc import Callable

from django import forms
from django.forms.models import ModelChoiceIterator
from django.forms.renderers import DjangoTemplates
from django.utils.html import conditional_escape
from django.utils.safestring import SafeString, mark_safe


def _attrs(attrs: dict) -> str:
    # As attrs.html: False leaves the attribute out, True writes its name alone.
    return "".join(
        f" {conditional_escape(name)}"
        if value is True
        else f' {conditional_escape(name)}="{conditional_escape(value)}"'
        for name, value in attrs.items()
        if value is not False
    )


def _input(widget: dict) -> str:
    value = widget["value"]
    shown = "" if value is None else f' value="{conditional_escape(value)}"'
    return (
        f'<input type="{conditional_escape(widget["type"])}" '
        f'name="{conditional_escape(widget["name"])}"{shown}{_attrs(widget["attrs"])}>\n'
    )


def _input_option(widget: dict) -> str:
    if not widget.get("wrap_label"):
        return _input(widget) + "\n"
    label_id = widget["attrs"].get("id")
    label_for = f' for="{conditional_escape(label_id)}"' if label_id else ""
    return f"<label{label_for}>{_input(widget)} {conditional_escape(widget['label'])}</label>\n"


def _choice_option(widget: dict) -> str:
    return _input_option(widget) + "\n"


def _select_option(widget: dict) -> str:
    return (
        f'<option value="{conditional_escape(widget["value"])}"{_attrs(widget["attrs"])}>'
        f"{conditional_escape(widget['label'])}</option>\n"
    )


def _option(option: dict) -> str:
    return OPTIONS[option["template_name"]](option)


def _select(widget: dict) -> str:
    parts = [f'<select name="{conditional_escape(widget["name"])}"{_attrs(widget["attrs"])}>']
    for group_name, options, _index in widget["optgroups"]:
        if group_name:
            parts.append(f'\n  <optgroup label="{conditional_escape(group_name)}">')
        parts.extend(f"\n  {_option(option)}" for option in options)
        if group_name:
            parts.append("\n  </optgroup>")
    parts.append("\n</select>\n")
    return "".join(parts)


def _multiple_input(widget: dict) -> str:
    box_id, box_class = widget["attrs"].get("id"), widget["attrs"].get("class")
    parts = [
        "<div",
        f' id="{conditional_escape(box_id)}"' if box_id else "",
        f' class="{conditional_escape(box_class)}"' if box_class else "",
        ">",
    ]
    for group, options, _index in widget["optgroups"]:
        if group:
            parts.append(f"\n  <div><label>{conditional_escape(group)}</label>")
        parts.extend(f"<div>\n    {_option(option)}</div>" for option in options)
        if group:
            parts.append("\n  </div>")
    parts.append("\n</div>\n")
    return "".join(parts)


def _textarea(widget: dict) -> str:
    value = widget["value"]
    return (
        f'<textarea name="{conditional_escape(widget["name"])}"{_attrs(widget["attrs"])}>\n'
        f"{conditional_escape(value) if value else ''}</textarea>\n"
    )


_WIDGETS = "django/forms/widgets/"
OPTIONS: dict[str, Callable[[dict], str]] = {
    _WIDGETS + "select_option.html": _select_option,
    _WIDGETS + "radio_option.html": _choice_option,
    _WIDGETS + "checkbox_option.html": _choice_option,
    _WIDGETS + "input_option.html": _input_option,
}
DRAWN: dict[str, Callable[[dict], str]] = {
    **{
        f"{_WIDGETS}{name}.html": _input
        for name in (
            "input",
            "text",
            "email",
            "url",
            "number",
            "password",
            "hidden",
            "date",
            "datetime",
            "time",
            "checkbox",
            "search",
            "tel",
        )
    },
    **OPTIONS,
    _WIDGETS + "select.html": _select,
    _WIDGETS + "radio.html": _multiple_input,
    _WIDGETS + "checkbox_select.html": _multiple_input,
    _WIDGETS + "multiple_input.html": _multiple_input,
    _WIDGETS + "textarea.html": _textarea,
}


class WidgetsInPython(DjangoTemplates):
    """Django's form renderer, but the common widgets are drawn without a template."""

    def render(self, template_name, context, request=None) -> SafeString:
        draw = DRAWN.get(template_name)
        if draw is None:
            return super().render(template_name, context, request)
        # Stripped, as Django strips what its templates draw; an included template's closing
        # newline stays, so the functions above end with it too.
        return mark_safe(draw(context["widget"]).strip())  # noqa: S308 - values escaped above


class ChoicesInOneQuery(ModelChoiceIterator):
    """A model field's choices read by one plain query.

    Django reads them through QuerySet.iterator(), which on PostgreSQL opens a server-side
    cursor (DECLARE, FETCH, CLOSE) to stream what is, for a rating scale, a dozen rows.
    """

    def __iter__(self):
        if self.field.empty_label is not None:
            yield ("", self.field.empty_label)
        for row in self.queryset.all():
            yield self.choice(row)


class ShortModelChoiceField(forms.ModelChoiceField):
    """A ModelChoiceField over a short table, such as the rating scale."""

    iterator = ChoicesInOneQuery
