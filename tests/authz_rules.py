"""Who may do what: every URL of the project × every role → the expected answer.

tests/integration/test_authorization_matrix.py walks the URL configuration and fails
for any URL that has no entry in RULES ("new URL without an authorization rule"). An
entry is a list of probes: how to call the URL for a case (kwargs, query string, form
data, built from the case's own or other unit, upload, note) and what each role gets.

The roles of a case (ROLES): an anonymous visitor; a department head (所属長) on their
own department and on another one; a manager (区長・局長) on their own subtree and on
another; an executive (市長・CDXO・幹部); an administrator (管理者); and a signed-in user
without any role. "Other" cases are the IDOR attempts: another unit's code in the path,
the query string or a form field, another person's upload or note.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from django.contrib.auth.models import User
from django.core.files.uploadedfile import SimpleUploadedFile
from django.http import HttpResponse
from django.urls import URLPattern, URLResolver, get_resolver

from paperless.access import permissions
from paperless.core.fiscal import fiscal_months
from paperless.models import (
    ActionNote,
    AlertDelivery,
    Membership,
    MonthlyCount,
    Policy,
    Unit,
    Upload,
)
from tests.conftest import add_counts, make_user

ROLES = (
    "anonymous",
    "head_own",
    "head_other",
    "manager_own",
    "manager_other",
    "executive",
    "admin",
    "nobody",
)
# The day the matrix runs on: FY2022 to date is April 2022 – January 2023.
TODAY = date(2023, 2, 15)


ADMIN_NAMESPACE = "admin"


def walk_urls(patterns=None, namespace: str = "", route: str = "") -> Iterator[tuple[str, str]]:
    """(URL name with its namespace, route) for every pattern, the admin's left out."""
    for pattern in get_resolver().url_patterns if patterns is None else patterns:
        if isinstance(pattern, URLResolver):
            if pattern.namespace == ADMIN_NAMESPACE:
                continue
            inner = f"{namespace}:{pattern.namespace}" if namespace else pattern.namespace
            yield from walk_urls(
                pattern.url_patterns, inner or namespace, route + str(pattern.pattern)
            )
        elif isinstance(pattern, URLPattern):
            full_route = route + str(pattern.pattern)
            if pattern.name is None:
                yield f"<unnamed {full_route!r}>", full_route
            else:
                yield (f"{namespace}:{pattern.name}" if namespace else pattern.name), full_route


# --- What a role gets ------------------------------------------------------------------


@dataclass(frozen=True)
class Expect:
    label: str
    statuses: frozenset[int]
    to_login: bool = False


ALLOWED = Expect("allowed (200)", frozenset({200}))
# A form post that succeeded redirects; one with a user error shows the form again.
ALLOWED_POST = Expect("allowed (200 or redirect)", frozenset({200, 302}))
LOGIN = Expect("sent to the login page", frozenset({302}), to_login=True)
REFUSED = Expect("refused (403 or 404)", frozenset({403, 404}))
# Another unit in a form field may also be rejected by the form itself; then nothing
# may have been written (the probe's `effect` snapshot must not change).
REJECTED = Expect("refused or rejected by the form", frozenset({200, 400, 403, 404}))
REDIRECT = Expect("redirected", frozenset({302}))
NOT_ALLOWED = Expect("method not allowed (405)", frozenset({405}))
# JSON for programs: no redirect to a login page.
UNAUTHORIZED = Expect("401 for a program", frozenset({401}))


def expect(**by_role: Expect) -> dict[str, Expect]:
    missing = set(ROLES) - set(by_role)
    assert not missing, f"roles without an expectation: {sorted(missing)}"
    return by_role


def signed_in(ok: Expect = ALLOWED) -> dict[str, Expect]:
    """Any signed-in user, whatever their role."""
    return expect(**{r: ok for r in ROLES if r != "anonymous"}, anonymous=LOGIN)


def viewers(ok: Expect = ALLOWED, other: Expect = REFUSED) -> dict[str, Expect]:
    """Pages about one unit: its heads, its managers, executives and administrators."""
    return expect(
        anonymous=LOGIN,
        head_own=ok,
        head_other=other,
        manager_own=ok,
        manager_other=other,
        executive=ok,
        admin=ok,
        nobody=REFUSED,
    )


