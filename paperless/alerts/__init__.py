"""Weekly e-mail alerts: who gets which message this week, what it says, and sending it once.

``planning`` decides the recipients and kinds from the week's figures (pure, over frames
from ``paperless.reads.alert_data``), ``contents`` computes what each message says with
the rules of ``paperless.core``, ``emails`` renders the three templates of a message,
``delivery`` claims one delivery row per (recipient, kind, week) and sends through
Django's e-mail backend, and ``tasks`` holds the thin Celery tasks that call it. It may
import ``core``, ``reads``, ``access`` and ``models``; views and commands call it.
"""
