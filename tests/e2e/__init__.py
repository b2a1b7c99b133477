"""End-to-end tests in a real headless Chromium (Playwright) against the app under gunicorn."""
