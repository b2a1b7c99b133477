"""The one reading of an on/off value, for every such setting (``SURVEY_SECURE_COOKIES``,
``SURVEY_RATELIMIT_ENABLED``, ``SURVEY_RELEASE_MAIL``) and for the switches of the SMTP URL
(``starttls``, ``verify``): ``1``/``0``, ``true``/``false``, ``yes``/``no``, ``on``/``off``, in
any case and with spaces around. Any other word is refused rather than read as on or off
(``starttls=ture`` meaning off sent a password in clear text)."""

from __future__ import annotations

TRUE_WORDS = ("1", "true", "yes", "on")
FALSE_WORDS = ("0", "false", "no", "off")


def parse_on_off(raw: str, name: str) -> bool:
    """True or False for one of the words above; ValueError naming ``name`` otherwise (an
    empty value too: callers treat unset or empty as their default before asking)."""
    word = raw.strip().lower()
    if word in TRUE_WORDS:
        return True
    if word in FALSE_WORDS:
        return False
    raise ValueError(
        f"{name} must be one of {'/'.join(TRUE_WORDS)} (on) or {'/'.join(FALSE_WORDS)} (off), "
        f"got {raw!r}"
    )
