"""The action note form: what a department does to reach the target."""

from __future__ import annotations

from datetime import date

from django import forms
from django.utils import timezone

from paperless.core.fiscal import format_month_iso, parse_month_iso
from paperless.models import ActionNote


class MonthField(forms.CharField):
    """A month as ``YYYY-MM`` (what ``<input type="month">`` sends), stored as its first day."""

    widget = forms.TextInput(attrs={"type": "month", "placeholder": "2023-03"})

    def to_python(self, value: str | None) -> date | None:
        text = (super().to_python(value) or "").strip()
        if not text:
            return None
        try:
            return parse_month_iso(text)
        except ValueError:
            raise forms.ValidationError(
                "年月は 2023-03 のように YYYY-MM で入力してください。", code="invalid"
            ) from None

    def prepare_value(self, value: date | str | None) -> str:
        return format_month_iso(value) if isinstance(value, date) else (value or "")


class ActionNoteForm(forms.ModelForm):
    target_month = MonthField(
        label="目標達成予定月（任意）",
        required=False,
        help_text="取組基準（削減率30%）に届く見込みの月。",
    )

    class Meta:
        model = ActionNote
        fields = ["text", "noted_on", "target_month"]
        labels = {"text": "取組内容", "noted_on": "記入日"}
        help_texts = {"text": "いつから、何を、どう変えるかを書いてください（2,000字まで）。"}
        widgets = {
            "text": forms.Textarea(attrs={"rows": 6, "maxlength": 2000}),
            "noted_on": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        }
        error_messages = {
            "text": {"required": "取組内容を入力してください。"},
            "noted_on": {
                "required": "記入日を入力してください。",
                "invalid": "記入日は日付で入力してください。",
            },
        }

    def clean_noted_on(self) -> date:
        noted_on = self.cleaned_data["noted_on"]
        if noted_on > timezone.localdate():
            raise forms.ValidationError("記入日に未来の日付は入力できません。", code="future")
        return noted_on

    def clean_text(self) -> str:
        text = self.cleaned_data["text"].strip()
        if not text:
            raise forms.ValidationError("取組内容を入力してください。", code="required")
        return text