def uploaders(ok: Expect = ALLOWED, other: Expect = REFUSED) -> dict[str, Expect]:
    """Sending counts or notes for a unit: as viewers, but executives only look."""
    return {**viewers(ok, other), "executive": REFUSED}


def administrators(ok: Expect = ALLOWED) -> dict[str, Expect]:
    return {**everyone(REFUSED), "anonymous": LOGIN, "admin": ok}


def everyone(ok: Expect) -> dict[str, Expect]:
    return dict.fromkeys(ROLES, ok)


# --- The world a case sees ---------------------------------------------------------------


@dataclass
class World:
    """Everything the probes point at; built once per test from the shared fixtures."""

    tree: dict[str, Unit]
    users: dict[str, User]
    heads: dict[str, User]  # a department head for each department, by tree key
    notes: dict[str, ActionNote]
    delivery: AlertDelivery
    _uploads: dict[str, Upload] | None = None

    @property
    def uploads(self) -> dict[str, Upload]:
        """Pending uploads made by the real service (built on first use: parsing is slow).

        Confirming one would write its counts, so a refused confirm is visible."""
        if self._uploads is None:
            self._uploads = {
                key: _pending_upload(self.tree[key], user, print_sheets=5000 + i)
                for i, (key, user) in enumerate(self.heads.items())
            }
        return self._uploads


@dataclass
class Case:
    """The world from one role's side: `dept`, `unit`, `upload` and `note` are the
    role's own for *_own cases and someone else's for *_other cases."""

    role: str
    user: User | None
    dept: Unit
    unit: Unit
    note: ActionNote
    world: World
    owned: str  # the tree key of the department whose upload this case points at

    @property
    def own(self) -> bool:
        return not self.role.endswith("_other")

    @property
    def upload(self) -> Upload:
        return self.world.uploads[self.owned]


@dataclass(frozen=True)
class Call:
    kwargs: Mapping[str, Any] = field(default_factory=dict)
    query: Mapping[str, Any] = field(default_factory=dict)
    data: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Probe:
    """One way of calling a URL, with what every role must get.

    effect: a snapshot of what the call may write; for a refused role it must not change.
    check: further assertions on an allowed response (e.g. a download is an attachment).
    """

    method: str
    expect: Mapping[str, Expect]
    build: Callable[[Case], Call] = lambda case: Call()
    label: str = ""
    effect: Callable[[Case], Any] | None = None
    check: Callable[[Case, HttpResponse], None] | None = None


def build_world(tree: dict[str, Unit], users: dict[str, User]) -> World:
    """Counts, uploads by several people, notes and one delivery on the shared tree."""
    heads = {
        "sakai_shimin": users["head"],
        "sakai_kikaku": make_user("head_kikaku", permissions.DEPARTMENT_HEAD, []),
        "naka_shimin": make_user("head_naka", permissions.DEPARTMENT_HEAD, []),
        "zeimu": make_user("head_zeimu", permissions.DEPARTMENT_HEAD, []),
    }
    for key in ("sakai_kikaku", "naka_shimin", "zeimu"):
        Membership.objects.create(user=heads[key], unit=tree[key])
    months = [m for m in fiscal_months(2022) if m <= date(2023, 1, 1)]
    for i, key in enumerate(heads):
        add_counts(tree[key], fiscal_months(2020), 600, 400)
        add_counts(tree[key], months, 400 + 100 * i, 300)
    Policy.objects.create(fiscal_year=2020)
    notes = {
        key: ActionNote.objects.create(department=tree[key], author=user, text=f"{key}の取組")
        for key, user in heads.items()
    }
    delivery = AlertDelivery.objects.create(
        week=date(2023, 2, 13),
        kind=AlertDelivery.Kind.LAGGING,
        recipient="shimin.naka@city.sakai.example",
        subject="【ペーパーレス】削減率が30%に届いていません",
    )
    delivery.units.add(tree["naka_shimin"])
    return World(tree=tree, users=users, heads=heads, notes=notes, delivery=delivery)


