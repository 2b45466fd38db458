"""Data quality: the key facts an agent should know about every customer, and how to ask."""

from __future__ import annotations

from django.db import models
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from hudong.customers.models.records import AttributeCategory


class AnswerKind(models.TextChoices):
    TEXT = "text", _("Text")
    CHOICE = "choice", _("One of a list")
    DATE = "date", _("Date")


class DripQuestion(models.Model):
    """One question of the drip dialogue (滴灌式对话法): asked when its attribute is missing or
    older than its freshness limit, one or two per contact, in the order the admin sets.

    ``key`` names an attribute, or one of the customer's own fields (``birth_date``) or
    identifier kinds (``email``, ``phone``, ``wechat``), which an answer fills directly.
    """

    key = models.CharField(_("attribute key"), max_length=100, unique=True)
    category = models.CharField(
        _("category"), max_length=12, choices=AttributeCategory.choices, default="preference"
    )
    question_zh = models.CharField(_("question (Chinese)"), max_length=300)
    question_en = models.CharField(_("question (English)"), max_length=300)
    answer_kind = models.CharField(
        _("answer"), max_length=10, choices=AnswerKind.choices, default=AnswerKind.TEXT
    )
    # Each choice as [Chinese, English]: the answer is stored in the customer's language, the
    # way agents write free attributes, and shown in the agent's.
    choices = models.JSONField(_("choices"), default=list, blank=True)
    position = models.PositiveIntegerField(_("order"), default=100)
    stale_after_days = models.PositiveIntegerField(
        _("fresh for (days)"), null=True, blank=True, help_text=_("Empty: the site default.")
    )
    is_key_data = models.BooleanField(
        _("counts for completeness"), default=True, help_text=_("Part of the completeness score.")
    )
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["position", "id"]
        verbose_name = _("drip question")
        verbose_name_plural = _("drip questions")

    def __str__(self) -> str:
        return self.key

    def options(self, customer_language: str) -> list[tuple[str, str]]:
        """(value to store, label to show) for each choice."""
        english_ui = (get_language() or "").startswith("en")
        english_customer = customer_language.startswith("en")
        out = []
        for choice in self.choices:
            zh, en = (choice, choice) if isinstance(choice, str) else (choice[0], choice[-1])
            out.append((en if english_customer else zh, en if english_ui else zh))
        return out

    def accepts(self, value: str) -> bool:
        """Whether ``value`` is one of the choices, in either language."""
        flat = {
            c for choice in self.choices for c in ([choice] if isinstance(choice, str) else choice)
        }
        return value in flat

    @property
    def text(self) -> str:
        """The question in the language of the current request."""
        return self.question_en if (get_language() or "").startswith("en") else self.question_zh
