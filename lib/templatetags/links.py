"""{% url_for_pk %}: the {% url %} of a route that takes one integer id, for links drawn per row."""

from django import template

from lib.links import url_for_pk as _url_for_pk

register = template.Library()


@register.simple_tag
def url_for_pk(viewname: str, pk: int) -> str:
    return _url_for_pk(viewname, pk)
