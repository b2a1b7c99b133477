"""Reading scorecards: the department pages a manager reads, and their downloads.

Owns, so far, the page side of the scorecard journey:

- ``views``: the ``scorecards`` blueprint (``/scorecards/``: the overview;
  ``/scorecards/<code>``: a department's scorecard; ``<code>.csv`` and ``<code>.pdf``: its
  downloads), registered by the app factory;
- ``comment_filters``: the department page's comment filters, read from the query string and
  handed to ``services.scorecard_comments`` (which gates every group).

Public names used outside the package: the blueprint ``views.bp``. The scorecard service
verbs (``services/scorecards.py``, ``services/scorecard_*``, ``chart_cache``, ``pdf_layout``)
stay in ``survey/services/`` for now: ``services/audit.py`` uses ``scorecard_export`` and
the API, the admin baseline pages, delivery and actions use the rest, so moving them here
waits for that import to go one way. The templates stay in ``templates/scorecards/``.
Nothing in ``survey/services/`` or ``survey/views/`` imports this package
(``tests/test_packages.py``).
"""
