"""A request body larger than ``UPLOAD_MAX_BYTES`` is refused while it arrives.

Django reads a multipart body through the handlers in ``FILE_UPLOAD_HANDLERS``;
``SizeLimitUploadHandler`` comes first and stops the upload (``StopUpload``, without
reading the rest of the body) as soon as the declared Content-Length, or the bytes of
files received so far, pass the limit, whatever a proxy in front let through and
whatever the Content-Length claims. The file never reaches the next handlers (memory or
a temporary file). The form fields sent before the file (the CSRF token) are still
read, so the upload form can answer with ``too_large_message`` instead of an error page.

A stopped upload leaves the rest of the body unread: most browsers show the answer, some
report a reset connection instead. That is the price of not reading 200 MB to refuse it.
"""

from __future__ import annotations

from django.conf import settings
from django.core.files.uploadhandler import FileUploadHandler, StopUpload
from django.http import HttpRequest

# Room for the multipart envelope around a file at the limit: boundaries, part headers
# and the form's other fields.
ENVELOPE_BYTES = 64 * 1024
_MARK = "upload_refused_at_bytes"


def too_large_message() -> str:
    limit = settings.UPLOAD_MAX_BYTES
    return (
        f"ファイルが大きすぎます（上限 {limit / 1024 / 1024:g} MB）。"
        "不要なシートや行を削除するか、ファイルを分けてください。"
    )


def refused(request: HttpRequest) -> bool:
    """Whether this request's upload was stopped for its size (its body is read first)."""
    if request.method == "POST":
        request.FILES  # noqa: B018 - reading the body is what runs the handlers
    return getattr(request, _MARK, None) is not None


class SizeLimitUploadHandler(FileUploadHandler):
    """Stops an upload whose declared or received size passes ``UPLOAD_MAX_BYTES``."""

    def __init__(self, request: HttpRequest | None = None) -> None:
        super().__init__(request)
        self.limit = settings.UPLOAD_MAX_BYTES
        self.declared = 0
        self.received = 0

    def handle_raw_input(self, input_data, META, content_length, boundary, encoding=None):
        # Parsing goes on so that the fields before the file are read; the first file
        # part of a body declared too large stops it (``new_file``).
        self.declared = content_length
        return None

    def new_file(self, *args, **kwargs) -> None:
        super().new_file(*args, **kwargs)
        if self.declared > self.limit + ENVELOPE_BYTES:
            self._stop(self.declared)

    def receive_data_chunk(self, raw_data: bytes, start: int) -> bytes:
        self.received += len(raw_data)
        if self.received > self.limit:
            self._stop(self.received)
        return raw_data

    def file_complete(self, file_size: int) -> None:
        return None  # the next handler makes the file

    def _stop(self, size: int) -> None:
        if self.request is not None:
            setattr(self.request, _MARK, size)
        raise StopUpload(connection_reset=True)
