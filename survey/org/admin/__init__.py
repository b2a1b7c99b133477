"""The organisation pages of the ``admin`` blueprint; importing this package adds them."""

from survey.org.admin import departments, dependencies, people, services  # noqa: F401
