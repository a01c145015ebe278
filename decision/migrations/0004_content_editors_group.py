"""The "Content editors" role: edit every piece of content, only look at visitors' results.

Staff in this group (and not superusers) can add, change and delete every content model of
this app (the proxies Pro and Con have their own permissions), view Results, and nothing of
users, groups or other apps. A model added later needs its permissions added to the group in
its own migration.
"""

from django.contrib.auth.management import create_permissions
from django.contrib.contenttypes.management import create_contenttypes
from django.db import migrations

GROUP = "Content editors"
CONTENT_MODELS = [
    "comparison",
    "option",
    "optionpoint",
    "pro",
    "con",
    "criterion",
    "dimension",
    "assessment",
    "faqentry",
    "question",
    "choice",
    "choiceweight",
    "ruleout",
    "scenario",
]
CODENAMES = [
    f"{action}_{model}"
    for model in CONTENT_MODELS
    for action in ("add", "change", "delete", "view")
] + ["view_result"]


def create_content_editors(apps, schema_editor):
    # On a fresh database permissions are only made by post_migrate, after every migration:
    # make this app's now. A migration's app config has no models module, which both
    # functions take to mean "no models here", so mark it for the duration.
    using = schema_editor.connection.alias
    app_config = apps.get_app_config("decision")
    models_module = getattr(app_config, "models_module", None)
    app_config.models_module = True
    try:
        create_contenttypes(app_config, verbosity=0, using=using, apps=apps)
        create_permissions(app_config, verbosity=0, using=using, apps=apps)
    finally:
        app_config.models_module = models_module

    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    permissions = list(
        Permission.objects.using(using).filter(
            content_type__app_label="decision", codename__in=CODENAMES
        )
    )
    missing = set(CODENAMES) - {permission.codename for permission in permissions}
    if missing:
        raise RuntimeError(f"Permissions missing for {GROUP!r}: {', '.join(sorted(missing))}")
    group, _ = Group.objects.using(using).get_or_create(name=GROUP)
    # Exactly these: a group of that name made by hand gets no more than the role allows.
    group.permissions.set(permissions)


def delete_content_editors(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    Group.objects.using(schema_editor.connection.alias).filter(name=GROUP).delete()


class Migration(migrations.Migration):
    dependencies = [
        # After the other 0003 (both start from 0002_wizard), so the app keeps one leaf.
        ("decision", "0003_protect_references_drafts_permalinks"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(create_content_editors, delete_content_editors)]
