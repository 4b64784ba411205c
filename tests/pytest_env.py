"""Loaded by pytest before Django reads its settings (see pyproject addopts).

Tests run with debug off, like production, but over plain HTTP and without the
collectstatic manifest; a dedicated test checks the production settings.
"""

import os
import tempfile

os.environ.setdefault("DJANGO_SECRET_KEY", "test-only-secret-key-not-used-anywhere-else")
os.environ["DJANGO_DEBUG"] = "0"
os.environ["DJANGO_SECURE"] = "0"
os.environ["DJANGO_STATIC_MANIFEST"] = "0"
# The suite decides per test whether a broker is used; the default is in process.
os.environ.pop("CELERY_BROKER_URL", None)
os.environ.pop("EMAIL_URL", None)
os.environ.pop("REDIS_URL", None)
# Each test gets its own upload folder (conftest); data seeded once for a module (the demo
# imports its meter readings as uploads) writes here, never under the project's var/.
os.environ["UPLOAD_ROOT"] = tempfile.mkdtemp(prefix="paperless-test-uploads-")
