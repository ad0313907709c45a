"""Seed the default verdict scale; admins can edit or extend it afterwards."""

from django.db import migrations

# label, numeric value (6 = true ... 1 = false; none for off-scale), colour, description
DEFAULT_SCALE = [
    ("True", 6, "#1a7f37", "Accurate, with nothing significant missing."),
    ("Mostly true", 5, "#4d9e3a", "Accurate but needs clarification or more detail."),
    ("Partly true", 4, "#b08800", "Accurate in part; leaves out or distorts important details."),
    ("Misleading", 3, "#c4610a", "Contains some truth but gives a false impression."),
    ("Mostly false", 2, "#c93c20", "Contains an element of truth but ignores critical facts."),
    ("False", 1, "#a40e26", "Not accurate."),
    ("Unverified", None, "#6e7781", "The available evidence does not settle it either way."),
]


def seed_scale(apps, schema_editor):
    Rating = apps.get_model("claims", "Rating")
    for position, (label, value, colour, description) in enumerate(DEFAULT_SCALE, start=1):
        Rating.objects.get_or_create(
            label=label,
            defaults={
                "position": position,
                "value": value,
                "colour": colour,
                "description": description,
            },
        )


def remove_scale(apps, schema_editor):
    Rating = apps.get_model("claims", "Rating")
    Rating.objects.filter(label__in=[row[0] for row in DEFAULT_SCALE], claims=None).delete()


class Migration(migrations.Migration):
    dependencies = [("claims", "0001_initial")]
    operations = [migrations.RunPython(seed_scale, remove_scale)]
