"""Forms for the register of sources and outlets."""

import re

from django import forms

from lib.search import matching_pks
from lib.versioning import VersionedModelForm

from .extraction import in_megabytes
from .models import ExternalFactCheck, Outlet, Source
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


class FactCheckFilterForm(forms.Form):
    q = forms.CharField(label="Search", required=False, max_length=500)
    reviewer = forms.CharField(
        label="Checked by", required=False, max_length=300, help_text="Name or domain."
    )
    rating = forms.ChoiceField(
        label="Rating",
        choices=[("", "Any rating"), *ExternalFactCheck.RatingFamily.choices],
        required=False,
    )
    origin = forms.ChoiceField(
        label="Imported from",
        choices=[("", "Anywhere"), *ExternalFactCheck.Origin.choices],
        required=False,
    )

    def filter(self, checks):
        if not self.is_valid():
            return checks
        data = self.cleaned_data
        if data["q"].strip():
            checks = checks.filter(pk__in=matching_pks(ExternalFactCheck, data["q"]))
        if data["reviewer"].strip():
            checks = checks.by_reviewer(data["reviewer"])
        if data["rating"]:
            checks = checks.filter(rating_family=data["rating"])
        if data["origin"]:
            checks = checks.filter(origin=data["origin"])
        return checks


class FactCheckImportForm(forms.Form):
    file = forms.FileField(label="File")
    format = forms.ChoiceField(
        label="Format",
        choices=[
            ("auto", "Recognise it"),
            ("claimreview", "ClaimReview JSON-LD (object, list, DataFeed or script blocks)"),
            ("factchecktools", "Google Fact Check Tools API answer"),
            ("averitec", "AVeriTeC claims"),
        ],
        initial="auto",
    )

    def __init__(self, *args, max_bytes: int, **kwargs):
        super().__init__(*args, **kwargs)
        self.max_bytes = max_bytes
        self.fields["file"].help_text = (
            f"A .json or .txt file of at most {in_megabytes(max_bytes)}. The same review imported "
            "twice is stored once."
        )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > self.max_bytes:
            # Refused before a byte is read: nothing of it is parsed or stored.
            raise forms.ValidationError(
                f"The file is {in_megabytes(upload.size)}; the limit is "
                f"{in_megabytes(self.max_bytes)}. Nothing was imported: split it into smaller "
                "files."
            )
        return upload


class ExternalFactCheckForm(VersionedModelForm):
    """The admin's correction of an imported fact-check; its action cleans and re-keys it."""

    class Meta:
        model = ExternalFactCheck
        fields = [
            "claim_reviewed",
            "claimant",
            "claim_date",
            "rating_label",
            "reviewer_name",
            "reviewer_outlet",
            "review_url",
            "review_date",
            "language",
            "title",
            "summary",
        ]
