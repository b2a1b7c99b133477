"""Reading scorecards: the department pages a manager reads, and their downloads.

Owns the scorecard journey, pages and verbs together:

- ``views``: the ``scorecards`` blueprint (``/scorecards/``: the overview;
  ``/scorecards/<code>``: a department's scorecard; ``<code>.csv`` and ``<code>.pdf``: its
  downloads), registered by the app factory;
- ``comment_filters``: the department page's comment filters, read from the query string and
  handed to ``services.scorecard_comments`` (which gates every group);
- ``services``: the verbs that read a snapshot of sums and build the gated scorecards, the
  overview, charts, exports and the PDF report (see its docstring).

Public names used outside the package: the blueprint ``views.bp`` and the service verbs (the
API's scorecard answers, the admin baseline and dashboard pages, delivery, the action plans
and the demo's markers use them). The templates stay in ``templates/scorecards/``.
Nothing in ``survey/services/`` imports this package; the pages of ``survey/views/`` that
do (the API, the admin baseline) are listed in docs/architecture.md
(``tests/test_packages.py`` finds no cycle).
"""
