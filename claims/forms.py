"""Forms for claims: tagging a passage, evidence, the workflow and the list's filters."""

import re

from django import forms
from django.contrib.auth.models import User
from django.db.models import Exists, OuterRef
from django.urls import reverse, reverse_lazy

from lib.versioning import VersionedModelForm
from lib.widgets import ShortModelChoiceField
from sources.extraction import in_megabytes
from sources.forms import PICKED_SOURCE, as_url
from sources.models import ExternalFactCheck, Outlet, Source
from sources.urlnorm import InvalidURL, normalise_url, url_key

from . import annotations
from .anchoring import AnchorError, anchor_at, utf16_to_codepoints
from .models import (
    EXCERPT_MAX_LENGTH,
    STANCE_ADJECTIVES,
    Claim,
    Claimant,
    ClaimantKind,
    Evidence,
    Mention,
    Rating,
    Stance,
    Tag,
    Webhook,
    WebhookEvent,
)
from .sentences import as_sentence


class EvidenceForm(forms.Form):
    """Attach a source to a claim: pick it from the register, or paste a URL to add it."""

    source = forms.CharField(
        label="Source",
        max_length=2000,
        widget=forms.TextInput(
            attrs={
                "list": "source-choices",
                "autocomplete": "off",
                # Its own target and swap: inherited from the form, the first answer would
                # replace the <datalist> itself and every later one would have nowhere to go.
                "hx-target": "#source-choices",
                "hx-swap": "innerHTML",
                "hx-trigger": "input changed delay:250ms",
            }
        ),
        help_text="Type a title, outlet or URL and pick the source, or paste a new URL.",
    )
    # Used only when a pasted URL adds a new source; a blank title is fetched from the page.
    title = forms.CharField(
        label="Title",
        required=False,
        max_length=500,
        help_text="For a new source: leave empty to fetch it from the page.",
    )
    type = forms.ChoiceField(
        label="Type",
        required=False,
        choices=Source.Type.choices,
        initial=Source.Type.NEWS,
        help_text="For a new source.",
    )
    stance = forms.ChoiceField(label="Stance", choices=Stance.choices, widget=forms.RadioSelect)
    excerpt = forms.CharField(
        label="Excerpt",
        required=False,
        max_length=EXCERPT_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="The passage of the source that bears on the claim.",
    )
    note = forms.CharField(label="Note", required=False, widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, claim, **kwargs):
        super().__init__(*args, **kwargs)
        self.claim = claim
        # The type-ahead says which suggestions this claim already cites.
        suggestions = reverse("claims:evidence_sources", args=[claim.pk])
        self.fields["source"].widget.attrs["hx-get"] = suggestions

    def clean_source(self) -> Source | str:
        """The chosen source, or the normalised URL of a new one to add."""
        value = self.cleaned_data["source"].strip()
        if match := PICKED_SOURCE.match(value):
            source = Source.objects.filter(pk=match.group(1)).first()
            if source is None:
                raise forms.ValidationError("That source is no longer in the register.")
            return source
        if (pasted := as_url(value)) is not None:
            try:
                url = normalise_url(pasted)
            except InvalidURL as error:
                raise forms.ValidationError(str(error)) from error
            return Source.objects.with_url(url) or url
        by_title = list(Source.objects.filter(title__iexact=value)[:2])
        if len(by_title) == 1:
            return by_title[0]
        raise forms.ValidationError("Pick a source from the list, or paste its URL.")

    def clean(self):
        cleaned = super().clean()
        source, stance = cleaned.get("source"), cleaned.get("stance")
        already = (
            isinstance(source, Source)
            and stance
            and self.claim.evidence.filter(source=source, stance=stance).exists()
        )
        if already:
            self.add_error(
                "source",
                f"“{source.title}” is already {STANCE_ADJECTIVES[stance]} evidence "
                "for this claim. Edit that item instead, or choose another stance.",
            )
        return cleaned


