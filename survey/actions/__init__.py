"""Action plans and "you said, we did": what a department will change in answer to its scores,
and what the people who answer are told of it.

Owns the action plan's pages, its verbs and what it adds to other journeys:

- ``services``: the verbs (create, edit, change status; each audited, flush only), the lists
  (a department's, the open ones, the published ones) and the CSV export;
- ``views``: the ``actions`` blueprint (``/actions/``: list, export, new, edit, status) for
  administrators and the manager of the department;
- ``scorecard``: an action's target on the scorecard, before (the quarter it was recorded in)
  and after (the latest released quarter), from the figures the scorecards publish, never
  finer; the department page's and the overview's sections and the API's ``actions`` list;
- ``you_said``: the published actions (a public summary, in progress or done) of the
  departments a person rates, for the quarterly invitation email and the thank-you page;
- ``plan_counts``: how many of a department's actions are open and overdue, for the email
  telling its manager that a quarter's results are out;
- ``labels``: the translated statuses and targets.

``init_app`` registers the blueprint and the package's functions at the extension points of
``survey/hooks.py``; the app factory calls it. The model is ``survey/models/action.py``, the
form ``forms/actions.py``, the templates ``templates/actions/``,
``templates/scorecards/_actions.html``, ``templates/scorecards/_open_actions.html``,
``templates/respond/_you_said.html`` and ``templates/email/_you_said.*``. Nothing in
``survey/services/`` or ``survey/views/`` imports this package (``tests/test_packages.py``).
"""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    from survey import hooks
    from survey.actions import plan_counts, scorecard, views, you_said

    app.register_blueprint(views.bp)
    hooks.register(app, "scorecards.department", scorecard.department_section)
    hooks.register(app, "scorecards.overview", scorecard.overview_section)
    hooks.register(app, "api.scorecard", scorecard.api_actions)
    hooks.register(app, "report.front", scorecard.report_lines)
    hooks.register(app, "admin.dashboard", scorecard.dashboard_section)
    hooks.register(app, "mail.quarterly", you_said.context)
    hooks.register(app, "mail.release", plan_counts.release_mail_counts)
    hooks.register(app, "respond.thanks", you_said.context)
