from django import forms

from .actions import NAME_MAX_LENGTH


class TokenForm(forms.Form):
    name = forms.CharField(
        label="Name",
        max_length=NAME_MAX_LENGTH,
        help_text="What the token is for, e.g. “CMS import” or “monitoring script”.",
    )
    access = forms.ChoiceField(
        label="Access",
        choices=[("write", "Read and write (your rights)"), ("read", "Read only")],
        initial="read",
        widget=forms.RadioSelect,
    )
