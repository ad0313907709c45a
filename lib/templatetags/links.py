"""{% url_for %} and {% url_for_pk %}: the {% url %} of a route that takes no argument or one
integer id, for links every page or every row draws."""

from django import template

from lib.links import url_for as _url_for
from lib.links import url_for_pk as _url_for_pk

register = template.Library()


@register.simple_tag
def url_for_pk(viewname: str, pk: int) -> str:
    return _url_for_pk(viewname, pk)


@register.simple_tag
def url_for(viewname: str) -> str:
    return _url_for(viewname)
