"""Fill the name search keys of existing customers and seed the default drip questions."""

from typing import Any

from django.db import migrations

DEFAULT_QUESTIONS = [
    # key, category, zh, en, kind, choices, position
    ("birth_date", "custom", "方便告诉我们您的生日吗？生日当月有专属礼遇。",
     "May we know your birthday? There is a gift in your birthday month.", "date", [], 10),
    ("email", "custom", "可以留一个电子邮箱，方便给您发送电子发票和订单通知吗？",
     "Could you leave an email address for e-invoices and order notices?", "text", [], 20),
    ("preferred_channel", "preference", "您更希望我们通过哪种方式联系您？",
     "How would you prefer us to contact you?", "choice",
     ["phone", "sms", "email", "wechat"], 30),
    ("preferred_contact_time", "preference", "一般什么时间联系您比较方便？",
     "What time of day suits you best for a call?", "choice",
     ["morning", "afternoon", "evening", "weekend"], 40),
    ("hobby", "hobby", "平时有什么兴趣爱好吗？我们可以推荐相关的活动。",
     "Any hobbies? We can tell you about related events.", "text", [], 50),
    ("household_size", "habit", "家里一共有几口人？",
     "How many people live in your household?", "text", [], 60),
]


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
    DripQuestion = apps.get_model("customers", "DripQuestion")
    for key, category, zh, en, kind, choices, position in DEFAULT_QUESTIONS:
        DripQuestion.objects.get_or_create(
            key=key,
            defaults={
                "category": category,
                "question_zh": zh,
                "question_en": en,
                "answer_kind": kind,
                "choices": choices,
                "position": position,
            },
        )


class Migration(migrations.Migration):
    dependencies = [("customers", "0002_resolution_quality")]
    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
