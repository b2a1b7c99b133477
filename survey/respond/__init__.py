"""The respondent's journey: answering a survey from an emailed link, without an account.

Owns the link pages and the anonymous store they end in:

- ``views``: the ``respond`` blueprint (``/r/<token>``: the link page, a post-interaction survey
  or a quarterly one in provider sections with drafts, the submit, the thank-you page; and
  ``/r/<token>/stop``, opting out of surveys; a section's answers kept between pages);
- ``form_specs``: the forms glue, the live questions of a questionnaire copy as the specs
  from which ``forms/survey.py`` builds the survey form (so no service imports ``forms/``);
- ``services.answering``: which questions and which providers, drafts of half-done quarterly
  surveys, and the atomic submit that claims the link and queues the responses in one
  transaction (verbs taking a session; flush only);
- ``services.filing``: the queued submissions, and their filing (in random order, by whatever
  reads figures next) into responses, marks and score cells; ``filing_job`` files what
  waits in a transaction of its own (before every request outside this blueprint, the view
  ``file_queued_first``; before the ``survey`` commands and the development worker's ticks);
- ``services.responses``: anonymous responses and answers, the respondents' marks and the
  running score aggregates (``score_cells``), one response at a time or in bulk;
- ``services.response_statements``: the few plain statements that store one response, built
  once per process.

Public names used outside the package: the blueprint ``views.bp`` (the app factory registers
it); ``services.responses.bulk_store_responses``, ``ResponseInput`` and
``QUARTERLY_DIMENSIONS``, with which ``survey/demo/`` writes its simulated history; the tests also
use the service verbs. What the package reads stays outside it because other journeys share it:
the link lookup and claim (``survey/services/invitations.py``, also used to issue and mail
links) and the questionnaire copies (``survey/services/live_questionnaires.py``, whose reference
the link lookup returns). The forms stay in ``forms/survey.py``, the templates in
``templates/respond/``, the models in ``survey/models/`` (``response``, ``campaign``,
``aggregate``). What other journeys add to the thank-you page comes through the
extension point ``respond.thanks`` of ``survey/hooks.py``. Nothing in ``survey/services/`` or
``survey/views/`` imports this package (``tests/test_packages.py``).
"""