class EvidenceEditForm(VersionedModelForm):
    class Meta:
        model = Evidence
        fields = ["stance", "excerpt", "note"]
        widgets = {
            "stance": forms.RadioSelect,
            "excerpt": forms.Textarea(attrs={"rows": 3}),
            "note": forms.Textarea(attrs={"rows": 2}),
        }

    def clean(self):
        cleaned = super().clean()
        stance = cleaned.get("stance")
        evidence = self.instance
        if (
            stance
            and Evidence.objects.filter(claim=evidence.claim_id, source=evidence.source_id)
            .filter(stance=stance)
            .exclude(pk=evidence.pk)
            .exists()
        ):
            self.add_error("stance", "This source is already evidence with that stance.")
        return cleaned

    def save(self, commit=True):
        raise NotImplementedError("Evidence is saved by claims.actions.edit_evidence.")


class TagClaimForm(forms.Form):
    """A selection (from the browser, in UTF-16 offsets) or a typed passage, and the claim."""

    start = forms.IntegerField(required=False, min_value=0, widget=forms.HiddenInput)
    end = forms.IntegerField(required=False, min_value=0, widget=forms.HiddenInput)
    passage = forms.CharField(
        label="Passage",
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="The exact words of the article that state the claim.",
    )
    text = forms.CharField(
        label="Claim",
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="The proposition, as a clean sentence.",
    )
    existing_claim = forms.CharField(
        label="Link to existing claim",
        required=False,
        widget=forms.TextInput(
            attrs={
                "list": "claim-choices",
                "autocomplete": "off",
                "hx-get": reverse_lazy("claims:choices"),
                "hx-trigger": "input changed delay:200ms",
                "hx-target": "#claim-choices",
            }
        ),
        help_text="Or make this passage a further mention of a claim already tagged: "
        "type some of its words and pick it.",
    )
    claimant = forms.CharField(
        label="Claimant",
        required=False,
        max_length=200,
        widget=forms.TextInput(attrs={"list": "claimant-names", "autocomplete": "off"}),
        help_text="Who made the claim: pick a known claimant or type a new name.",
    )
    claimant_kind = forms.ChoiceField(
        label="A new claimant is",
        required=False,
        choices=ClaimantKind.choices,
        initial=ClaimantKind.PERSON,
        widget=forms.RadioSelect,
    )
    claimant_role = forms.CharField(
        label="Role (optional)",
        required=False,
        max_length=300,
        help_text="E.g. Minister of Transport. A known claimant keeps the kind and role on record.",
    )
    claimed_on = forms.DateField(
        label="Claim date",
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        help_text="When the claim was made; the article's date unless you know better.",
    )
    tag_names = forms.CharField(
        label="Tags (comma-separated)",
        required=False,
        max_length=1000,
        help_text="E.g. North Korea, Russia–Ukraine war. New tags are added.",
    )

    def __init__(self, *args, article, **kwargs):
        super().__init__(*args, **kwargs)
        self.article = article
        # The words selected, written as a sentence to edit, and the day the article appeared.
        if passage := self.initial.get("passage"):
            self.initial.setdefault("text", as_sentence(passage))
        self.initial.setdefault("claimed_on", article.published_on)

    def clean_existing_claim(self):
        value = self.cleaned_data["existing_claim"].strip()
        # A "Same claim: link this passage to it" button among the similar claims names one.
        if same_as := self.data.get("same_as", "").strip():
            value = f"#{same_as}"
        if not value:
            return None
        match = re.match(r"#(\d+)\b", value)
        claim = Claim.objects.filter(pk=match.group(1)).first() if match else None
        if claim is None:
            raise forms.ValidationError("Pick a claim from the list (its entry starts with #).")
        return claim

    def clean(self):
        cleaned = super().clean()
        if not cleaned.get("existing_claim") and not (cleaned.get("text") or "").strip():
            self.add_error("text", "Write the claim, or link the passage to an existing one.")
        cleaned["checked_elsewhere"] = self._checked_elsewhere(cleaned.get("existing_claim"))
        text = self.article.text
        start, end, passage = cleaned.get("start"), cleaned.get("end"), cleaned.get("passage")
        try:
            if start is not None and end is not None:
                start, end = utf16_to_codepoints(text, start), utf16_to_codepoints(text, end)
                anchor = anchor_at(text, start, end)
                if passage and anchor.quote != passage:
                    raise AnchorError("The selection no longer matches the article text.")
            elif passage:
                found = text.find(passage)
                if found < 0:
                    raise AnchorError("That passage is not in the article, word for word.")
                if text.find(passage, found + 1) >= 0:
                    raise AnchorError("That passage occurs more than once; add a few words.")
                anchor = anchor_at(text, found, found + len(passage))
            else:
                raise AnchorError("Select a passage of the article, or type it in Passage.")
        except AnchorError as error:
            raise forms.ValidationError(str(error)) from error
        cleaned["anchor"] = anchor
        return cleaned

    def _checked_elsewhere(self, existing_claim) -> ExternalFactCheck | None:
        """The external fact-check a "Save, linked to this check" button names, if pressed."""
        value = self.data.get("checked_elsewhere", "").strip()
        if not value:
            return None
        check = ExternalFactCheck.objects.filter(pk=value).first() if value.isdigit() else None
        if check is None:
            self.add_error(None, "That external fact-check is no longer here.")
        elif existing_claim is not None:
            self.add_error(
                None,
                "The passage goes to an existing claim: link the fact-check from that claim's "
                "page, or clear Link to existing claim.",
            )
        return check


