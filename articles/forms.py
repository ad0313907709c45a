"""The one form for adding an article: pasted text or an uploaded .html/.txt file."""

from django import forms
from django.utils.html import format_html

from sources.extraction import (
    MAX_BYTES,
    ExtractionError,
    from_plain_text,
    from_upload,
    size_message,
)
from sources.models import Outlet

from .models import Article


def already_here(existing: Article) -> str:
    return format_html(
        'This article is already here: <a href="{}">{}</a>.',
        existing.get_absolute_url(),
        existing.title,
    )


class ArticleForm(forms.ModelForm):
    text = forms.CharField(
        label="Text", required=False, widget=forms.Textarea(attrs={"rows": 16}), strip=False
    )
    file = forms.FileField(
        label="File",
        required=False,
        help_text=f"An .html or .txt file, up to {MAX_BYTES // 1_048_576} MB, instead of text. "
        "Give only a URL to have the page fetched.",
    )

    class Meta:
        model = Article
        fields = ["title", "url", "outlet", "published_on", "text"]
        labels = {"title": "Title", "url": "URL", "outlet": "Outlet", "published_on": "Published"}
        widgets = {"published_on": forms.DateInput(attrs={"type": "date"})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["title"].required = False
        self.fields["title"].help_text = "Taken from the file when left empty."
        self.fields["outlet"].queryset = Outlet.objects.order_by("name")

    def clean(self):
        cleaned = super().clean()
        upload, text = cleaned.get("file"), cleaned.get("text") or ""
        if upload and text.strip():
            raise forms.ValidationError("Paste the text or upload a file, not both.")
        self.fetch_url = ""
        if not upload and not text.strip() and cleaned.get("url"):
            # Only a URL: the page is fetched in the background.
            self.fetch_url = cleaned["url"]
            existing = Article.objects.copy_of(url=self.fetch_url, text="")
            if existing is not None:
                raise forms.ValidationError(already_here(existing))
            return cleaned
        try:
            if upload:
                if upload.size > MAX_BYTES:
                    raise ExtractionError(size_message(upload.size))
                extracted = from_upload(upload.name, upload.read())
            else:
                extracted = from_plain_text(text)
        except ExtractionError as error:
            raise forms.ValidationError(str(error)) from error
        cleaned["text"] = extracted.text
        cleaned["title"] = cleaned.get("title") or extracted.title
        cleaned["url"] = cleaned.get("url") or extracted.url
        cleaned["published_on"] = cleaned.get("published_on") or extracted.published_on
        self.extracted = extracted
        if not cleaned["title"]:
            self.add_error("title", "Give the article a title.")
        self.refuse_duplicates(cleaned)
        return cleaned

    def refuse_duplicates(self, cleaned):
        existing = Article.objects.copy_of(url=cleaned.get("url", ""), text=cleaned["text"])
        if existing is not None:
            raise forms.ValidationError(already_here(existing))

    def article_fields(self) -> dict:
        """What articles.actions.add_article needs, from the form and what was extracted."""
        data = self.cleaned_data
        return {
            "title": data["title"],
            "url": data["url"],
            "outlet": data["outlet"],
            "published_on": data["published_on"],
            "text": data["text"],
            "authors": self.extracted.authors,
            "html": self.extracted.html,
        }


class ArticleTextForm(forms.Form):
    """A new text for an article, with the version of the article the editor started from."""

    text = forms.CharField(label="Text", widget=forms.Textarea(attrs={"rows": 24}), strip=False)
    seen_version = forms.IntegerField(widget=forms.HiddenInput)

    def clean_text(self):
        try:
            return from_plain_text(self.cleaned_data["text"]).text
        except ExtractionError as error:
            raise forms.ValidationError(str(error)) from error


class ArticleFilterForm(forms.Form):
    outlet = forms.CharField(
        label="Outlet", required=False, max_length=253, help_text="Name or domain."
    )
    published_from = forms.DateField(
        label="Published from", required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    published_to = forms.DateField(
        label="Published to", required=False, widget=forms.DateInput(attrs={"type": "date"})
    )

    def filter(self, articles):
        if not self.is_valid():
            return articles
        data = self.cleaned_data
        if data["outlet"]:
            articles = articles.filter(outlet__in=Outlet.objects.named(data["outlet"]))
        if data["published_from"]:
            articles = articles.filter(published_on__gte=data["published_from"])
        if data["published_to"]:
            articles = articles.filter(published_on__lte=data["published_to"])
        return articles
