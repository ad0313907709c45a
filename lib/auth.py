"""Django's ModelBackend, with a user and their rights read in one lean query instead of three."""

import functools

from django.contrib.auth.backends import ModelBackend
from django.contrib.auth.models import Group, Permission, User
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db import connection


def _rights_of(user: str) -> str:
    """FROM and WHERE of the rights (app label `t.app_label`, codename `p.codename`) of `user`."""
    return (
        f"FROM {Permission._meta.db_table} p "  # noqa: S608 - names from models
        f"JOIN {ContentType._meta.db_table} t ON t.id = p.content_type_id "
        f"WHERE p.id IN (SELECT permission_id FROM {User.user_permissions.through._meta.db_table}"
        f" WHERE user_id = {user}) "
        f"OR p.id IN (SELECT r.permission_id FROM {Group.permissions.through._meta.db_table} r "
        f"JOIN {User.groups.through._meta.db_table} g ON g.group_id = r.group_id"
        f" WHERE g.user_id = {user})"
    )


# Written out rather than built by the ORM on every request: every signed-in page runs them,
# and compiling the querysets cost several times what the database takes to answer.
@functools.cache
def _rights_sql() -> str:
    return f"SELECT t.app_label, p.codename {_rights_of('%s')}"  # noqa: S608 - names from models


@functools.cache
def _user_and_rights_sql(vendor: str) -> str:
    joined = "string_agg" if vendor == "postgresql" else "group_concat"
    return (
        f"SELECT u.*, (SELECT {joined}(t.app_label || '.' || p.codename, ' ') "  # noqa: S608
        f"{_rights_of('u.id')}) AS rights FROM {User._meta.db_table} u WHERE u.id = %s"
    )


class ModelBackendInOneQuery(ModelBackend):
    """Every signed-in page reads its user and asks for their rights, own and groups', at once.

    Both are still read from the database on every request (a removed role or a deactivated
    account counts at once); the stock backend takes three queries to do it.
    """

    def get_user(self, user_id):
        try:
            pk = User._meta.pk.to_python(user_id)
        except ValidationError:
            return None
        user = next(iter(User.objects.raw(_user_and_rights_sql(connection.vendor), [pk])), None)
        if user is None or not self.user_can_authenticate(user):
            return None
        if not user.is_superuser:  # a superuser's rights are every right, as the stock backend says
            user._perm_cache = set((user.rights or "").split())
        return user

    def get_all_permissions(self, user_obj, obj=None):
        if not user_obj.is_active or user_obj.is_anonymous or obj is not None:
            return set()
        if user_obj.is_superuser or hasattr(user_obj, "_perm_cache"):
            return super().get_all_permissions(user_obj, obj)
        with connection.cursor() as cursor:
            cursor.execute(_rights_sql(), [user_obj.pk, user_obj.pk])
            rights = cursor.fetchall()
        user_obj._perm_cache = {f"{app}.{name}" for app, name in rights}
        return user_obj._perm_cache
