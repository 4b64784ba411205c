"""Uploaded originals go under UPLOAD_ROOT, read at each use, under random names."""

from django.core.files.base import ContentFile

from paperless.models import Upload


def test_original_is_stored_under_the_configured_root_with_a_random_name(db, settings, tmp_path):
    settings.UPLOAD_ROOT = tmp_path / "private"
    upload = Upload(original_name="集計.xlsx", sha256="0" * 64, size=3)
    upload.file.save("集計.xlsx", ContentFile(b"abc"), save=True)
    stored = tmp_path / "private" / upload.file.name
    assert stored.read_bytes() == b"abc"
    assert "集計" not in upload.file.name
