from django.apps import AppConfig


class PagesConfig(AppConfig):
    """The site-wide pages: they read every domain app, and no domain app reads them."""

    name = "pages"
    verbose_name = "Site pages"
