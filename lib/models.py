from django.db import models


class DataVersion(models.Model):
    """One row counting committed changes; cached pages and sessions carry it in their keys."""

    value = models.BigIntegerField(default=0)

    def __str__(self) -> str:
        return f"Data version {self.value}"
