"""Forms for the register of sources and outlets."""

import re

from django import forms

from lib.versioning import VersionedModelForm

from .models import Outlet, Source
from .urlnorm import InvalidURL, normalise_url

PICKED_SOURCE = re.compile(r"#(\d+)\b")
HAS_SCHEME = re.compile(r"^[a-z][a-z0-9+.-]*:", re.I)
BARE_HOST = re.compile(r"^[^\s/:]+\.[a-z]{2,}(/|$)", re.I)


def as_url(value: str) -> str | None:
    """The value as a URL to normalise if it looks like one (a title does not), else None."""
    if "://" in value:
        return value
    if any(character.isspace() for character in value):
        return None
    if BARE_HOST.match(value):
        return "https://" + value  # pasted without its scheme, e.g. www.example.com/story
    return value if HAS_SCHEME.match(value) else None  # data:, javascript: … are refused later


class SourceForm(VersionedModelForm):
    class Meta:
        model = Source
        fields = ["url", "title", "type", "author", "published_on", "accessed_on", "archive_url"]
        widgets = {
            "published_on": forms.DateInput(attrs={"type": "date"}),
            "accessed_on": forms.DateInput(attrs={"type": "date"}),
        }
        help_texts = {
            "title": "Leave empty to use the URL until the details are fetched.",
            "archive_url": "A copy kept elsewhere, e.g. on the Wayback Machine or archive.today.",
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["title"].required = False
        # The model normalises URLs and refuses data:, javascript: and the like with a reason.
        self.fields["url"] = forms.CharField(label="URL", max_length=2000)
        self.fields["archive_url"] = forms.CharField(
            label="Archive URL",
            max_length=2000,
            required=False,
            help_text=self.fields["archive_url"].help_text,
        )

    def clean_archive_url(self):
        value = self.cleaned_data["archive_url"].strip()
        if not value:
            return ""
        try:
            return normalise_url(value)
        except InvalidURL as error:
            raise forms.ValidationError(str(error)) from error


class OutletForm(VersionedModelForm):
    class Meta:
        model = Outlet
        fields = ["name", "domain", "reliability", "notes"]
        widgets = {"notes": forms.Textarea(attrs={"rows": 4})}

    def __init__(self, *args, may_rate: bool = True, **kwargs):
        super().__init__(*args, **kwargs)
        if not may_rate:
            # A rating and the notes behind it are a source admin's judgement: others add an
            # outlet unrated, by its name and domain.
            del self.fields["reliability"], self.fields["notes"]

    def clean_domain(self):
        domain = self.cleaned_data["domain"].strip().lower().removeprefix("www.")
        if domain and not re.fullmatch(r"[a-z0-9-]+(\.[a-z0-9-]+)+", domain):
            raise forms.ValidationError("Give a host name like example.com, without https://.")
        other = Outlet.objects.filter(domain=domain).exclude(pk=self.instance.pk).first()
        if domain and other is not None:
            raise forms.ValidationError(other.duplicate_message)
        return domain


class SourceFilterForm(forms.Form):
    q = forms.CharField(label="Search", required=False)
    # A name or domain, not a list: a select of every outlet grows with the register.
    outlet = forms.CharField(
        label="Outlet", required=False, max_length=253, help_text="Name or domain."
    )
    type = forms.ChoiceField(
        label="Type", choices=[("", "Any type"), *Source.Type.choices], required=False
    )
    reliability = forms.ChoiceField(
        label="Reliability",
        choices=[("", "Any reliability"), *Outlet.Reliability.choices],
        required=False,
    )

    def filter(self, sources):
        if not self.is_valid():
            return sources
        data = self.cleaned_data
        if data["q"]:
            sources = sources.search(data["q"])
        if data["outlet"]:
            sources = sources.filter(outlet__in=Outlet.objects.named(data["outlet"]))
        if data["type"]:
            sources = sources.filter(type=data["type"])
        if data["reliability"]:
            sources = sources.filter(outlet__reliability=data["reliability"])
        return sources
