"""The self-assessment quiz "What is your internal service IQ?": everything that is quiz-only.

Owns the quiz's pages, its admin pages, its service verbs, its item bank and its scoring:

- ``views``: the ``quiz`` blueprint (``/quiz``, personal invitation links ``/quiz/i/<token>``,
  private result links ``/quiz/r/<key>``);
- ``admin``: the quiz pages of the ``admin`` blueprint (items and their wording, item analysis,
  invitations to departments); importing it adds them, which the app factory does before it
  registers that blueprint;
- ``services``: attempts, series and retakes, members, the department self-view behind the
  k gate, item analysis, item rewording and invitations (verbs taking a session; flush only);
- ``items``: the item bank in three languages and ``install_quiz``;
- ``scoring``: pure, versioned scoring (``SCORING_VERSION``, ``rule_for``, ``score_attempt``).

Public names used outside the package: ``items.install_quiz`` (the ``init-db`` command) and the
blueprints; the tests also use the service verbs. The forms stay in ``forms/quiz.py``, the
templates in ``templates/quiz/`` and ``templates/admin/quiz*.html``, the model in
``survey/models/quiz.py``.
Nothing in ``survey/services/`` or ``survey/views/`` imports this package: the app factory
registers its pages and ``survey/cli.py`` calls ``install_quiz`` (``tests/test_packages.py``).
"""
