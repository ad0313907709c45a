from django.apps import AppConfig


class LibConfig(AppConfig):
    """Code shared by the three domain apps; an app so that its migrations still run."""

    name = "lib"
    verbose_name = "Shared"
