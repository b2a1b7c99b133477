"""Run by test_crashes.py in a subprocess: submit a response through the real service, say
"stored" on stdout before committing, then wait to be killed."""

from __future__ import annotations

import os
import sys
import time

from survey import create_app
from survey.db import get_session
from survey.respond.services.answering import prepare_post_interaction, submit_post_interaction
from survey.services.invitations import look_up_link
from survey.services.live_questionnaires import copy_for

app = create_app(
    {"DATABASE_URL": os.environ["SURVEY_DATABASE_URL"], "SECRET_KEY": "x", "TESTING": True}
)
with app.app_context():
    session = get_session()
    found = look_up_link(session, sys.argv[1])
    assert found.link is not None and found.questionnaire is not None
    questionnaire = copy_for(session, found.questionnaire)
    prepared = prepare_post_interaction(
        found.link, {"overall": 4, "comment": "x"}, questionnaire=questionnaire
    )
    response = submit_post_interaction(session, found.link, prepared, questionnaire)
    session.flush()
    print("stored" if response is not None else "refused", flush=True)
    time.sleep(60)  # killed here, before the commit
    session.commit()
