"""The drip questions a fresh installation starts with (an admin reorders, edits or
deactivates them; deactivate rather than delete, or they come back on the next migrate)."""

from __future__ import annotations

from typing import Any

DEFAULT_QUESTIONS: list[tuple[Any, ...]] = [
    # key, category, zh, en, kind, choices, position
    (
        "birth_date",
        "custom",
        "方便告诉我们您的生日吗？生日当月有专属礼遇。",
        "May we know your birthday? There is a gift in your birthday month.",
        "date",
        [],
        10,
    ),
    (
        "email",
        "custom",
        "可以留一个电子邮箱，方便给您发送电子发票和订单通知吗？",
        "Could you leave an email address for e-invoices and order notices?",
        "text",
        [],
        20,
    ),
    (
        "preferred_channel",
        "preference",
        "您更希望我们通过哪种方式联系您？",
        "How would you prefer us to contact you?",
        "choice",
        [["电话", "Phone"], ["短信", "SMS"], ["邮件", "Email"], ["微信", "WeChat"]],
        30,
    ),
    (
        "preferred_contact_time",
        "preference",
        "一般什么时间联系您比较方便？",
        "What time of day suits you best for a call?",
        "choice",
        [["上午", "Morning"], ["下午", "Afternoon"], ["晚上", "Evening"], ["周末", "Weekend"]],
        40,
    ),
    (
        "hobby",
        "hobby",
        "平时有什么兴趣爱好吗？我们可以推荐相关的活动。",
        "Any hobbies? We can tell you about related events.",
        "text",
        [],
        50,
    ),
    (
        "household_size",
        "habit",
        "家里一共有几口人？",
        "How many people live in your household?",
        "text",
        [],
        60,
    ),
]


def seed_questions() -> int:
    """Create the default questions whose key is not configured yet."""
    from hudong.customers.models import DripQuestion

    have = set(DripQuestion.objects.values_list("key", flat=True))
    created = 0
    for key, category, zh, en, kind, choices, position in DEFAULT_QUESTIONS:
        if key in have:
            continue
        DripQuestion.objects.create(
            key=key,
            category=category,
            question_zh=zh,
            question_en=en,
            answer_kind=kind,
            choices=choices,
            position=position,
        )
        created += 1
    return created
