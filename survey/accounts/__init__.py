"""User accounts: signing in and out, passwords, and the administration of users and API keys.

Owns the accounts journey:

- ``views``: the ``auth`` blueprint (``/auth``): sign-in (an administrator lands on the
  dashboard, a manager on their department's scorecard, a viewer on the overview), sign-out,
  the owner's password change, the emailed reset link and its request page;
- ``admin``: the accounts pages of the ``admin`` blueprint, ``users`` (a ``CrudPages`` page:
  role, department, deactivation, a reset link sent) and ``api_keys`` (create, shown once,
  revoke); importing it adds them, which the app factory does before it registers that
  blueprint;
- ``services.sign_in``: the password check with its throttle per account and per client
  address; ``services.passwords``: the owner's change and the emailed single-use reset (its
  token, the mail interval check, the link's target, the reset);
- ``services.users``: the administration side of user accounts (role, department,
  deactivation, the checks before creating one);
- ``services.account_mail``: the password reset email, queued in the outbox in the caller's
  transaction.
The services are verbs taking a session first; they flush, never commit.

The account verbs the rest shares (creating users, setting a password, server-side sessions,
API keys, the email check) stay in ``survey/services/accounts.py``: the Flask-Login
user loader in ``survey/access.py`` (``session_is_live``), the API's bearer keys in
``survey/views/api.py`` (``find_api_key``), the CLI, the demo and the organisation's people
(``check_email``, ``normalise_email``) use them, and this package imports ``survey/access.py``
and the ``admin`` blueprint, so moving them here would close an import cycle. The models stay
in ``survey/models/auth.py``, the forms in ``forms/auth.py`` and ``forms/admin.py``, the
templates in ``templates/auth/``, ``templates/admin/`` and ``templates/email/``. Nothing in
``survey/services/`` or ``survey/views/`` imports this package (``tests/test_packages.py``).
"""
