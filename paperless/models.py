"""The domain: org tree, monthly counts with history, uploads, policy, notes, alerts.

One module, as Django expects: every model of the app and the small validators and
storage they share, each model a concept of DESIGN.md §2 (why it passes ~300 lines).
"""

from __future__ import annotations

import os
import re
import uuid
from datetime import date
from decimal import Decimal

from django.conf import settings
from django.core.files.storage import FileSystemStorage
from django.core.validators import MaxValueValidator, MinValueValidator, validate_email
from django.db import models
from django.db.models import F, Q
from simple_history.models import HistoricalRecords

from paperless.core.fiscal import fiscal_year
from paperless.data_version import VERSION_ROW, VersionedQuerySet

_EMAIL_SPLIT = re.compile(r"[\s,;、，]+")


class PrivateStorage(FileSystemStorage):
    """Uploaded originals: a folder no web server serves (see the download view).

    The folder is read from settings.UPLOAD_ROOT at each use, not fixed at import,
    so a deployment (or a test) that changes the setting is obeyed.
    """

    @property
    def base_location(self):
        return self._value_or_setting(self._location, settings.UPLOAD_ROOT)

    @property
    def location(self):
        return os.path.abspath(self.base_location)


def private_storage() -> FileSystemStorage:
    return PrivateStorage()


def upload_path(instance: Upload, filename: str) -> str:
    # A random name: the original name is kept in the row, never on disk.
    return f"{date.today():%Y/%m}/{uuid.uuid4().hex}"


def split_emails(text: str) -> list[str]:
    return [e for e in _EMAIL_SPLIT.split(text or "") if e]


def validate_emails(text: str) -> None:
    for address in split_emails(text):
        validate_email(address)


class Succession(models.Model):
    """One link of a reorganisation: the heir ``from_unit`` takes over ``share`` of the
    predecessor ``to_unit``'s work (and so of its base-year sheets).

    ``share`` is None where the predecessor has this one heir and is abolished (all of
    it); a predecessor split between heirs, or kept active, gives a share on every link
    (DESIGN.md §2, Reorganisations). The table is the one the plain many-to-many field
    used, so the field names stay those Django gave it.
    """

    from_unit = models.ForeignKey(
        "Unit",
        verbose_name="所属（後継）",
        on_delete=models.CASCADE,
        related_name="predecessor_links",
    )
    to_unit = models.ForeignKey(
        "Unit", verbose_name="前身の所属", on_delete=models.CASCADE, related_name="heir_links"
    )
    share = models.DecimalField(
        "引継割合",
        max_digits=5,
        decimal_places=4,
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal(0)), MaxValueValidator(Decimal(1))],
        help_text="前身の業務のうち引き継ぐ割合（0〜1）。一つの後継が全部を引き継ぐ場合は空欄。",
    )

    objects = VersionedQuerySet.as_manager()

    class Meta:
        db_table = "paperless_unit_predecessors"
        verbose_name = "組織改正の引継"
        verbose_name_plural = "組織改正の引継"
        unique_together = [("from_unit", "to_unit")]

    def __str__(self) -> str:
        share = "" if self.share is None else f"（{self.share:%}）"
        return f"{self.to_unit} → {self.from_unit}{share}"


class Unit(models.Model):
    """A unit of the org tree: the city, a bureau, a ward office, a division or a department."""

    class Kind(models.TextChoices):
        CITY = "city", "市"
        BUREAU = "bureau", "局"
        WARD_OFFICE = "ward_office", "区役所"
        DIVISION = "division", "部"
        DEPARTMENT = "department", "所属"

    code = models.CharField("所属コード", max_length=20, unique=True)
    name = models.CharField("所属名", max_length=100)
    kind = models.CharField("種別", max_length=20, choices=Kind.choices)
    parent = models.ForeignKey(
        "self",
        verbose_name="上位所属",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )
    active = models.BooleanField("有効", default=True)
    predecessors = models.ManyToManyField(
        "self",
        verbose_name="前身の所属（4月1日の組織改正）",
        symmetrical=False,
        blank=True,
        related_name="successors",
        through=Succession,
        through_fields=("from_unit", "to_unit"),
    )
    head_emails = models.TextField(
        "所属長メールアドレス",
        blank=True,
        validators=[validate_emails],
        help_text="複数の場合はカンマまたは改行で区切ります。",
    )
    sort_order = models.PositiveIntegerField("表示順", default=0)
    history = HistoricalRecords(m2m_fields=[predecessors])

    objects = VersionedQuerySet.as_manager()

    class Meta:
        verbose_name = "所属"
        verbose_name_plural = "所属（組織）"
        ordering = ["sort_order", "code"]

    def __str__(self) -> str:
        return f"{self.name}（{self.code}）"

    @property
    def emails(self) -> list[str]:
        return split_emails(self.head_emails)

    @property
    def is_department(self) -> bool:
        return self.kind == self.Kind.DEPARTMENT


