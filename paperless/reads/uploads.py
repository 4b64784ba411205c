"""Stored uploads as the upload pages list and open them."""

from __future__ import annotations

from django.contrib.auth.base_user import AbstractBaseUser
from django.db.models import QuerySet

from paperless.models import Upload


def uploads_sent_by(user: AbstractBaseUser | None) -> QuerySet[Upload]:
    """Uploads newest first, with sender and scope; every upload when ``user`` is None."""
    query = Upload.objects.select_related("uploaded_by", "scope")
    if user is not None:
        query = query.filter(uploaded_by=user)
    return query.order_by("-uploaded_at", "-pk")


def upload_by_pk(pk: int) -> Upload | None:
    """One upload with its sender and scope, or None."""
    return Upload.objects.select_related("uploaded_by", "scope").filter(pk=pk).first()
