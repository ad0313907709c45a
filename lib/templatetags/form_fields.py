"""{% fields %}, {% field %} and {% choice_field %}: form fields with their labels, help texts
and errors, the one markup every form of the site uses.

Drawn in Python: through an included template with a partial per field, the claims list's filter
form and the claim page's two forms cost about a millisecond each, most of it the template
machinery around widgets that lib/widgets.py already draws in Python.
"""

from django import forms, template
from django.utils.html import conditional_escape
from django.utils.safestring import SafeString, mark_safe

register = template.Library()


def _errors(field: forms.BoundField) -> str:
    """Each error in turn, inside the element the widget's aria-describedby names."""
    if not field.errors:
        return ""
    errors = "".join(
        f'<strong class="error" role="alert">{conditional_escape(error)}</strong>'
        for error in field.errors
    )
    return f'<span id="{conditional_escape(field.auto_id)}_error">{errors}</span>'


def _field(field: forms.BoundField) -> str:
    help_text = ""
    if field.help_text:
        help_text = (
            f'<small class="help" id="{conditional_escape(field.auto_id)}_helptext">'
            f"{conditional_escape(field.help_text)}</small>"
        )
    return (
        f'\n<p class="field{" has-errors" if field.errors else ""}">\n'
        f'  <label for="{conditional_escape(field.id_for_label)}">'
        f"{conditional_escape(field.label)}</label>\n"
        f"  {field}\n"
        f"  {help_text}\n"
        f"  {_errors(field)}\n"
        "</p>\n"
    )


def _choice_field(field: forms.BoundField) -> str:
    choices = "".join(
        f"<label>{choice.tag()} {conditional_escape(choice.choice_label)}</label> "
        for choice in field
    )
    # As Django's own field template: a group of inputs is described on its fieldset.
    described = field.aria_describedby
    described = f' aria-describedby="{conditional_escape(described)}"' if described else ""
    return (
        f'\n<fieldset class="field choices{" has-errors" if field.errors else ""}"{described}>\n'
        f"  <legend>{conditional_escape(field.label)}</legend>\n"
        f"  {choices}\n"
        f"  {_errors(field)}\n"
        "</fieldset>\n"
    )


@register.simple_tag
def field(field: forms.BoundField) -> SafeString:
    """One field: its label, widget, help text and errors."""
    return mark_safe(_field(field))  # noqa: S308 - every value is escaped or is a widget


@register.simple_tag
def choice_field(field: forms.BoundField) -> SafeString:
    """A field of radio buttons or check boxes, as a fieldset whose legend is its label."""
    return mark_safe(_choice_field(field))  # noqa: S308 - every value is escaped or a widget


@register.simple_tag
def fields(form_or_fields) -> SafeString:
    """Every field given (a form, or a list of its bound fields), each drawn as it should be."""
    drawn = []
    for bound in form_or_fields:
        if bound.is_hidden:
            drawn.append(str(bound))
        elif bound.widget_type == "radioselect":
            drawn.append(_choice_field(bound))
        else:
            drawn.append(_field(bound))
    return mark_safe("".join(drawn))  # noqa: S308 - every value is escaped or is a widget
