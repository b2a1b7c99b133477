"""The accounts journey's verbs (taking a session first; flush only): ``sign_in``,
``passwords``, ``users``, ``account_mail``. See ``survey/accounts/__init__.py``."""
