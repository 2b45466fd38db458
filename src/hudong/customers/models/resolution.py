"""Identity resolution: the review queue of likely duplicates and the merges done, kept undoable."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from hudong.core.models import Job
from hudong.customers.models.records import Customer


class MatchStatus(models.TextChoices):
    PENDING = "pending", _("Waiting for review")
    MERGED = "merged", _("Merged")
    NOT_SAME = "not_same", _("Not the same")
    AUTO_MERGED = "auto_merged", _("Merged automatically")
    UNMERGED = "unmerged", _("Merge undone")


class MatchCandidate(models.Model):
    """A pair that may be one customer. ``left`` is always the lower id, so a pair is stored once
    and a decision on it ("not the same") is remembered for every later run."""

    left = models.ForeignKey(
        Customer, on_delete=models.CASCADE, related_name="+", verbose_name=_("customer")
    )
    right = models.ForeignKey(
        Customer, on_delete=models.CASCADE, related_name="+", verbose_name=_("possible duplicate")
    )
    probability = models.FloatField(_("match probability"))
    evidence = models.JSONField(_("evidence"), default=dict, blank=True)
    source = models.CharField(_("found by"), max_length=20, default="splink")
    status = models.CharField(
        _("status"), max_length=12, choices=MatchStatus.choices, default=MatchStatus.PENDING
    )
    job = models.ForeignKey(Job, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    created_at = models.DateTimeField(_("found at"), default=timezone.now)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["left", "right"], name="matchcandidate_pair_once"),
            models.CheckConstraint(
                condition=models.Q(left__lt=models.F("right")), name="matchcandidate_ordered"
            ),
        ]
        indexes = [models.Index(fields=["status", "-probability"])]
        ordering = ["-probability", "id"]
        verbose_name = _("possible duplicate")
        verbose_name_plural = _("possible duplicates")

    def __str__(self) -> str:
        return f"{self.left_id} ~ {self.right_id} ({self.probability:.2f})"


class MergeReason(models.TextChoices):
    MANUAL = "manual", _("By hand")
    AUTO = "auto", _("Automatically (sure match)")
    DETERMINISTIC = "deterministic", _("Same identifiers on arrival")


class MergeRecord(models.Model):
    """One merge, with everything it changed, so that unmerge restores exactly what was there.

    ``before`` holds the survivor's and the merged record's stored fields, the rows moved from
    one to the other (per model and foreign key), and the rows deleted because the survivor
    already had them (full field values, recreated with their ids on unmerge).
    """

    survivor = models.ForeignKey(
        Customer, on_delete=models.PROTECT, related_name="+", verbose_name=_("kept record")
    )
    merged = models.ForeignKey(
        Customer, on_delete=models.PROTECT, related_name="+", verbose_name=_("merged record")
    )
    reason = models.CharField(
        _("reason"), max_length=20, choices=MergeReason.choices, default=MergeReason.MANUAL
    )
    candidate = models.ForeignKey(
        MatchCandidate, on_delete=models.SET_NULL, null=True, blank=True, related_name="merges"
    )
    before = models.JSONField(_("state before the merge"))
    created_at = models.DateTimeField(_("merged at"), default=timezone.now)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    undone_at = models.DateTimeField(_("undone at"), null=True, blank=True)
    undone_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("merge")
        verbose_name_plural = _("merges")

    def __str__(self) -> str:
        return f"{self.merged_id} → {self.survivor_id}"
