"""The organisation pages of the ``admin`` blueprint; importing this package adds them."""

from survey.org.admin import departments, dependencies, people, service_catalogue  # noqa: F401
