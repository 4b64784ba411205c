"""Action notes: a department head (or the manager above) records what they do."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone

from paperless.access import permissions
from paperless.forms import ActionNoteForm
from paperless.reads import units


@login_required
def note_create(request: HttpRequest, code: str) -> HttpResponse:
    unit = units.department_by_code(code)
    if unit is None or not permissions.can_write_note(request.user, unit):
        return render(request, "paperless/dashboard/forbidden.html", status=403)
    if request.method == "POST":
        form = ActionNoteForm(request.POST)
        if form.is_valid():
            note = form.save(commit=False)
            note.department = unit
            note.author = request.user
            note.save()
            messages.success(request, "改善の取組を登録しました。")
            return redirect(reverse("paperless:unit", args=[unit.code]) + "#notes")
    else:
        form = ActionNoteForm(initial={"noted_on": timezone.localdate()})
    return render(request, "paperless/dashboard/note_form.html", {"unit": unit, "form": form})
