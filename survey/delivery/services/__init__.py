"""The delivery verbs (taking a session first; flush only; ``tick_job`` commits the tick):
``interactions``, ``api_input``, ``interactions_import``, ``webhooks``, ``idempotency``,
``campaigns``, ``publishing``, ``release_mail``, ``schedules``, ``tick``, ``mailing``,
``resend``, ``attention``.
See ``survey/delivery/__init__.py``."""
