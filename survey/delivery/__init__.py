"""Getting surveys to people: requests reported by the tools, campaigns, schedules and the tick.

Owns the verbs that decide who is asked, when, and queue the invitation email
(``services/``, verbs taking a session; flush only), the job that runs the scheduled
work and owns its transactions (``tick_job``), and the journey's pages:

- ``api``: the routes of the ``api`` blueprint (``survey/views/api.py``) a ticketing tool
  calls: ``POST /api/v1/interactions``, ``/interactions/events``, ``/webhooks/<mapping>``
  (JSON bodies, ``Idempotency-Key`` replays, one commit per request);
- ``admin``: its pages of the ``admin`` blueprint (``survey/views/admin/``): ``campaigns``
  (create, follow, open, raise k, close, cancel), ``schedule``, ``interactions`` (the list,
  manual entry, CSV import) and ``resend``; importing the package adds them;
- ``dashboard``: the ``attention`` section of the admin dashboard, registered at the
  ``admin.dashboard`` extension point by ``init_app``, which the app factory calls;
- ``services.interactions``: the request lifecycle from the API, the admin form or a CSV file,
  and the post-interaction survey decision (``decide_pending_surveys``), with ``api_input``
  (the API's JSON bodies), ``interactions_import`` (the CSV import), ``webhooks`` (ready-made
  mappings of tools' webhook payloads) and ``idempotency`` (``Idempotency-Key`` per API key);
- ``services.campaigns``: creating, opening (one invitation, link and queued email per person,
  through the fatigue budget), reminding, closing and cancelling campaigns;
- ``services.schedules``: campaign schedules and each scheduled quarter's campaign;
- ``services.tick``: the steps of all scheduled work (``tick_steps``, ``TickSettings``,
  ``step_lock``), each flushing only;
- ``tick_job``: ``run_tick``, one transaction per step, committed by it;
- ``services.mailing``: the invitation and reminder emails, written to the outbox in the
  transaction that decided them;
- ``services.publishing``: what a quarter's release does where it is recorded (the tick, a
  campaign's close); ``services.release_mail``: the email it sends the readers of scorecards;
- ``services.resend``: re-mailing an open invitation with a fresh link;
- ``services.attention``: what the admin dashboard lists (open campaigns and their response
  rates, failed mail, quarters released or held back, the schedule, the latest change flags).

Public names used outside the package: ``init_app`` and the ``api`` and ``admin`` modules (the
app factory imports them before it registers the ``api`` and ``admin`` blueprints),
``tick_job.run_tick`` and ``TickSettings`` (the ``tick`` command, the dev worker),
``campaigns.providers_for`` (``survey/respond/``), ``resend.resendable``
(``survey/org/admin/``); ``survey/demo/`` creates and opens its campaigns and records its
requests through the verbs. The pages import the blueprints and their shared parts from
``survey/views/`` (``api_key_required``, ``api_error``, the admin ``audit`` and ``per_page``);
``survey/views/`` imports nothing of this package. The outbox and mailbox pages stay in
``survey/views/admin/``: they read the shared outbox, account mail included.
What other journeys share stays outside: the fatigue budget (``survey/services/fatigue.py``,
also asked by the quiz's invitations, the respondent's opt-out, unsubscribing and bounces), the
link tokens (``survey/services/invitations.py``), the outbox and suppression list
(``survey/services/outbox.py``, ``suppression.py``, also used by account mail) and the sending
layer ``survey/mail/``. The models stay in ``survey/models/`` (``activity``, ``campaign``,
``schedule``, ``outbox``), the templates in ``templates/admin/`` and ``templates/email/``.
Nothing in ``survey/services/``, ``survey/views/`` or ``survey/mail/`` imports this package
(``tests/test_packages.py`` fails on an import cycle through it).
"""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    """Register what the package adds to other journeys' pages (``survey/hooks.py``); the app
    factory calls it."""
    from survey import hooks
    from survey.delivery import dashboard

    hooks.register(app, "admin.dashboard", dashboard.dashboard_section)
