"""Reading scorecards: the department pages a manager reads, and their downloads.

Owns the scorecard journey, pages and verbs together:

- ``views``: the ``scorecards`` blueprint (``/scorecards/``: the overview;
  ``/scorecards/<code>``: a department's scorecard; ``<code>.csv`` and ``<code>.pdf``: its
  downloads), registered by the app factory;
- ``api``: the route of the ``api`` blueprint (``survey/views/api.py``) that answers
  ``GET /api/v1/departments/<code>/scorecard``, in the answer's language;
- ``admin``: the IQ baseline page of the ``admin`` blueprint (``/admin/baseline``: the baseline
  in use, freezing or re-basing it);
- ``comment_filters``: the department page's comment filters, read from the query string and
  handed to ``services.scorecard_comments`` (which gates every group);
- ``services``: the verbs that read a snapshot of sums and build the gated scorecards, the
  overview, charts, exports and the PDF report (see its docstring).

Public names used outside the package: the blueprint ``views.bp`` and the ``api`` and
``admin`` modules (the app factory registers and imports them), and the service verbs
(the ``freeze-baseline`` command, delivery's tick and dashboard section, the action plans
and the demo's markers use them). The templates stay in ``templates/scorecards/`` and
``templates/admin/baseline.html``. Nothing in ``survey/services/`` or ``survey/views/``
imports this package (``tests/test_packages.py`` finds no cycle).
"""
