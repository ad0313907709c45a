"""Article forms: adding one (pasted text, an uploaded .html/.txt file or a URL), its details."""

from django import forms
from django.utils.html import format_html

from lib.versioning import VersionedModelForm
from sources.extraction import (
    ExtractionError,
    from_plain_text,
    from_upload,
    in_megabytes,
    max_bytes,
    size_message,
)
from sources.models import Outlet

from .models import Article

OUTLET_NAME_MAX_LENGTH = Outlet._meta.get_field("name").max_length


def already_here(existing: Article) -> str:
    return format_html(
        'This article is already here: <a href="{}">{}</a>.',
        existing.get_absolute_url(),
        existing.title,
    )


def new_outlet_field() -> forms.CharField:
    return forms.CharField(
        label="Or a new outlet",
        required=False,
        max_length=OUTLET_NAME_MAX_LENGTH,
        help_text="Not in the list? Type its name: it is added unrated, and a source admin "
        "rates it.",
    )


def check_outlet_choice(form: forms.Form, cleaned: dict) -> None:
    """An outlet from the list or a new one by name; a name already listed means that one."""
    name = " ".join((cleaned.get("new_outlet") or "").split())
    chosen = cleaned.get("outlet")
    if name and chosen and chosen.name.lower() == name.lower():
        name = ""  # the same outlet, twice
    cleaned["new_outlet"] = name
    if name and chosen:
        form.add_error("new_outlet", "Choose an outlet from the list or type a new one, not both.")


TITLE_HELP = "When left empty: the file's title, or the first line of pasted text."


class ArticleForm(forms.ModelForm):
    new_outlet = new_outlet_field()
    text = forms.CharField(
        label="Text", required=False, widget=forms.Textarea(attrs={"rows": 16}), strip=False
    )
    file = forms.FileField(label="File", required=False)

    class Meta:
        model = Article
        fields = ["title", "url", "outlet", "new_outlet", "published_on", "text"]
        labels = {"title": "Title", "url": "URL", "outlet": "Outlet", "published_on": "Published"}
        widgets = {"published_on": forms.DateInput(attrs={"type": "date"})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["title"].required = False
        self.fields["title"].help_text = TITLE_HELP
        self.fields["outlet"].queryset = Outlet.objects.order_by("name")
        self.fields["text"].help_text = f"Up to {in_megabytes(max_bytes())}."
        self.fields["file"].help_text = (
            f"An .html or .txt file, up to {in_megabytes(max_bytes())}, instead of text. "
            "Give only a URL to have the page fetched."
        )

    def clean(self):
        cleaned = super().clean()
        check_outlet_choice(self, cleaned)
        upload, text = cleaned.get("file"), cleaned.get("text") or ""
        if upload and text.strip():
            raise forms.ValidationError("Paste the text or upload a file, not both.")
        if (size := len(text.encode("utf-8"))) > max_bytes():
            raise forms.ValidationError(size_message(size, "text"))
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
                if upload.size > max_bytes():
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
            "new_outlet": data["new_outlet"],
            "published_on": data["published_on"],
            "text": data["text"],
            "authors": self.extracted.authors,
            "html": self.extracted.html,
        }


class ArticleDetailsForm(VersionedModelForm):
    """An article's details, not its text (that has its own page, which re-anchors mentions)."""

    new_outlet = new_outlet_field()

    class Meta:
        model = Article
        fields = ["title", "url", "outlet", "new_outlet", "authors", "published_on"]
        labels = {
            "title": "Title",
            "url": "URL",
            "outlet": "Outlet",
            "authors": "Author(s)",
            "published_on": "Published",
        }
        help_texts = {"authors": "As the byline gives them, e.g. Ann Lee, Bo Kim."}
        widgets = {"published_on": forms.DateInput(attrs={"type": "date"})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["outlet"].queryset = Outlet.objects.order_by("name")

    def clean_url(self):
        url = self.cleaned_data["url"]
        existing = Article.objects.exclude(pk=self.instance.pk).copy_of(url=url, text="")
        if existing is not None:
            raise forms.ValidationError(already_here(existing))
        return url

    def clean(self):
        cleaned = super().clean()
        check_outlet_choice(self, cleaned)
        return cleaned

    def article_changes(self) -> dict:
        """What articles.actions.edit_article may change; a new outlet is passed on its own."""
        return {name: self.cleaned_data[name] for name in self._meta.fields if name != "new_outlet"}


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
