"""E-mails from three templates each: ``emails/<name>-subject.txt``, ``-body.txt``, ``-body.html``.

UTF-8 throughout: ISO-2022-JP cannot encode characters that Japanese offices use
every day (①, 髙, ㈱, ～).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from email.header import Header
from email.message import Message
from typing import Any

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string

_SPACES = re.compile(r"\s+")
# RFC 3834: automatic messages; mail servers and clients then send no auto-replies.
AUTO_HEADERS = {"Auto-Submitted": "auto-generated", "X-Auto-Response-Suppress": "All"}


@dataclass(frozen=True)
class Rendered:
    subject: str
    text: str
    html: str

    def as_dict(self) -> dict[str, str]:
        return {"subject": self.subject, "text": self.text, "html": self.html}


def render(name: str, context: dict[str, Any]) -> Rendered:
    """The subject (one line), the plain text and the HTML body of e-mail ``name``."""
    subject = _SPACES.sub(" ", render_to_string(f"emails/{name}-subject.txt", context)).strip()
    text = render_to_string(f"emails/{name}-body.txt", context)
    # Templates indent for readability; mail clients show every blank line.
    text = re.sub(r"\n{3,}", "\n\n", text).strip() + "\n"
    html = render_to_string(f"emails/{name}-body.html", context)
    return Rendered(subject=subject, text=text, html=html)


class _Message(EmailMultiAlternatives):
    def message(self, *args: Any, **kwargs: Any) -> Message:
        msg = super().message(*args, **kwargs)
        # Django encodes the subject without its header name, so a Japanese subject
        # folds right after "Subject:" and decodes with a leading space in some
        # readers. Encoding it as a Subject header keeps the first line full.
        del msg["Subject"]
        Message.__setitem__(msg, "Subject", Header(self.subject, "utf-8", header_name="Subject"))
        return msg


def build(
    *, to: str, rendered: Rendered, headers: dict[str, str] | None = None
) -> EmailMultiAlternatives:
    message = _Message(
        subject=rendered.subject,
        body=rendered.text,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[to],
        headers={**AUTO_HEADERS, **(headers or {})},
    )
    message.encoding = "utf-8"
    message.attach_alternative(rendered.html, "text/html")
    return message
