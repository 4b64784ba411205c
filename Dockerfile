# One image for the web process, the Celery worker and Celery beat.
#   web:    docker run IMAGE                      (gunicorn on :8000)
#   worker: docker run IMAGE celery -A sakai_dx worker --loglevel=INFO
#           (reads and registers uploads, sends alerts; shares UPLOAD_ROOT with the web)
#   beat:   docker run IMAGE celery -A sakai_dx beat --loglevel=INFO   (exactly one)
# The partial plotly.js bundle, pinned in package.json / package-lock.json.
FROM node:20-bookworm-slim AS static
WORKDIR /build
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund --loglevel=error

FROM python:3.11-slim-bookworm

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    STATIC_ROOT=/app/staticfiles \
    UPLOAD_ROOT=/var/lib/paperless/uploads

WORKDIR /app
COPY requirements.txt .
RUN pip install -r requirements.txt

COPY . .
COPY --from=static /build/node_modules ./node_modules
# collectstatic needs settings but no secrets or database: use a throwaway build key.
RUN DJANGO_SECRET_KEY=build-only DATABASE_URL=sqlite:////tmp/build.sqlite3 \
    python manage.py collectstatic --noinput \
 && rm -f /tmp/build.sqlite3 \
 && useradd --system --uid 10001 --home /app paperless \
 && mkdir -p /var/lib/paperless/uploads /app/var \
 && chown -R paperless /var/lib/paperless /app/var

USER paperless
EXPOSE 8000
# Requests are short: long work (reading and registering uploads, e-mails) runs in the
# Celery worker (tasks paperless.importing.check_upload / commit_upload); an upload
# request only stores the file and a page that waits reloads itself. A request still running after 30 s is stuck: gunicorn replaces its
# worker (and logs it) instead of letting it hold one of the three for minutes. Three
# workers suit two cores; change them, or any option, with GUNICORN_CMD_ARGS.
CMD ["gunicorn", "sakai_dx.wsgi:application", "--bind", "0.0.0.0:8000", "--workers", "3", "--timeout", "30", "--graceful-timeout", "30", "--access-logfile", "-"]
