"""The accounts pages of the ``admin`` blueprint; importing this package adds them."""

from survey.accounts.admin import api_keys, users  # noqa: F401