class MentionSpanForm(forms.Form):
    """Widen or narrow a mention by editing its passage; the new one must overlap the old."""

    passage = forms.CharField(
        label="Passage",
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Add or remove words at either end; the words must be the article's own.",
    )
    # The version the user saw: an adjustment made on a mention that moved meanwhile is refused.
    seen_version = forms.IntegerField(widget=forms.HiddenInput)

    def __init__(self, *args, mention, **kwargs):
        super().__init__(*args, **kwargs)
        self.mention = mention
        self.fields["seen_version"].initial = mention.version

    def clean_passage(self):
        passage = self.cleaned_data["passage"]
        text, old = self.mention.article.text, self.mention
        best, best_rank = None, None
        found = text.find(passage)
        while found >= 0:
            overlap = min(old.end, found + len(passage)) - max(old.start, found)
            # An orphan's old offsets are stale: it may be placed anywhere, nearest first.
            if overlap > 0 or not old.has_place:
                rank = (overlap, -abs(found - old.start))
                if best_rank is None or rank > best_rank:
                    best, best_rank = found, rank
            found = text.find(passage, found + 1)
        if best is None:
            raise forms.ValidationError(
                "The new passage must be in the article word for word and overlap the current one."
            )
        return anchor_at(text, best, best + len(passage))


class VerdictForm(forms.Form):
    """The reviewer's verdict: a step of the scale, why, and as of when."""

    rating = ShortModelChoiceField(
        label="Verdict", queryset=Rating.objects.all(), empty_label="Choose a verdict"
    )
    rationale = forms.CharField(
        label="Rationale",
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text="Plain text. Leave a blank line between paragraphs; links are made clickable.",
    )
    as_of = forms.DateField(
        label="As of", widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )
    # Shown only while the claim has no evidence; publish_verdict refuses such a claim without it.
    without_evidence = forms.BooleanField(
        label="Publish without evidence",
        required=False,
        help_text="This claim has no evidence: tick to publish the verdict on its rationale alone.",
    )
    seen_version = forms.IntegerField(widget=forms.HiddenInput)


class StepForm(forms.Form):
    """A workflow step with the version the user saw, and a note or reviewer where it needs one."""

    note = forms.CharField(label="Note", required=False, widget=forms.Textarea(attrs={"rows": 2}))
    reviewer = forms.ModelChoiceField(
        label="Reviewer",
        required=False,
        queryset=User.objects.filter(is_active=True),
        error_messages={"invalid_choice": "Choose a reviewer from the list."},
    )
    seen_version = forms.IntegerField(widget=forms.HiddenInput)


