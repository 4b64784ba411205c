"""Responses to a signed-in user are never kept by the browser or a cache on the way.

Dashboards, the JSON summary, exports, the report, the template and uploaded originals
are all about a unit: on a shared PC, what one person opened must not come back from
the browser's cache for the next one (the back button, a saved copy on disk).
"""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse

PRIVATE_NO_STORE = "private, no-store"


class PrivateNoStoreMiddleware:
    """``Cache-Control: private, no-store`` on every response to an authenticated user.

    Placed after AuthenticationMiddleware: it reads ``request.user`` on the way out,
    so a response to the request that signs a user in is covered as well.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            response["Cache-Control"] = PRIVATE_NO_STORE
        return response
