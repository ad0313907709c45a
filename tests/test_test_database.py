"""The suite's own footing: what data migrations made comes back after a flush empties it."""

import pytest
from django.contrib.auth.models import Group
from django.core.management import call_command

from claims.models import Rating
from tests.conftest import restore_rows_from_migrations

pytestmark = pytest.mark.django_db


def roles_and_scale() -> tuple[dict, list]:
    roles = {
        group.name: sorted(group.permissions.values_list("content_type__app_label", "codename"))
        for group in Group.objects.all()
    }
    return roles, list(Rating.objects.values())


def test_a_flush_then_the_snapshot_gives_back_the_roles_and_the_rating_scale(pytestconfig):
    built = roles_and_scale()
    assert set(built[0]) == {"Researcher", "Reviewer", "Source admin"}
    assert all(built[0].values()), "every role has permissions"
    assert built[1], "the rating scale is there"

    # What a transactional test's teardown does: empty every table, then post_migrate makes the
    # content types and permissions again, under new pks.
    call_command("flush", interactive=False, verbosity=0)
    assert not Group.objects.exists() and not Rating.objects.exists()

    restore_rows_from_migrations(pytestconfig)

    assert roles_and_scale() == built
    added = Rating.objects.create(label="Added later", position=99)
    assert added.pk > max(rating["id"] for rating in built[1])
