"""Signed-in users and their permissions, without asking the database on every request."""

from django.contrib.auth.backends import ModelBackend
from django.core.cache import caches

from . import pagecache


class VersionedCacheBackend(ModelBackend):
    """Django's ModelBackend, with each user and permission set kept until the data version moves.

    Any change to users, groups or permissions moves the version (lib/pagecache.py watches auth),
    so a deactivated user or a revoked permission is refused on the next request, in every process.
    """

    def get_user(self, user_id):
        key = f"user:{user_id}:{pagecache.data_version()}"
        user = caches[pagecache.CACHE].get(key)
        if user is None:
            user = super().get_user(user_id)
            if user is not None:
                caches[pagecache.CACHE].set(key, user, pagecache.TIMEOUT_SECONDS)
        return user

    def get_all_permissions(self, user_obj, obj=None):
        if not user_obj.is_active or user_obj.is_anonymous or obj is not None:
            return set()
        if not hasattr(user_obj, "_perm_cache"):
            key = f"permissions:{user_obj.pk}:{pagecache.data_version()}"
            permissions = caches[pagecache.CACHE].get(key)
            if permissions is None:
                permissions = super().get_all_permissions(user_obj)
                caches[pagecache.CACHE].set(key, permissions, pagecache.TIMEOUT_SECONDS)
            user_obj._perm_cache = permissions
        return user_obj._perm_cache
