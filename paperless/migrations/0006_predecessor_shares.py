"""Predecessor links get a share (DESIGN.md §2, Reorganisations).

The plain many-to-many table becomes the explicit ``Succession`` model without moving a
row (Django's recipe for adding a through model: state first, then the new column), and
its history table keeps every earlier version under the new name.
"""

from decimal import Decimal

import django.core.validators
import django.db.models.deletion
from django.db import migrations, models

SHARE = dict(
    blank=True,
    decimal_places=4,
    help_text="前身の業務のうち引き継ぐ割合（0〜1）。一つの後継が全部を引き継ぐ場合は空欄。",
    max_digits=5,
    null=True,
    validators=[
        django.core.validators.MinValueValidator(Decimal("0")),
        django.core.validators.MaxValueValidator(Decimal("1")),
    ],
    verbose_name="引継割合",
)


class Migration(migrations.Migration):
    dependencies = [
        ("paperless", "0005_device_register"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name="Succession",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True,
                                primary_key=True,
                                serialize=False,
                                verbose_name="ID",
                            ),
                        ),
                        (
                            "from_unit",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="predecessor_links",
                                to="paperless.unit",
                                verbose_name="所属（後継）",
                            ),
                        ),
                        (
                            "to_unit",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="heir_links",
                                to="paperless.unit",
                                verbose_name="前身の所属",
                            ),
                        ),
                    ],
                    options={
                        "verbose_name": "組織改正の引継",
                        "verbose_name_plural": "組織改正の引継",
                        "db_table": "paperless_unit_predecessors",
                        "unique_together": {("from_unit", "to_unit")},
                    },
                ),
                migrations.AlterField(
                    model_name="unit",
                    name="predecessors",
                    field=models.ManyToManyField(
                        blank=True,
                        related_name="successors",
                        through="paperless.Succession",
                        through_fields=("from_unit", "to_unit"),
                        to="paperless.unit",
                        verbose_name="前身の所属（4月1日の組織改正）",
                    ),
                ),
            ],
            database_operations=[],
        ),
        migrations.AddField(
            model_name="succession",
            name="share",
            field=models.DecimalField(**SHARE),
        ),
        migrations.RenameModel(
            old_name="HistoricalUnit_predecessors", new_name="HistoricalSuccession"
        ),
        migrations.AlterModelOptions(
            name="historicalsuccession",
            options={"verbose_name": "HistoricalSuccession"},
        ),
        migrations.AddField(
            model_name="historicalsuccession",
            name="share",
            field=models.DecimalField(**SHARE),
        ),
        migrations.AlterField(
            model_name="historicalsuccession",
            name="from_unit",
            field=models.ForeignKey(
                blank=True,
                db_constraint=False,
                null=True,
                on_delete=django.db.models.deletion.DO_NOTHING,
                related_name="+",
                to="paperless.unit",
                verbose_name="所属（後継）",
            ),
        ),
        migrations.AlterField(
            model_name="historicalsuccession",
            name="to_unit",
            field=models.ForeignKey(
                blank=True,
                db_constraint=False,
                null=True,
                on_delete=django.db.models.deletion.DO_NOTHING,
                related_name="+",
                to="paperless.unit",
                verbose_name="前身の所属",
            ),
        ),
    ]
