"""Refuse an edit made on a copy that someone else has changed since it was opened."""

from django import forms
from django.db import transaction
from django.db.models import F


class StaleEdit(Exception):
    """The row changed after the form was opened; saving would overwrite that change."""


STALE_EDIT_MESSAGE = (
    "Someone else changed this after you opened it. Your version is below; "
    "reload the page to see theirs, then make your change again."
)


class VersionedModelForm(forms.ModelForm):
    """A model form for a model with a `version` field: saves only over the version it showed.

    The form carries the version it was opened at; the save is a conditional update on that
    version, so of two people editing the same row the second is refused, not silently applied.
    """

    seen_version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.fields["seen_version"].initial = self.instance.version

    def clean(self):
        cleaned = super().clean()
        # Caught here, the common case gets a friendly message; save() closes the race.
        seen = cleaned.get("seen_version")
        if self.instance.pk and seen != self._current_version():
            raise forms.ValidationError([STALE_EDIT_MESSAGE, *self.changes_since(seen)])
        return cleaned

    def changes_since(self, seen_version: int | None) -> list[str]:
        """What changed after the version the user saw, from the audit trail where there is one."""
        history = getattr(self.instance, "history", None)
        if history is None or seen_version is None:
            return []
        records = list(history.filter(version__gte=seen_version).order_by("history_date"))
        if len(records) < 2 or records[0].version != seen_version:
            return []
        then, now = records[0], records[-1]
        who = now.history_user.get_username() if now.history_user else "someone"
        changes = now.diff_against(then, excluded_fields=["version", "updated_at"]).changes
        return [
            f"{who} changed {self.instance._meta.get_field(change.field).verbose_name}: "
            f"“{change.old}” → “{change.new}”."
            for change in changes
        ]

    def _current_version(self) -> int | None:
        model = type(self.instance)
        return model.objects.filter(pk=self.instance.pk).values_list("version", flat=True).first()

    @transaction.atomic
    def save(self, commit=True):
        instance = super().save(commit=False)
        if instance.pk:
            seen = self.cleaned_data.get("seen_version")
            model = type(instance)
            # The conditional update takes the row lock, so a concurrent save waits and then fails.
            if not model.objects.filter(pk=instance.pk, version=seen).update(
                version=F("version") + 1
            ):
                raise StaleEdit
            instance.version = seen + 1
        if commit:
            instance.save()
            self.save_m2m()
        return instance

    def save_or_report_stale(self):
        """Save, or put the stale-edit message on the form and return None."""
        try:
            return self.save()
        except StaleEdit:
            self.add_error(None, STALE_EDIT_MESSAGE)
            return None
