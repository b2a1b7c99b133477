"""The accounts journey's verbs (taking a session first; flush only): ``users``,
``account_mail``. See ``survey/accounts/__init__.py``."""
