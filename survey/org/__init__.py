"""The organisation: departments, people, services and their standards, who depends on whom.

Owns the organisation's set-up and its admin pages:

- ``services``: the verbs (create, update, deactivate/reactivate departments, people and
  services; add a service standard; set a department's dependencies), taking a session and
  flushing only; a refused change raises ``OrgError`` (``survey/services/refusals.py``);
- ``people_import``: the people CSV import (parse and preview, then apply; with the whole
  directory option, the leavers deactivated), used by the admin page and the
  ``import-people`` command; ``department_import``: the departments CSV import (the same two
  steps), both reading the file through ``survey/services/csv_file.py``, as the requests
  import does;
- ``admin``: the organisation pages of the ``admin`` blueprint (``departments`` with the CSV
  import in ``department_import``, ``people`` with the CSV import (the checked file sent back
  signed by ``survey/views/admin/signed_file.py``), ``services`` with their standards,
  ``dependencies``);
  importing it adds them, which the app factory does before it registers that blueprint.

The models stay in ``survey/models/org.py``, the forms in ``forms/admin.py``, the templates in
``templates/admin/``; the shared admin kit (``CrudPages``, the search box, department choices,
``audit``) stays in ``survey/views/admin/`` and user accounts' administration in
``survey/accounts/services/users.py``. Nothing in ``survey/services/`` or ``survey/views/``
imports this package: the app factory registers its pages and ``survey/cli.py`` calls the
import (``tests/test_packages.py``).
"""
