"""The organisation pages of the ``admin`` blueprint; importing this package adds them."""

from survey.org.admin import (  # noqa: F401
    department_import,
    departments,
    dependencies,
    people,
    service_catalogue,
)
