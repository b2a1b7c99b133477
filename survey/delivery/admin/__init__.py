"""Delivery's pages of the ``admin`` blueprint (campaigns, the campaign schedule, handled
requests, resending an invitation); importing this package adds them."""

from survey.delivery.admin import campaigns, interactions, resend, schedule  # noqa: F401
