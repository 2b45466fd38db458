"""Drop indexes that other indexes already cover: each one costs every insert of a channel.

``customer`` on interactions and threads, and ``agent`` on interactions, lead composite indexes
of their own, and the timeline's channel filter reads the customer's contacts in date order
anyway. The foreign keys' own indexes are dropped by name rather than by altering the fields,
which on SQLite would copy the whole table twice.
"""

from typing import Any

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

# (table, column) whose single-column foreign-key index goes.
COVERED = [
    ("interactions_interaction", "customer_id"),
    ("interactions_interaction", "agent_id"),
    ("interactions_thread", "customer_id"),
]


def _drop_covered(apps: Any, schema_editor: Any) -> None:
    qn = schema_editor.quote_name
    for table, column in COVERED:
        name = schema_editor._create_index_name(table, [column], suffix="")
        schema_editor.execute(f"DROP INDEX IF EXISTS {qn(name)}")


def _restore_covered(apps: Any, schema_editor: Any) -> None:
    qn = schema_editor.quote_name
    for table, column in COVERED:
        name = schema_editor._create_index_name(table, [column], suffix="")
        schema_editor.execute(f"CREATE INDEX {qn(name)} ON {qn(table)} ({qn(column)})")


class Migration(migrations.Migration):
    dependencies = [
        ("customers", "0004_merge_reasons"),
        ("interactions", "0001_initial"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.RemoveIndex(model_name="interaction", name="interaction_custome_b6c664_idx"),
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name="interaction",
                    name="agent",
                    field=models.ForeignKey(
                        blank=True,
                        db_index=False,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="interactions",
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="agent",
                    ),
                ),
                migrations.AlterField(
                    model_name="interaction",
                    name="customer",
                    field=models.ForeignKey(
                        db_index=False,
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="interactions",
                        to="customers.customer",
                        verbose_name="customer",
                    ),
                ),
                migrations.AlterField(
                    model_name="thread",
                    name="customer",
                    field=models.ForeignKey(
                        db_index=False,
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="threads",
                        to="customers.customer",
                        verbose_name="customer",
                    ),
                ),
            ],
            database_operations=[migrations.RunPython(_drop_covered, _restore_covered)],
        ),
    ]
