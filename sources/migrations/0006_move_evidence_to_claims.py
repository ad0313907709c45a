"""Evidence moves to the claims app: it links a claim to a source, so it sits above the register.

Only Django's state changes here; the tables are renamed, so no row moves.
"""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("sources", "0005_list_index"),
        # Every earlier migration that reads evidence where it was runs first.
        ("claims", "0007_search"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[
                migrations.AlterModelTable("evidence", "claims_evidence"),
                migrations.AlterModelTable("historicalevidence", "claims_historicalevidence"),
            ],
            state_operations=[
                migrations.RemoveConstraint(
                    model_name="evidence",
                    name="evidence_once_per_claim_source_stance",
                ),
                migrations.RemoveConstraint(
                    model_name="evidence",
                    name="evidence_stance_valid",
                ),
                migrations.RemoveConstraint(
                    model_name="evidence",
                    name="evidence_excerpt_length",
                ),
                migrations.RemoveField(
                    model_name="evidence",
                    name="added_by",
                ),
                migrations.RemoveField(
                    model_name="evidence",
                    name="claim",
                ),
                migrations.RemoveField(
                    model_name="evidence",
                    name="source",
                ),
                migrations.DeleteModel(
                    name="HistoricalEvidence",
                ),
                migrations.DeleteModel(
                    name="Evidence",
                ),
            ],
        ),
    ]
