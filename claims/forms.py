"""Forms for tagging a claim in an article."""

from django import forms

from .anchoring import AnchorError, anchor_at, utf16_to_codepoints


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
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="The proposition, as a clean sentence.",
    )
    claimant = forms.CharField(
        label="Claimant",
        required=False,
        max_length=200,
        widget=forms.TextInput(attrs={"list": "claimant-names", "autocomplete": "off"}),
        help_text="Who made the claim: pick a known claimant or type a new name.",
    )
    claimed_on = forms.DateField(
        label="Claim date", required=False, widget=forms.DateInput(attrs={"type": "date"})
    )

    def __init__(self, *args, article, **kwargs):
        super().__init__(*args, **kwargs)
        self.article = article

    def clean(self):
        cleaned = super().clean()
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
