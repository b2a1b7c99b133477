"""Outgoing mail: SMTP settings, the bodies of an email from its templates, message
composition and the outbox dispatcher."""
