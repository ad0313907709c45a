"""The one way a stale write is refused: rows carry a version, and every edit the one it saw.

An action locks the row with `lock_for_edit`, which refuses it when the version moved since the
user opened the page (naming what changed, from the audit trail), then saves with
`save_new_version`, which raises the version and says who and why in the history. Forms only
carry the version they were opened at; actions are the only writers.
"""

from django import forms
from django.db import models, transaction

STALE_EDIT_MESSAGE = (
    "Someone else changed this after you opened it. Your version is below; "
    "reload the page to see theirs, then make your change again."
)


class StaleEdit(Exception):
    """The row changed after the user opened it; saving would overwrite that change."""

    def __init__(self, changes: list[str] | tuple[str, ...] = ()):
        self.changes = list(changes)
        super().__init__(" ".join([STALE_EDIT_MESSAGE, *self.changes]))

    @property
    def messages(self) -> list[str]:
        return [STALE_EDIT_MESSAGE, *self.changes]


def lock_for_edit(rows: type[models.Model] | models.QuerySet, pk: int, seen_version: int | None):
    """The row, locked until the transaction ends, provided it is still at the version seen.

    `seen_version` None means the caller edits no copy it was shown (a command, a task).
    Must run inside a transaction (actions are atomic).
    """
    queryset = rows if isinstance(rows, models.QuerySet) else rows._default_manager.all()
    current = queryset.select_for_update().get(pk=pk)
    if seen_version is not None and current.version != seen_version:
        raise StaleEdit(changes_since(current, seen_version))
    return current


def save_first_version(instance: models.Model, *, by, reason: str = "") -> None:
    """Insert a new row at its first version, recording who added it and why."""
    instance._history_user = by
    if reason:
        instance._change_reason = reason
    instance.save(force_insert=True)


def save_new_version(instance: models.Model, *, by, reason: str = "", **save_kwargs) -> None:
    """Save the next version of a locked row, recording who saved it and why."""
    instance.version += 1
    instance._history_user = by
    if reason:
        instance._change_reason = reason
    if save_kwargs.get("update_fields") is not None:
        save_kwargs["update_fields"] = {*save_kwargs["update_fields"], "version"}
    instance.save(**save_kwargs)


def editable_values(instance: models.Model) -> dict[str, object]:
    """The values of the fields people edit, to tell afterwards what an edit changed."""
    return {
        field.name: field.value_from_object(instance)
        for field in instance._meta.concrete_fields
        if field.editable and not field.primary_key
    }


def changed_fields(instance: models.Model, before: dict[str, object]) -> list[str]:
    """The names of the fields whose value differs from `before` (from editable_values)."""
    return [name for name, value in editable_values(instance).items() if before.get(name) != value]


def set_fields(instance: models.Model, changes: dict[str, object], *, allowed) -> None:
    """Set the fields an edit may change; any other field named is a caller's mistake."""
    if refused := set(changes) - set(allowed):
        raise ValueError(f"Not editable here: {', '.join(sorted(refused))}.")
    for name, value in changes.items():
        setattr(instance, name, value)


def changes_since(instance: models.Model, seen_version: int | None) -> list[str]:
    """What changed after the version the user saw, in words, from the audit trail if any."""
    history = getattr(instance, "history", None)
    if history is None or seen_version is None:
        return []
    records = list(history.filter(version__gte=seen_version).order_by("history_date"))
    if len(records) < 2 or records[0].version != seen_version:
        return []
    then, now = records[0], records[-1]
    who = now.history_user.get_username() if now.history_user else "someone"
    changes = now.diff_against(then, excluded_fields=["version", "updated_at"]).changes
    described = [
        f"{who} changed {instance._meta.get_field(change.field).verbose_name}: "
        f"“{change.old}” → “{change.new}”."
        for change in changes
    ]
    if not described and now.history_change_reason:
        # A change the audit trail keeps no field of (an article's text): say why instead.
        described = [f"{who}: {now.history_change_reason.rstrip('.')}."]
    return described


class VersionedModelForm(forms.ModelForm):
    """A model form that carries the version it was opened at, for the action to check.

    clean() refuses a copy that is already stale, with what changed, so the common case gets its
    message with the form as typed; the action's lock closes the race.
    """

    seen_version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.fields["seen_version"].initial = self.instance.version
            self.fields["seen_version"].required = True

    def clean(self):
        cleaned = super().clean()
        seen = cleaned.get("seen_version")
        if self.instance.pk and seen is not None:
            model = type(self.instance)
            current = model._default_manager.filter(pk=self.instance.pk).first()
            if current is not None and current.version != seen:
                raise forms.ValidationError(StaleEdit(changes_since(current, seen)).messages)
        return cleaned

    def edited_fields(self) -> dict[str, object]:
        """The cleaned values of the model's fields on this form, for an action to write."""
        names = {field.name for field in self._meta.model._meta.get_fields()}
        return {name: value for name, value in self.cleaned_data.items() if name in names}

    @transaction.atomic
    def save(self, commit=True):
        """Save through the version check: for the admin and pages not yet moved to actions."""
        instance = super().save(commit=False)
        if instance.pk:
            current = lock_for_edit(type(instance), instance.pk, self.cleaned_data["seen_version"])
            instance.version = current.version
            instance.version += 1
        if commit:
            instance.save()
            self.save_m2m()
        return instance

    def save_or_report_stale(self):
        """Save, or put the stale-edit message on the form and return None."""
        try:
            return self.save()
        except StaleEdit as error:
            self.add_error(None, error.messages)
            return None
