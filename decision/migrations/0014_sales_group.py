"""The "Sales" role: follow up leads; content editors see the analytics and the votes.

Sales staff view and change leads (their status and notes: what a visitor sent is read-only in
admin), view votes, results and the analytics counts, and nothing of content, users or groups.
No delete: leads leave by the retention purge (`manage.py purge_leads`) or by a superuser.

Content editors get the analytics counts and the votes, to learn what visitors make of the
content, and nothing on leads: those hold names and email addresses.
"""

from django.contrib.auth.management import create_permissions
from django.contrib.contenttypes.management import create_contenttypes
from django.db import migrations

SALES = "Sales"
SALES_CODENAMES = [
    "view_lead",
    "change_lead",
    "view_vote",
    "view_result",
    "view_dailycount",
]
EDITORS = "Content editors"
EDITORS_CODENAMES = ["view_dailycount", "view_vote"]


def _permissions(apps, using, codenames):
    # As in 0004: on a fresh database permissions only appear after every migration.
    app_config = apps.get_app_config("decision")
    models_module = getattr(app_config, "models_module", None)
    app_config.models_module = True
    try:
        create_contenttypes(app_config, verbosity=0, using=using, apps=apps)
        create_permissions(app_config, verbosity=0, using=using, apps=apps)
    finally:
        app_config.models_module = models_module
    Permission = apps.get_model("auth", "Permission")
    permissions = list(
        Permission.objects.using(using).filter(
            content_type__app_label="decision", codename__in=codenames
        )
    )
    missing = set(codenames) - {permission.codename for permission in permissions}
    if missing:
        raise RuntimeError(f"Permissions missing: {', '.join(sorted(missing))}")
    return permissions


def grant(apps, schema_editor):
    using = schema_editor.connection.alias
    Group = apps.get_model("auth", "Group")
    sales, _ = Group.objects.using(using).get_or_create(name=SALES)
    # Exactly these: a group of that name made by hand gets no more than the role allows.
    sales.permissions.set(_permissions(apps, using, SALES_CODENAMES))
    editors = Group.objects.using(using).filter(name=EDITORS).first()
    if editors is not None:
        editors.permissions.add(*_permissions(apps, using, EDITORS_CODENAMES))


def revoke(apps, schema_editor):
    using = schema_editor.connection.alias
    Group = apps.get_model("auth", "Group")
    Group.objects.using(using).filter(name=SALES).delete()
    editors = Group.objects.using(using).filter(name=EDITORS).first()
    if editors is not None:
        editors.permissions.remove(*_permissions(apps, using, EDITORS_CODENAMES))


class Migration(migrations.Migration):
    dependencies = [
        ("decision", "0013_leads_votes_and_daily_counts"),
        ("decision", "0012_content_editors_edit_prices"),
        ("decision", "0004_content_editors_group"),
    ]

    operations = [migrations.RunPython(grant, revoke)]
