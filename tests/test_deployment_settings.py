"""Settings for more than one server: a shared cache when asked, sessions in the database."""

from django.conf import settings

from tests.test_security import PRODUCTION_ENVIRONMENT, manage

SHOW_CACHE = (
    "from django.conf import settings; "
    "print(settings.CACHES['default']['BACKEND'], settings.CACHES['default'].get('LOCATION'))"
)


def test_the_cache_is_local_memory_unless_a_redis_url_is_given():
    local = manage("shell", "--no-imports", "-c", SHOW_CACHE, REDIS_URL="")
    assert local.returncode == 0, local.stderr
    assert local.stdout.split()[0] == "django.core.cache.backends.locmem.LocMemCache"
    shared = manage(
        "shell",
        "--no-imports",
        "-c",
        SHOW_CACHE,
        **PRODUCTION_ENVIRONMENT,
        REDIS_URL="redis://10.0.0.5:6379/1",
    )
    assert shared.returncode == 0, shared.stderr
    assert shared.stdout.split() == [
        "django.core.cache.backends.redis.RedisCache",
        "redis://10.0.0.5:6379/1",
    ]


def test_sessions_and_users_come_from_the_database_whatever_the_cache():
    # Any server reads the same rows: a sign-out or a revoked role counts on all of them at once.
    assert settings.SESSION_ENGINE == "django.contrib.sessions.backends.db"
    assert settings.AUTHENTICATION_BACKENDS == [
        "axes.backends.AxesStandaloneBackend",
        "lib.auth.ModelBackendInOneQuery",  # Django's ModelBackend, one query for the rights
    ]
