"""Fill the name search keys of existing customers."""

from typing import Any

from django.db import migrations


def forwards(apps: Any, schema_editor: Any) -> None:
    from hudong.customers.names import search_keys

    Customer = apps.get_model("customers", "Customer")
    batch = []
    for c in Customer.objects.only("id", "name", "name_latin").iterator(chunk_size=2000):
        c.name_key, c.name_pinyin = search_keys(c.name, c.name_latin)
        batch.append(c)
        if len(batch) >= 2000:
            Customer.objects.bulk_update(batch, ["name_key", "name_pinyin"])
            batch = []
    if batch:
        Customer.objects.bulk_update(batch, ["name_key", "name_pinyin"])


class Migration(migrations.Migration):
    dependencies = [("customers", "0002_resolution_quality")]
    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
