"""Error pages look like the rest of the site: the navigation, the reason, and a way back."""

import pytest
from django.template.loader import render_to_string
from django.urls import reverse

from tests.factories.claims import MentionFactory

pytestmark = pytest.mark.django_db


def test_a_refused_page_says_why_with_the_navigation(login, source_admin):
    response = login(source_admin).get(reverse("claims:queue"))
    page = response.content.decode()
    assert response.status_code == 403
    assert "You may not do this" in page and 'aria-label="Main"' in page
    assert 'href="/"' in page


def test_a_missing_page_is_not_found_with_the_navigation(login, researcher):
    response = login(researcher).get(reverse("reader:article", args=[999999]))
    page = response.content.decode()
    assert response.status_code == 404
    assert "Not found" in page and 'aria-label="Main"' in page


def test_opening_a_form_only_address_gets_a_page_and_keeps_allow(login, researcher):
    mention = MentionFactory()
    response = login(researcher).get(reverse("claims:mention_delete", args=[mention.pk]))
    page = response.content.decode()
    assert response.status_code == 405 and response["Allow"] == "POST"
    assert "does not answer that kind of request" in page and 'aria-label="Main"' in page


def test_the_server_error_page_draws_without_any_context():
    page = render_to_string("500.html")
    assert "Something went wrong on our side" in page and 'href="/"' in page
