"""Create the three roles as groups, each with the permissions its work needs."""

from django.contrib.auth.management import create_permissions
from django.db import migrations

READ_EVERYTHING = [
    "articles.view_article",
    "claims.view_claim",
    "claims.view_claimant",
    "claims.view_mention",
    "claims.view_rating",
    "claims.view_tag",
    "sources.view_outlet",
    "sources.view_source",
    "sources.view_evidence",
]
RESEARCHER = [
    *READ_EVERYTHING,
    "articles.add_article",
    "articles.change_article",
    "claims.add_claim",
    "claims.change_claim",
    "claims.add_claimant",
    "claims.change_claimant",
    "claims.add_mention",
    "claims.change_mention",
    "claims.delete_mention",
    "claims.add_tag",
    "sources.add_source",
    "sources.add_evidence",
    "sources.change_evidence",
    "sources.delete_evidence",
]
REVIEWER = [*RESEARCHER, "claims.review_claim"]
SOURCE_ADMIN = [
    *READ_EVERYTHING,
    "sources.add_outlet",
    "sources.change_outlet",
    "sources.delete_outlet",
    "sources.add_source",
    "sources.change_source",
    "sources.delete_source",
    "claims.add_rating",
    "claims.change_rating",
    "claims.delete_rating",
]
ROLES = {"Researcher": RESEARCHER, "Reviewer": REVIEWER, "Source admin": SOURCE_ADMIN}


def create_roles(apps, schema_editor):
    # Permissions are normally created after all migrations; roles need them now.
    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for role, names in ROLES.items():
        group, _ = Group.objects.get_or_create(name=role)
        for name in names:
            app_label, codename = name.split(".")
            group.permissions.add(
                Permission.objects.get(content_type__app_label=app_label, codename=codename)
            )


def remove_roles(apps, schema_editor):
    apps.get_model("auth", "Group").objects.filter(name__in=ROLES).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("claims", "0002_default_rating_scale"),
        ("articles", "0002_initial"),
        ("sources", "0001_initial"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]
    operations = [migrations.RunPython(create_roles, remove_roles)]