class Membership(models.Model):
    """A user's unit. What the user may do there comes from their groups (roles)."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="ユーザー",
        on_delete=models.CASCADE,
        related_name="memberships",
    )
    unit = models.ForeignKey(
        Unit, verbose_name="所属", on_delete=models.CASCADE, related_name="memberships"
    )
    history = HistoricalRecords()

    class Meta:
        verbose_name = "担当所属"
        verbose_name_plural = "担当所属"
        constraints = [
            models.UniqueConstraint(fields=["user", "unit"], name="membership_unique_user_unit")
        ]

    def __str__(self) -> str:
        return f"{self.user} → {self.unit}"


class Upload(models.Model):
    """One file received (web or command line), kept as sent, with what came of it.

    States (``paperless.importing.counts.states`` moves between them): checking →
    ready (preview stored) or rejected; ready → committing → committed or no_change;
    ready → cancelled, or expired once ``UPLOAD_EXPIRE_HOURS`` have passed.
    """

    class Status(models.TextChoices):
        CHECKING = "checking", "確認中"
        READY = "ready", "確認待ち"
        COMMITTING = "committing", "登録中"
        COMMITTED = "committed", "登録済み"
        NO_CHANGE = "no_change", "変更なし"
        REJECTED = "rejected", "エラーで取込不可"
        CANCELLED = "cancelled", "取消"
        EXPIRED = "expired", "期限切れ"

    class Source(models.TextChoices):
        WEB = "web", "画面"
        COMMAND = "command", "コマンド"

    file = models.FileField("ファイル", storage=private_storage, upload_to=upload_path)
    original_name = models.CharField("元のファイル名", max_length=255)
    sha256 = models.CharField("SHA-256", max_length=64, db_index=True)
    size = models.PositiveBigIntegerField("サイズ（バイト）", default=0)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="登録者",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="uploads",
    )
    uploaded_at = models.DateTimeField("登録日時", auto_now_add=True)
    scope = models.ForeignKey(
        Unit,
        verbose_name="対象範囲",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="uploads",
    )
    source = models.CharField("経路", max_length=10, choices=Source.choices, default=Source.WEB)
    status = models.CharField(
        "状態", max_length=12, choices=Status.choices, default=Status.CHECKING
    )
    summary = models.JSONField("結果", default=dict, blank=True)
    # What the task has done so far (step, rows read, rows checked), for the progress page.
    progress = models.JSONField("進み具合", default=dict, blank=True)
    committed_at = models.DateTimeField("確定日時", null=True, blank=True)

    class Meta:
        verbose_name = "アップロード"
        verbose_name_plural = "アップロード"
        ordering = ["-uploaded_at"]

    def __str__(self) -> str:
        return f"{self.original_name}（{self.uploaded_at:%Y-%m-%d %H:%M}）"


class MonthlyCount(models.Model):
    """The current print and copy sheets of one department in one month."""

    department = models.ForeignKey(
        Unit,
        verbose_name="所属",
        on_delete=models.PROTECT,
        related_name="counts",
        limit_choices_to={"kind": Unit.Kind.DEPARTMENT},
        db_index=False,  # led by the unique (department, month) and the index below
    )
    month = models.DateField("年月", help_text="月の初日で保存します。")
    print_sheets = models.PositiveBigIntegerField("印刷枚数")
    copy_sheets = models.PositiveBigIntegerField("コピー枚数")
    excluded_sheets = models.PositiveBigIntegerField(
        "除外枚数",
        null=True,
        blank=True,
        help_text="法令や外部の求めで紙が必要な枚数（印刷＋コピーの内数）。",
    )
    note = models.CharField("備考", max_length=200, blank=True)
    upload = models.ForeignKey(
        Upload,
        verbose_name="取込元",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="counts",
    )
    created_at = models.DateTimeField("作成日時", auto_now_add=True)
    updated_at = models.DateTimeField("更新日時", auto_now=True)
    history = HistoricalRecords()

    objects = VersionedQuerySet.as_manager()

    class Meta:
        verbose_name = "月別枚数"
        verbose_name_plural = "月別枚数"
        ordering = ["department__code", "month"]
        constraints = [
            models.UniqueConstraint(fields=["department", "month"], name="count_unique_month"),
            models.CheckConstraint(
                condition=Q(excluded_sheets__isnull=True)
                | Q(excluded_sheets__lte=F("print_sheets") + F("copy_sheets")),
                name="count_excluded_within_total",
            ),
        ]
        # Each department's latest change, read by the dashboards for 2,000 departments
        # as one index probe each (reads.activity.last_reports).
        indexes = [models.Index(fields=["department", "updated_at"], name="count_last_change")]

    def __str__(self) -> str:
        return f"{self.department.name} {self.month:%Y-%m}"

    @property
    def total_sheets(self) -> int:
        return self.print_sheets + self.copy_sheets


class Policy(models.Model):
    """Targets in force from a fiscal year on, until a later policy replaces them."""

    class Basis(models.TextChoices):
        GROSS = "gross", "総枚数（除外なし）"
        ADJUSTED = "adjusted", "除外枚数を除く"

    fiscal_year = models.PositiveSmallIntegerField("適用開始年度", unique=True)
    base_fiscal_year = models.PositiveSmallIntegerField("基準年度", default=2020)
    threshold = models.DecimalField(
        "取組基準（削減率）",
        max_digits=4,
        decimal_places=3,
        default=Decimal("0.300"),
        validators=[MinValueValidator(Decimal("0")), MaxValueValidator(Decimal("1"))],
        help_text="この削減率に届かない所属は「未達」です。0.300 = 30%",
    )
    city_goal = models.DecimalField(
        "全市目標（削減率）",
        max_digits=4,
        decimal_places=3,
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal("0")), MaxValueValidator(Decimal("1"))],
    )
    programme_start = models.DateField("取組開始月", null=True, blank=True)
    status_basis = models.CharField(
        "判定に使う削減率", max_length=10, choices=Basis.choices, default=Basis.GROSS
    )
    history = HistoricalRecords()

    objects = VersionedQuerySet.as_manager()

    class Meta:
        verbose_name = "目標設定"
        verbose_name_plural = "目標設定"
        ordering = ["-fiscal_year"]

    def __str__(self) -> str:
        return f"{self.fiscal_year}年度から"

    @classmethod
    def for_fiscal_year(cls, fy: int) -> Policy:
        """The policy in force in fiscal year fy; the defaults when none is stored."""
        found = cls.objects.filter(fiscal_year__lte=fy).order_by("-fiscal_year").first()
        return found or cls(fiscal_year=fy)

    @classmethod
    def for_date(cls, day: date) -> Policy:
        return cls.for_fiscal_year(fiscal_year(day))


class ActionNote(models.Model):
    """What a department does to reach the target (the mayor asked for it at once)."""

    department = models.ForeignKey(
        Unit,
        verbose_name="所属",
        on_delete=models.PROTECT,
        related_name="action_notes",
        limit_choices_to={"kind": Unit.Kind.DEPARTMENT},
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="記入者",
        on_delete=models.PROTECT,
        related_name="action_notes",
    )
    text = models.TextField("取組内容", max_length=2000)
    noted_on = models.DateField("記入日", default=date.today)
    target_month = models.DateField("目標達成予定月", null=True, blank=True)
    created_at = models.DateTimeField("作成日時", auto_now_add=True)
    history = HistoricalRecords()

    objects = VersionedQuerySet.as_manager()

    class Meta:
        verbose_name = "改善の取組"
        verbose_name_plural = "改善の取組"
        ordering = ["-noted_on", "-created_at"]

    def __str__(self) -> str:
        return f"{self.department.name} {self.noted_on}"


class AlertDelivery(models.Model):
    """One e-mail of the weekly run, claimed before sending so it goes out at most once.

    pending → sending (claimed and committed before the SMTP call) → sent, failed, or
    pending again after a transient error. A row left sending was cut short between
    the SMTP call and its record: nobody knows whether it arrived, so it is never sent
    again by itself; a person checks and resolves it.
    """

    class Kind(models.TextChoices):
        LAGGING = "lagging", "未達の所属へ"
        MISSING = "missing", "未報告の所属へ"
        MANAGER = "manager", "区長・局長へ"
        DIGEST = "digest", "CDXO・幹部へ"

    class Status(models.TextChoices):
        PENDING = "pending", "送信待ち"
        SENDING = "sending", "送信中"
        SENT = "sent", "送信済み"
        FAILED = "failed", "失敗"
        SKIPPED = "skipped", "送信せず"

    week = models.DateField("週（月曜日）")
    kind = models.CharField("種類", max_length=10, choices=Kind.choices)
    recipient = models.EmailField("宛先")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="ユーザー",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="alert_deliveries",
    )
    units = models.ManyToManyField(Unit, verbose_name="対象の所属", blank=True)
    subject = models.CharField("件名", max_length=200, blank=True)
    status = models.CharField("状態", max_length=10, choices=Status.choices, default=Status.PENDING)
    reason = models.TextField("理由・エラー", blank=True)
    attempts = models.PositiveSmallIntegerField("試行回数", default=0)
    created_at = models.DateTimeField("作成日時", auto_now_add=True)
    updated_at = models.DateTimeField("更新日時", auto_now=True)
    sent_at = models.DateTimeField("送信日時", null=True, blank=True)
    claimed_at = models.DateTimeField("送信開始日時", null=True, blank=True)

    class Meta:
        verbose_name = "アラート送信記録"
        verbose_name_plural = "アラート送信記録"
        ordering = ["-week", "kind", "recipient"]
        constraints = [
            models.UniqueConstraint(
                fields=["recipient", "kind", "week"], name="alert_once_per_week"
            )
        ]

    def __str__(self) -> str:
        return f"{self.week} {self.get_kind_display()} {self.recipient}"


class CounterAssignment(models.Model):
    """機器台帳: which counter of a multifunction device feeds which department, and when.

    A row without 部門ID assigns the whole device; a row with one assigns that department
    ID's counters of a shared device (部門管理). Periods of one counter never overlap, and a
    whole-device row never overlaps a department-ID row of the same device (checked by
    the register import and the admin form alike).
    """

    device_serial = models.CharField("機器番号", max_length=50)
    account = models.CharField(
        "部門ID", max_length=20, blank=True, help_text="空欄は機器全体を割り当てます。"
    )
    department = models.ForeignKey(
        Unit,
        verbose_name="所属",
        on_delete=models.PROTECT,
        related_name="counter_assignments",
        limit_choices_to={"kind": Unit.Kind.DEPARTMENT},
    )
    start_date = models.DateField("利用開始日")
    end_date = models.DateField("利用終了日", null=True, blank=True)
    model_name = models.CharField("機種", max_length=100, blank=True)
    location = models.CharField("設置場所", max_length=200, blank=True)
    history = HistoricalRecords()

    objects = VersionedQuerySet.as_manager()

    class Meta:
        verbose_name = "機器台帳"
        verbose_name_plural = "機器台帳"
        ordering = ["device_serial", "account", "start_date"]
        constraints = [
            models.UniqueConstraint(
                fields=["device_serial", "account", "start_date"], name="assignment_unique_start"
            ),
            models.CheckConstraint(
                condition=Q(end_date__isnull=True) | Q(end_date__gte=F("start_date")),
                name="assignment_end_after_start",
            ),
        ]

    def __str__(self) -> str:
        counter = f"{self.device_serial}／{self.account}" if self.account else self.device_serial
        return f"{counter} → {self.department.name}"


class MeterReading(models.Model):
    """One reading of one counter (cumulative sheets), kept so the next file continues."""

    device_serial = models.CharField("機器番号", max_length=50)
    account = models.CharField("部門ID", max_length=20, blank=True)
    read_on = models.DateField("検針日")
    print_counter = models.PositiveBigIntegerField("印刷カウンター")
    copy_counter = models.PositiveBigIntegerField("コピーカウンター")
    upload = models.ForeignKey(
        Upload,
        verbose_name="取込元",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="meter_readings",
    )
    created_at = models.DateTimeField("作成日時", auto_now_add=True)

    objects = VersionedQuerySet.as_manager()

    class Meta:
        verbose_name = "検針値"
        verbose_name_plural = "検針値"
        ordering = ["device_serial", "account", "read_on"]
        constraints = [
            models.UniqueConstraint(
                fields=["device_serial", "account", "read_on"], name="reading_once_a_day"
            )
        ]

    def __str__(self) -> str:
        return f"{self.device_serial} {self.read_on}"


class DataVersion(models.Model):
    """The one row whose number the dashboard's cache is keyed by (``paperless.data_version``
    raises it in the transaction of every change of the figures' data)."""

    id = models.PositiveSmallIntegerField(primary_key=True, default=VERSION_ROW)
    number = models.BigIntegerField("版", default=0)

    class Meta:
        verbose_name = "データの版"
        verbose_name_plural = "データの版"

    def __str__(self) -> str:
        return str(self.number)
