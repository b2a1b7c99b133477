"""The delivery verbs (taking a session first; flush only, except ``tick``):
``interactions``, ``api_input``, ``interactions_import``, ``webhooks``, ``idempotency``,
``campaigns``, ``schedules``, ``tick``, ``mailing``, ``resend``, ``attention``.
See ``survey/delivery/__init__.py``."""
