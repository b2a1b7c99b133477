"""The respondent journey's verbs (taking a session first; flush only): ``answering``,
``responses``, ``response_statements``. See ``survey/respond/__init__.py``."""
