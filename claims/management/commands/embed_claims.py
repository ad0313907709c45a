"""Store the matcher's vectors for claims that lack them, or that an older model made."""

from claims import actions
from claims.models import Claim
from lib.embedding import EmbedMissing


class Command(EmbedMissing):
    help = (
        "Embed every claim without a vector from the current model (claims.matching), in "
        "batches; stopped and run again, it carries on where it stopped."
    )
    records = Claim
    embed = staticmethod(actions.embed_claims)
    noun = "claims"