def count_file(unit: Unit, *, print_sheets: int, month: str = "2023年1月") -> bytes:
    """A one-row CSV of counts for a unit, as a department head sends it."""
    header = "年月,所属コード,所属名,印刷枚数,コピー枚数"
    return f"{header}\r\n{month},{unit.code},{unit.name},{print_sheets},100\r\n".encode()


def _pending_upload(unit: Unit, user: User, *, print_sheets: int) -> Upload:
    from paperless.importing.counts import service

    upload = service.receive_upload(
        content=count_file(unit, print_sheets=print_sheets),
        filename=f"{unit.code}_2023年1月.csv",
        user=user,
    )
    service.check_upload(upload=upload, user=user)
    assert upload.status == Upload.Status.READY, upload.summary
    return upload


def prepare_world(tree, users, settings, monkeypatch) -> World:
    """build_world, with uploaded files written under this test's own folder."""
    storage = Upload._meta.get_field("file").storage
    if Path(storage.location) != Path(settings.UPLOAD_ROOT):
        # The file field's storage was built at import time, before the test's settings.
        monkeypatch.setattr(storage, "base_location", str(settings.UPLOAD_ROOT))
        monkeypatch.setattr(storage, "location", str(settings.UPLOAD_ROOT))
    return build_world(tree, users)


def allowed_role(probe: Probe) -> str | None:
    """A role this probe lets through (the most ordinary one first), if any."""
    for role in ("head_own", "manager_own", "executive", "admin", "nobody", "anonymous"):
        if probe.expect[role] in (ALLOWED, ALLOWED_POST):
            return role
    return None


# Which department, unit, upload and note each case points at (keys of tree/uploads/notes).
#   head: own department 堺区 市民課; "other" is the sibling 堺区 企画総務課 and the ward
#         office above (a head sees neither).
#   manager: 堺区役所 subtree; "other" is 中区 and its department.
_TARGETS = {
    "head_own": ("head", "sakai_shimin", "sakai_shimin", "sakai_shimin"),
    "head_other": ("head", "sakai_kikaku", "sakai", "sakai_kikaku"),
    "manager_own": ("manager", "sakai_kikaku", "sakai", "sakai_kikaku"),
    "manager_other": ("manager", "naka_shimin", "naka", "naka_shimin"),
    "executive": ("executive", "naka_shimin", "naka", "naka_shimin"),
    "admin": ("admin", "naka_shimin", "naka", "naka_shimin"),
    "nobody": ("nobody", "naka_shimin", "naka", "naka_shimin"),
    "anonymous": (None, "naka_shimin", "naka", "naka_shimin"),
}


def case_for(role: str, world: World) -> Case:
    user_key, dept, unit, owned = _TARGETS[role]
    return Case(
        role=role,
        user=world.users[user_key] if user_key else None,
        dept=world.tree[dept],
        unit=world.tree[unit],
        note=world.notes[owned],
        world=world,
        owned=owned,
    )


# --- Builders used by the rules ------------------------------------------------------------


def _notes_of(case: Case) -> int:
    return ActionNote.objects.filter(department=case.dept).count()


def _login_data(case: Case) -> Call:
    return Call(data={"username": "nobody-here", "password": "not-the-password"})


def _unit_path(case: Case) -> Call:
    return Call(kwargs={"code": case.unit.code})


def _dept_path(case: Case) -> Call:
    return Call(kwargs={"code": case.dept.code})


def _unit_query(case: Case) -> Call:
    return Call(query={"unit": case.unit.code})


def _dept_query(case: Case) -> Call:
    return Call(query={"unit": case.dept.code})


NOTE_TEXT = "両面印刷を標準にし、会議資料を画面共有にします。"


def _note_post(case: Case) -> Call:
    return Call(kwargs={"code": case.dept.code}, data={"text": NOTE_TEXT, "noted_on": "2023-02-15"})


