"""WSGI entry point: ``gunicorn wsgi:app`` or ``flask --app wsgi run``. Refuses to serve a
database that is not at the code's schema (``survey.migrate.check_schema_to_serve``); the
commands, ``flask --app wsgi survey init-db`` first, load it too and are not refused here."""

from survey import create_app
from survey.migrate import check_schema_to_serve

app = create_app()
check_schema_to_serve(app)
