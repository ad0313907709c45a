"""The rights backend reads what Django's ModelBackend reads: a user and their rights, at once."""

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


def test_the_signed_in_user_and_their_rights_take_one_query(mixed_user, django_assert_num_queries):
    with django_assert_num_queries(1):
        user = ModelBackendInOneQuery().get_user(str(mixed_user.pk))
        assert user == mixed_user
        assert user.has_perm("claims.add_claim") and user.has_perm("sources.change_outlet")
        assert not user.has_perm("claims.review_claim")
    assert user.get_all_permissions() == ModelBackend().get_all_permissions(fresh(mixed_user))
    assert user.last_login is None and user.date_joined == mixed_user.date_joined


def test_a_user_without_rights_has_none(django_assert_num_queries):
    nobody = User.objects.create_user("nobody")
    with django_assert_num_queries(1):
        assert ModelBackendInOneQuery().get_user(nobody.pk).get_all_permissions() == set()


def test_a_removed_role_counts_on_the_next_read(mixed_user):
    mixed_user.groups.clear()
    user = ModelBackendInOneQuery().get_user(mixed_user.pk)
    assert user.get_all_permissions() == {"sources.change_outlet"}


@pytest.mark.parametrize("user_id", ["999999", "not a number", None])
def test_an_unknown_user_is_nobody(user_id):
    assert ModelBackendInOneQuery().get_user(user_id) is None


def test_a_deactivated_user_is_nobody(mixed_user):
    User.objects.filter(pk=mixed_user.pk).update(is_active=False)
    assert ModelBackendInOneQuery().get_user(mixed_user.pk) is None


def test_a_signed_in_superuser_has_every_right():
    boss = User.objects.create_superuser("boss", password="x" * 20)
    user = ModelBackendInOneQuery().get_user(boss.pk)
    assert user.get_all_permissions() == ModelBackend().get_all_permissions(fresh(boss))
