"""Store the matcher's vectors for external fact-checks without them, or made by an older model."""

from lib.embedding import EmbedMissing
from sources import actions
from sources.models import ExternalFactCheck


class Command(EmbedMissing):
    help = (
        "Embed every external fact-check without a vector from the current model (for the "
        "matcher), in batches; stopped and run again, it carries on where it stopped."
    )
    records = ExternalFactCheck
    embed = staticmethod(actions.embed_fact_checks)
    noun = "external fact-checks"
