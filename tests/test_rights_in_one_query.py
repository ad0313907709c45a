"""The rights backend reads what Django's ModelBackend reads, in one query."""

import pytest
from django.contrib.auth.backends import ModelBackend
from django.contrib.auth.models import Group, Permission, User

from lib.auth import ModelBackendInOneQuery

pytestmark = pytest.mark.django_db


def fresh(user: User) -> User:
    return User.objects.get(pk=user.pk)  # rights are kept on the instance


@pytest.fixture
def mixed_user():
    user = User.objects.create_user("mixed")
    user.groups.add(Group.objects.get(name="Researcher"))
    user.user_permissions.add(Permission.objects.get(codename="change_outlet"))
    return user


def test_own_and_group_rights_are_the_stock_backends(mixed_user):
    ours = ModelBackendInOneQuery().get_all_permissions(fresh(mixed_user))
    stock = ModelBackend().get_all_permissions(fresh(mixed_user))
    assert ours == stock
    assert "sources.change_outlet" in ours and "claims.add_claim" in ours


def test_they_take_one_query(mixed_user, django_assert_num_queries):
    user = fresh(mixed_user)
    with django_assert_num_queries(1):
        assert user.has_perm("claims.add_claim")
        assert user.has_perm("sources.change_outlet")
        assert not user.has_perm("claims.review_claim")


def test_inactive_users_and_object_rights_have_none(mixed_user):
    mixed_user.is_active = False
    assert ModelBackendInOneQuery().get_all_permissions(mixed_user) == set()
    active = fresh(mixed_user)
    assert ModelBackendInOneQuery().get_all_permissions(active, obj=object()) == set()


def test_a_superuser_has_every_right():
    boss = User.objects.create_superuser("boss", password="x" * 20)
    assert ModelBackendInOneQuery().get_all_permissions(
        fresh(boss)
    ) == ModelBackend().get_all_permissions(fresh(boss))
