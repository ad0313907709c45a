from django.apps import AppConfig


class LibConfig(AppConfig):
    """Code shared by the three domain apps; an app only for the data version's table."""

    name = "lib"
    verbose_name = "Shared"

    def ready(self):
        from django.db.models.signals import m2m_changed, post_delete, post_save

        from . import pagecache

        for signal in (post_save, post_delete, m2m_changed):
            signal.connect(pagecache.data_changed, dispatch_uid=f"pagecache-{signal}")
