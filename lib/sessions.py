"""Sessions from the database, remembered in each process until the data version moves.

A login or logout anywhere writes a session row and so moves the version (lib/pagecache.py):
another process's remembered copy is never read again, and a signed-out session stays out.
"""

from django.contrib.sessions.backends.cached_db import SessionStore as CachedDatabaseStore

from . import pagecache


class SessionStore(CachedDatabaseStore):
    cache_key_prefix = "session:"

    @property
    def cache_key(self) -> str:
        return f"{super().cache_key}:{pagecache.data_version()}"
