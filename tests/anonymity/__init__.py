"""Attacks on anonymity, tried through the real pages, exports and API."""
