"""Weekly e-mail alerts: who gets which message this week, what it says, and sending it once.

``data`` loads the week's frames and values through ``paperless.reads``, ``planning``
decides the recipients and kinds from them (pure), ``contents`` computes what each
message says with the rules of ``paperless.core``, ``emails`` renders the three
templates of a message, ``delivery`` claims one delivery row per (recipient, kind,
week) and sends through Django's e-mail backend, and ``tasks`` holds the thin Celery
tasks that call it. It may
import ``core``, ``reads``, ``access`` and ``models``; views and commands call it.
"""