class MergeForm(forms.Form):
    """Merge this claim into another: which one stays, and why they are the same claim.

    Sent twice: first to see what would move, then, with the versions both claims were shown
    at, to merge.
    """

    survivor = forms.IntegerField(
        label="Merge into claim number",
        min_value=1,
        help_text="The claim that stays. Its number is in its address: /claims/<number>/.",
        error_messages={"invalid": "Give the claim's number, e.g. 1234."},
    )
    reason = forms.CharField(
        label="Why are they the same claim?",
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Kept in both claims' history.",
    )
    seen_version = forms.IntegerField(widget=forms.HiddenInput)
    survivor_version = forms.IntegerField(widget=forms.HiddenInput, required=False)


class VersionForm(forms.Form):
    """A removal: only the version of the row the user saw, so a changed row is not removed."""

    seen_version = forms.IntegerField(widget=forms.HiddenInput)


class ClaimForm(VersionedModelForm):
    """The claim's wording, claimant, date and tags; edit_claim saves them."""

    claimant_name = forms.CharField(
        label="Claimant",
        required=False,
        max_length=200,
        widget=forms.TextInput(attrs={"list": "claimant-names", "autocomplete": "off"}),
    )
    tag_names = forms.CharField(
        label="Tags (comma-separated)",
        required=False,
        max_length=1000,
        help_text="Separate tags with commas, e.g. North Korea, Russia–Ukraine war.",
    )

    class Meta:
        model = Claim
        fields = ["text", "claimed_on"]
        widgets = {
            "text": forms.Textarea(attrs={"rows": 3}),
            "claimed_on": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.claimant_id:
            self.fields["claimant_name"].initial = self.instance.claimant.name
        if self.instance.pk:
            names = self.instance.tags.values_list("name", flat=True)
            self.fields["tag_names"].initial = ", ".join(names)

    def save(self, commit=True):
        raise NotImplementedError("Claims are saved by claims.actions.edit_claim.")


class ClaimFilterForm(forms.Form):
    """The claims list's filters and ordering; every value lives in the URL."""

    SORTS = {
        # name: (label, keyset field, descending)
        "newest": ("Newest", "created_at", True),
        "oldest": ("Oldest", "created_at", False),
        "most_evidence": ("Most evidence", "evidence_count", True),
    }

    status = forms.ChoiceField(
        label="Status", required=False, choices=[("", "Any status"), *Claim.Status.choices]
    )
    rating = ShortModelChoiceField(
        label="Verdict", required=False, queryset=Rating.objects.all(), empty_label="Any verdict"
    )
    tag = forms.CharField(label="Tag", required=False, max_length=100)
    claimant = forms.CharField(label="Claimant", required=False, max_length=200)
    outlet = forms.CharField(
        label="Outlet", required=False, max_length=253, help_text="Name or domain."
    )
    claimed_from = forms.DateField(
        label="Claimed from", required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    claimed_to = forms.DateField(
        label="Claimed to", required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    contradicted = forms.BooleanField(label="Has contradicting evidence", required=False)
    contested = forms.BooleanField(label="Contested (evidence both ways)", required=False)
    mine = forms.BooleanField(label="Mine", required=False)
    assigned_to_me = forms.BooleanField(label="Assigned to me", required=False)
    sort = forms.ChoiceField(
        label="Sort",
        required=False,
        choices=[(name, label) for name, (label, _, _) in SORTS.items()],
    )

    def __init__(self, data=None, *, user):
        super().__init__(data)
        self.user = user

    def criteria(self) -> list[forms.BoundField]:
        """The fields typed or picked, in order; the "Only" check boxes are drawn apart."""
        return [field for field in self if field.widget_type != "checkbox"]

    def switches(self) -> list[forms.BoundField]:
        return [field for field in self if field.widget_type == "checkbox"]

    def ordering(self) -> tuple[str, bool]:
        """The keyset field and direction of the chosen sort."""
        sort = (self.cleaned_data.get("sort") if self.is_valid() else "") or "newest"
        _, field, descending = self.SORTS[sort]
        return field, descending

    def filter(self, claims):
        if not self.is_valid():
            return claims
        data = self.cleaned_data
        if data["status"]:
            claims = claims.filter(status=data["status"])
        if data["rating"]:
            claims = claims.filter(rating=data["rating"])
        # Names are looked up first: a name that matches nothing returns at once, instead of
        # walking the whole index looking for rows that cannot be there.
        if data["tag"]:
            tag = Tag.objects.filter(name__iexact=data["tag"]).first()
            claims = claims.filter(tags=tag) if tag else claims.none()
        if data["claimant"]:
            claimant = Claimant.objects.filter(name__iexact=data["claimant"]).first()
            claims = claims.filter(claimant=claimant) if claimant else claims.none()
        if data["outlet"]:
            outlets = list(Outlet.objects.named(data["outlet"]).values_list("pk", flat=True))
            claims = (
                claims.filter(
                    Exists(
                        Mention.objects.filter(claim=OuterRef("pk"), article__outlet__in=outlets)
                    )
                )
                if outlets
                else claims.none()
            )
        if data["claimed_from"]:
            claims = claims.filter(claimed_on__gte=data["claimed_from"])
        if data["claimed_to"]:
            claims = claims.filter(claimed_on__lte=data["claimed_to"])
        if data["contradicted"]:
            claims = claims.filter(contradicts_count__gt=0)
        if data["contested"]:
            claims = claims.filter(contradicts_count__gt=0, supports_count__gt=0)
        if data["mine"]:
            claims = claims.filter(created_by=self.user)
        if data["assigned_to_me"]:
            claims = claims.filter(reviewer=self.user, status=Claim.Status.IN_REVIEW)
        return claims


class CommentForm(forms.Form):
    # No maxlength on the box: a browser would cut a long paste silently; the action says so.
    body = forms.CharField(
        label="Your comment",
        help_text="Write @username to let someone know.",
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class ExternalCheckLinkForm(forms.Form):
    """Link a claim to another organisation's fact-check of it, by its number or review URL."""

    external_check = forms.CharField(
        label="External fact-check",
        max_length=2000,
        help_text="Its number (on its page under Sources → External fact-checks) or its URL.",
    )

    def clean_external_check(self):
        value = self.cleaned_data["external_check"].strip().removeprefix("#")
        if value.isdigit():
            check = ExternalFactCheck.objects.select_related("reviewer_outlet").filter(
                pk=int(value)
            )
            if found := check.first():
                return found
            raise forms.ValidationError(f"There is no external fact-check number {value}.")
        try:
            key = url_key(value)
        except InvalidURL as error:
            raise forms.ValidationError(
                f"Give the fact-check's number or its URL. {error}"
            ) from error
        checks = list(
            ExternalFactCheck.objects.select_related("reviewer_outlet").filter(url_key=key)[:2]
        )
        if not checks:
            raise forms.ValidationError(
                "No external fact-check has this URL; a source admin can import it first."
            )
        if len(checks) > 1:
            raise forms.ValidationError(
                "This article checks several claims: give the number of the one you mean."
            )
        return checks[0]


class AnnotationImportForm(forms.Form):
    file = forms.FileField(
        label="File of annotations",
        help_text=(
            f"A .json or .jsonld file of at most {in_megabytes(annotations.MAX_BYTES)} and "
            f"{annotations.MAX_ANNOTATIONS:,} annotations: W3C Web Annotations (one, a list, an "
            "AnnotationPage or AnnotationCollection) or a Hypothesis export."
        ),
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > annotations.MAX_BYTES:
            # Refused before a byte is read: nothing of it is parsed or stored.
            raise forms.ValidationError(
                f"The file is {in_megabytes(upload.size)}; the limit is "
                f"{in_megabytes(annotations.MAX_BYTES)}. Nothing was imported: split it into "
                "smaller files."
            )
        return upload


class WebhookForm(VersionedModelForm):
    """Register a webhook (no `active` box: a new hook is active) or edit one."""

    events = forms.MultipleChoiceField(
        label="Events to send",
        choices=WebhookEvent.choices,
        widget=forms.CheckboxSelectMultiple,
    )

    class Meta:
        model = Webhook
        fields = ["url", "events", "active"]
        help_texts = {
            "url": "An http or https address on the public internet; private and local "
            "addresses are refused, as for article import.",
            "active": "Untick to stop sending to this address; its log is kept.",
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if not self.instance.pk:
            del self.fields["active"]