def _note_post_naming_another_department(case: Case) -> Call:
    """A hand-made form field pointing the note at a department nobody here owns."""
    made = _note_post(case)
    return Call(kwargs=made.kwargs, data={**made.data, "department": case.world.tree["zeimu"].pk})


def _no_note_for_zeimu(case: Case, response: HttpResponse) -> None:
    assert (
        not ActionNote.objects.filter(department=case.world.tree["zeimu"])
        .exclude(pk=case.world.notes["zeimu"].pk)
        .exists()
    ), "a note was written for a department named only in a form field"


def _is_attachment(case: Case, response: HttpResponse) -> None:
    assert response["Content-Disposition"].startswith("attachment"), response["Content-Disposition"]


def _upload_pk(case: Case) -> Call:
    return Call(kwargs={"pk": case.upload.pk})


def _upload_state(case: Case) -> tuple:
    """What confirming or cancelling would change: the upload's status and its counts."""
    upload = Upload.objects.get(pk=case.upload.pk)
    sheets = sorted(
        MonthlyCount.objects.filter(month=date(2023, 1, 1)).values_list(
            "department__code", "print_sheets"
        )
    )
    return upload.status, sheets


def _upload_became(status: str) -> Callable[[Case, HttpResponse], None]:
    """For an allowed confirm or cancel: it really happened (not a quiet refusal)."""

    def check(case: Case, response: HttpResponse) -> None:
        assert Upload.objects.get(pk=case.upload.pk).status == status

    return check


def _uploads_made(case: Case) -> int:
    return Upload.objects.count()


def _file_for_dept(case: Case) -> Call:
    """A count file naming the case's department: its own, or another one's (IDOR)."""
    content = count_file(case.dept, print_sheets=4321)
    return Call(data={"file": SimpleUploadedFile(f"{case.dept.code}.csv", content)})


def _file_accepted_only_for_own_department(case: Case, response: HttpResponse) -> None:
    upload = Upload.objects.filter(uploaded_by=case.user).latest("pk")
    expected = Upload.Status.READY if case.own else Upload.Status.REJECTED
    assert upload.status == expected, (upload.status, upload.summary.get("errors"))
    assert not MonthlyCount.objects.filter(print_sheets=4321).exists()


# Heads and managers open their own unit: the home page redirects them there.
HOME = {
    **signed_in(),
    "head_own": REDIRECT,
    "head_other": REDIRECT,
    "manager_own": REDIRECT,
    "manager_other": REDIRECT,
}
# Without ?unit= an export or the JSON is about the user's home unit.
OWN_HOME_UNIT = {**signed_in(), "nobody": REFUSED}
# Action notes: the department's heads and the managers above it; not executives, and
# not administrators (they correct notes in the admin, with history).
NOTE_WRITERS = {**uploaders(), "admin": REFUSED}
NOTE_WRITERS_POST = {**uploaders(ALLOWED_POST), "admin": REFUSED}
# Pages of the upload flow that name no unit: everyone who may upload at all.
UPLOADING = {**signed_in(), "executive": REFUSED, "nobody": REFUSED}
UPLOADING_POST = {role: ALLOWED_POST if e == ALLOWED else e for role, e in UPLOADING.items()}
# A stored upload: its sender, the heads and managers over its department, administrators.
UPLOAD_VIEWERS = uploaders()
# Confirming or cancelling: only the sender and administrators (not the manager above).
UPLOAD_SENDER = {**uploaders(ALLOWED_POST), "manager_own": REFUSED, "admin": ALLOWED_POST}
POST_ONLY = {**everyone(NOT_ALLOWED), "anonymous": LOGIN}


# --- The rules, keyed by URL name ------------------------------------------------------------

