"""Outgoing mail: SMTP settings, message composition and the outbox dispatcher."""
