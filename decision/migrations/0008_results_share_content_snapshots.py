"""Results share one content snapshot per content version instead of a copy each.

Existing results keep their tokens and pages: each row's stored content moves to the snapshot
of its fingerprint (created once), its recommendation stays on the row. Rows that repeat an
earlier row's answers on the same content keep their own links, with no answers key.
"""

import hashlib
import json

import django.db.models.deletion
from django.db import migrations, models


def answers_key(answers: dict) -> str:
    text = json.dumps(answers, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(text.encode()).hexdigest()


def split_snapshots(apps, schema_editor):
    Result = apps.get_model("decision", "Result")
    ContentSnapshot = apps.get_model("decision", "ContentSnapshot")
    snapshots: dict[str, int] = {}
    keys: set[tuple[int, str]] = set()
    for result in Result.objects.order_by("created_at", "pk").iterator():
        stored = result.snapshot or {}
        fingerprint = result.content_fingerprint
        if fingerprint not in snapshots:
            snapshots[fingerprint] = ContentSnapshot.objects.create(
                fingerprint=fingerprint,
                version=stored.get("version", 1),
                content=stored.get("content", {}),
            ).pk
        content_id = snapshots[fingerprint]
        key = answers_key(result.answers)
        first = (content_id, key) not in keys
        keys.add((content_id, key))
        Result.objects.filter(pk=result.pk).update(
            content_id=content_id,
            recommendation=stored.get("recommendation", {}),
            answers_key=key if first else None,
        )


def join_snapshots(apps, schema_editor):
    Result = apps.get_model("decision", "Result")
    for result in Result.objects.select_related("content").iterator():
        Result.objects.filter(pk=result.pk).update(
            content_fingerprint=result.content.fingerprint,
            snapshot={
                "version": result.content.version,
                "content": result.content.content,
                "recommendation": result.recommendation,
            },
        )


class Migration(migrations.Migration):
    dependencies = [
        ("decision", "0007_slugs_as_long_as_the_schema_allows"),
    ]

    operations = [
        migrations.CreateModel(
            name="ContentSnapshot",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("fingerprint", models.CharField(max_length=64, unique=True)),
                ("version", models.PositiveSmallIntegerField(help_text="The snapshot format it was written in.")),
                ("content", models.JSONField()),
                ("created_at", models.DateTimeField(auto_now_add=True)),
            ],
        ),
        migrations.AddField(
            model_name="result",
            name="content",
            field=models.ForeignKey(null=True, on_delete=django.db.models.deletion.PROTECT, related_name="results", to="decision.contentsnapshot"),
        ),
        migrations.AddField(
            model_name="result",
            name="answers_key",
            field=models.CharField(max_length=64, null=True),
        ),
        migrations.AddField(
            model_name="result",
            name="recommendation",
            field=models.JSONField(null=True, help_text="The recommendation, with its explanation."),
        ),
        migrations.AlterField(
            model_name="result",
            name="snapshot",
            field=models.JSONField(null=True),
        ),
        migrations.AlterField(
            model_name="result",
            name="content_fingerprint",
            field=models.CharField(max_length=64, null=True),
        ),
        migrations.RunPython(split_snapshots, join_snapshots),
        migrations.RemoveField(model_name="result", name="snapshot"),
        migrations.RemoveField(model_name="result", name="content_fingerprint"),
        migrations.AlterField(
            model_name="result",
            name="content",
            field=models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name="results", to="decision.contentsnapshot"),
        ),
        migrations.AlterField(
            model_name="result",
            name="recommendation",
            field=models.JSONField(help_text="The recommendation, with its explanation."),
        ),
        migrations.AddConstraint(
            model_name="result",
            constraint=models.UniqueConstraint(fields=("content", "answers_key"), name="one_result_per_answers_and_content"),
        ),
    ]
