"""The request body is refused at UPLOAD_MAX_BYTES while it arrives, not after."""

from __future__ import annotations

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.files.uploadhandler import MemoryFileUploadHandler
from django.http.multipartparser import MultiPartParser
from django.test.client import BOUNDARY, MULTIPART_CONTENT, RequestFactory, encode_multipart
from django.urls import reverse

from paperless.models import Upload
from paperless.upload_limit import ENVELOPE_BYTES, SizeLimitUploadHandler, refused

pytestmark = pytest.mark.django_db
LIMIT = 1_000


@pytest.fixture(autouse=True)
def _small_limit(settings):
    settings.UPLOAD_MAX_BYTES = LIMIT


def body(size: int) -> bytes:
    """A multipart body as a browser sends the upload form: the token, then the file."""
    return encode_multipart(
        BOUNDARY, {"csrfmiddlewaretoken": "token", "file": SimpleUploadedFile("a.csv", b"x" * size)}
    )


def parse(data: bytes, content_length: int):
    """Parse ``data`` as Django does, with ``content_length`` declared; returns the
    request, POST, FILES and how much of the body was read."""
    request = RequestFactory().post("/")
    stream = io.BytesIO(data)
    meta = {"CONTENT_TYPE": MULTIPART_CONTENT, "CONTENT_LENGTH": str(content_length)}
    handlers = [SizeLimitUploadHandler(request), MemoryFileUploadHandler(request)]
    post, files = MultiPartParser(meta, stream, handlers).parse()
    return request, post, files, stream.tell()


def test_a_body_declared_larger_than_the_limit_is_refused_on_the_upload_form(client, users):
    client.force_login(users["head"])
    file = SimpleUploadedFile("big.csv", b"x" * (LIMIT + ENVELOPE_BYTES + 10_000))
    response = client.post(reverse("paperless:upload_new"), {"file": file})
    page = response.content.decode()
    assert response.status_code == 200
    assert "ファイルが大きすぎます（上限 0.000953674 MB）" in page and "選んでください" not in page
    assert not Upload.objects.exists()


def test_the_refusal_passes_the_csrf_check_as_a_browser_post_does(users):
    from django.test import Client

    browser = Client(enforce_csrf_checks=True)
    browser.force_login(users["head"])
    browser.get(reverse("paperless:upload_new"))
    token = browser.cookies["csrftoken"].value
    file = SimpleUploadedFile("big.csv", b"x" * (LIMIT + ENVELOPE_BYTES + 10_000))
    response = browser.post(
        reverse("paperless:upload_new"), {"csrfmiddlewaretoken": token, "file": file}
    )
    assert response.status_code == 200 and "ファイルが大きすぎます" in response.content.decode()


def test_a_file_past_the_limit_in_a_small_body_is_refused_too(client, users):
    client.force_login(users["head"])
    file = SimpleUploadedFile("big.csv", b"x" * (LIMIT + 1))
    response = client.post(reverse("paperless:upload_new"), {"file": file})
    assert response.status_code == 200 and "ファイルが大きすぎます" in response.content.decode()
    assert not Upload.objects.exists()


def test_a_file_within_the_limit_is_received(client, users):
    client.force_login(users["head"])
    file = SimpleUploadedFile("small.csv", b"x" * LIMIT)
    client.post(reverse("paperless:upload_new"), {"file": file})
    assert Upload.objects.get().size == LIMIT


def test_the_handler_stops_at_the_declared_length_before_reading_the_file():
    data = body(200_000)
    request, post, files, read = parse(data, content_length=len(data))
    assert refused(request) and not files and post["csrfmiddlewaretoken"] == "token"
    assert read < 70_000  # the first chunk, not the 200 KB behind it


def test_the_handler_counts_bytes_whatever_a_lying_small_content_length_says():
    data = body(1_000_000)
    request, post, files, read = parse(data, content_length=100)
    assert refused(request) and not files and post["csrfmiddlewaretoken"] == "token"
    assert read < 200_000  # stopped while streaming, far from the 1 MB sent


def test_the_handler_lets_a_file_within_the_limit_through():
    data = body(LIMIT)
    request, _post, files, _read = parse(data, content_length=len(data))
    assert not refused(request) and files["file"].size == LIMIT
