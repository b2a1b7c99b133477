"""Delivery's pages of the ``admin`` blueprint (campaigns, the campaign schedule, handled
requests, resending an invitation); importing this package adds them."""

from survey.delivery.admin import (  # noqa: F401
    campaigns,
    interactions,
    interactions_import,
    resend,
    schedule,
)
