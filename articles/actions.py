"""Every write to articles: revising the text keeps the old one as a revision."""

from django.db import transaction

from sources.extraction import normalise_text

from .models import Article, ArticleRevision


class StaleText(Exception):
    """The text changed after the editor opened it; saving would overwrite someone's work."""


@transaction.atomic
def revise_text(article: Article, new_text: str, *, base_hash: str, by) -> Article:
    """Keep the old text as a revision and save the new one; the article comes back locked.

    Mentions point into the text: claims.actions.revise_article_text calls this and then moves
    them, in the same transaction.
    """
    article = Article.objects.select_for_update().get(pk=article.pk)
    if article.content_hash != base_hash:
        raise StaleText
    ArticleRevision.objects.create(
        article=article, text=article.text, content_hash=article.content_hash, replaced_by=by
    )
    article.text = normalise_text(new_text)
    article.save(update_fields=["text", "updated_at"])
    return article