RULES: dict[str, tuple[Probe, ...]] = {
    "login": (
        Probe("GET", {**everyone(REDIRECT), "anonymous": ALLOWED}),
        Probe("POST", {**everyone(REDIRECT), "anonymous": ALLOWED}, _login_data, "wrong password"),
    ),
    "logout": (
        Probe("GET", everyone(NOT_ALLOWED)),
        Probe("POST", everyone(LOGIN)),
    ),
    "paperless:home": (Probe("GET", HOME),),
    "paperless:unit": (
        Probe("GET", viewers(), _unit_path, "ward/bureau or own unit"),
        Probe("GET", viewers(), _dept_path, "department"),
    ),
    "paperless:note_create": (
        Probe("GET", NOTE_WRITERS, _dept_path),
        Probe("POST", NOTE_WRITERS_POST, _note_post, effect=_notes_of),
        Probe(
            "POST",
            {**NOTE_WRITERS_POST, **{r: REJECTED for r in ("head_other", "manager_other")}},
            _note_post_naming_another_department,
            "department= in the form",
            effect=_notes_of,
            check=_no_note_for_zeimu,
        ),
    ),
    "paperless:export_csv": (
        Probe("GET", OWN_HOME_UNIT, check=_is_attachment),
        Probe("GET", viewers(), _unit_query, "?unit=", check=_is_attachment),
        Probe("GET", viewers(), _dept_query, "?unit=department", check=_is_attachment),
    ),
    "paperless:export_xlsx": (
        Probe("GET", OWN_HOME_UNIT, check=_is_attachment),
        Probe("GET", viewers(), _unit_query, "?unit=", check=_is_attachment),
        Probe("GET", viewers(), _dept_query, "?unit=department", check=_is_attachment),
    ),
    "paperless:meeting_report": (
        Probe("GET", OWN_HOME_UNIT, check=_is_attachment),
        Probe("GET", viewers(), _unit_query, "?unit=", check=_is_attachment),
    ),
    "paperless:summary_json": (
        Probe("GET", {**OWN_HOME_UNIT, "anonymous": UNAUTHORIZED}),
        Probe("GET", {**viewers(), "anonymous": UNAUTHORIZED}, _unit_query, "?unit="),
        Probe("GET", {**viewers(), "anonymous": UNAUTHORIZED}, _dept_query, "?unit=department"),
    ),
    "paperless:audit": (
        Probe("GET", administrators()),
        Probe("GET", administrators(), lambda c: Call(query={"source": "admin"}), "?source=admin"),
        Probe(
            "GET",
            administrators(),
            lambda c: Call(query={"source": "counts", "unit": c.dept.code}),
            "?unit=",
        ),
    ),
    "paperless:upload_list": (Probe("GET", UPLOADING),),
    "paperless:upload_new": (
        Probe("GET", UPLOADING),
        Probe(
            "POST",
            UPLOADING_POST,
            _file_for_dept,
            "file naming own/other department",
            effect=_uploads_made,
            check=_file_accepted_only_for_own_department,
        ),
    ),
    "paperless:upload_template": (
        Probe("GET", UPLOADING, check=_is_attachment),
        Probe("GET", uploaders(), _unit_query, "?unit=", check=_is_attachment),
        Probe("GET", uploaders(), _dept_query, "?unit=department", check=_is_attachment),
    ),
    "paperless:upload_detail": (Probe("GET", UPLOAD_VIEWERS, _upload_pk, "another's pk"),),
    "paperless:upload_download": (
        Probe("GET", UPLOAD_VIEWERS, _upload_pk, "another's pk", check=_is_attachment),
    ),
    "paperless:upload_confirm": (
        Probe("GET", POST_ONLY, _upload_pk),
        Probe(
            "POST",
            UPLOAD_SENDER,
            _upload_pk,
            "another's pk",
            effect=_upload_state,
            check=_upload_became(Upload.Status.COMMITTED),
        ),
    ),
    "paperless:upload_cancel": (
        Probe("GET", POST_ONLY, _upload_pk),
        Probe(
            "POST",
            UPLOAD_SENDER,
            _upload_pk,
            "another's pk",
            effect=_upload_state,
            check=_upload_became(Upload.Status.CANCELLED),
        ),
    ),
    "paperless:devices": (Probe("GET", administrators()),),
    "paperless:alert_preview": (Probe("GET", administrators()),),
    "paperless:alert_deliveries": (Probe("GET", administrators()),),
    "paperless:alert_mine": (Probe("GET", signed_in()),),
}
