"""Content editors may add, change and delete price plans, their prices and node types."""

from django.contrib.auth.management import create_permissions
from django.contrib.contenttypes.management import create_contenttypes
from django.db import migrations

GROUP = "Content editors"
CODENAMES = [
    f"{action}_{model}"
    for model in ("plan", "price", "node")
    for action in ("add", "change", "delete", "view")
]


def _permissions(apps, using):
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
    return Permission.objects.using(using).filter(
        content_type__app_label="decision", codename__in=CODENAMES
    )


def grant(apps, schema_editor):
    using = schema_editor.connection.alias
    group = apps.get_model("auth", "Group").objects.using(using).filter(name=GROUP).first()
    if group is not None:
        group.permissions.add(*_permissions(apps, using))


def revoke(apps, schema_editor):
    using = schema_editor.connection.alias
    group = apps.get_model("auth", "Group").objects.using(using).filter(name=GROUP).first()
    if group is not None:
        group.permissions.remove(*_permissions(apps, using))


class Migration(migrations.Migration):
    dependencies = [
        ("decision", "0011_prices_for_cost_estimates"),
        ("decision", "0004_content_editors_group"),
    ]

    operations = [migrations.RunPython(grant, revoke)]
