"""Every role that reads claims may read and join their discussion."""

from django.contrib.auth.management import create_permissions
from django.db import migrations

DISCUSSION = ["view_comment", "add_comment"]
ROLES = ["Researcher", "Reviewer", "Source admin"]


def grant(apps, schema_editor):
    # The Comment model's permissions would only be made after every migration has run.
    claims = apps.get_app_config("claims")
    claims.models_module = True
    create_permissions(claims, apps=apps, verbosity=0)
    claims.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    rights = Permission.objects.filter(content_type__app_label="claims", codename__in=DISCUSSION)
    for group in Group.objects.filter(name__in=ROLES):
        group.permissions.add(*rights)


def revoke(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    rights = Permission.objects.filter(content_type__app_label="claims", codename__in=DISCUSSION)
    for group in Group.objects.filter(name__in=ROLES):
        group.permissions.remove(*rights)


class Migration(migrations.Migration):
    dependencies = [
        ("claims", "0014_discussion_and_notifications"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]
    operations = [migrations.RunPython(grant, revoke)]
