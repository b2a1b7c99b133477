"""Run by the soak tests in a process of its own: the outbox dispatcher loop, exactly what
``flask survey send-mail --loop`` runs, without loading the web application (its imports cost
seconds of CPU, and the tests start a new dispatcher after every kill).

    python -m tests.soak.dispatcher DATABASE_URL SMTP_URL
"""

from __future__ import annotations

import sys

from survey.db import Database, make_engine
from survey.mail.runner import run_dispatcher

if __name__ == "__main__":
    database = Database(make_engine(sys.argv[1]))
    run_dispatcher(
        database.sessionmaker, sys.argv[2], "soak@example.com", loop=True, idle_seconds=0.5
    )
