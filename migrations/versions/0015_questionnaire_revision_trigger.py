"""questionnaire revision raised by the database: triggers instead of an ORM flush hook

Revision ID: 0015
Revises: 0010
Create Date: 2026-12-04 07:10:00

Every process keeps a rendered copy of a questionnaire keyed by (id, revision), so the revision
must go up on *any* change of the questionnaire row or its questions. The flush hook of 0003
only saw changes made through the ORM session: a Core UPDATE, a data migration or a hand-run
SQL statement left every process serving stale questions. Triggers see every write.

- ``questions``: after insert, update or delete of a row, its questionnaire's revision (both
  the old and the new one when a question moves) goes up by one.
- ``questionnaires``: when ``kind``, ``name`` or ``active`` changes, the row's revision goes up
  (a change of ``revision`` itself does not fire, so the question triggers never count twice).

A statement touching many questions raises the revision once per row: the number only has to
change, not to count edits.
"""

from __future__ import annotations

from alembic import op

revision = "0015"
down_revision = "0010"
branch_labels = None
depends_on = None

SQLITE_TRIGGERS = {
    "questions_revision_insert": """AFTER INSERT ON questions BEGIN
        UPDATE questionnaires SET revision = revision + 1 WHERE id = NEW.questionnaire_id;
    END""",
    "questions_revision_update": """AFTER UPDATE ON questions BEGIN
        UPDATE questionnaires SET revision = revision + 1 WHERE id = NEW.questionnaire_id;
        UPDATE questionnaires SET revision = revision + 1
        WHERE id = OLD.questionnaire_id AND OLD.questionnaire_id IS NOT NEW.questionnaire_id;
    END""",
    "questions_revision_delete": """AFTER DELETE ON questions BEGIN
        UPDATE questionnaires SET revision = revision + 1 WHERE id = OLD.questionnaire_id;
    END""",
    "questionnaires_revision_update": """AFTER UPDATE OF kind, name, active ON questionnaires
    WHEN NEW.kind IS NOT OLD.kind OR NEW.name IS NOT OLD.name OR NEW.active IS NOT OLD.active
    BEGIN
        UPDATE questionnaires SET revision = revision + 1 WHERE id = NEW.id;
    END""",
}

PG_FUNCTIONS = {
    "questions_revision_bump": """
CREATE FUNCTION questions_revision_bump() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP IN ('INSERT', 'UPDATE') THEN
        UPDATE questionnaires SET revision = revision + 1 WHERE id = NEW.questionnaire_id;
    END IF;
    IF TG_OP = 'DELETE'
       OR (TG_OP = 'UPDATE' AND OLD.questionnaire_id IS DISTINCT FROM NEW.questionnaire_id) THEN
        UPDATE questionnaires SET revision = revision + 1 WHERE id = OLD.questionnaire_id;
    END IF;
    RETURN NULL;
END
$$
""",
    "questionnaires_revision_bump": """
CREATE FUNCTION questionnaires_revision_bump() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    NEW.revision := OLD.revision + 1;
    RETURN NEW;
END
$$
""",
}
PG_TRIGGERS = {
    "questions_revision": (
        "AFTER INSERT OR UPDATE OR DELETE ON questions FOR EACH ROW"
        " EXECUTE FUNCTION questions_revision_bump()"
    ),
    "questionnaires_revision": (
        "BEFORE UPDATE OF kind, name, active ON questionnaires FOR EACH ROW WHEN ("
        "NEW.kind IS DISTINCT FROM OLD.kind OR NEW.name IS DISTINCT FROM OLD.name"
        " OR NEW.active IS DISTINCT FROM OLD.active)"
        " EXECUTE FUNCTION questionnaires_revision_bump()"
    ),
}


def upgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        for body in PG_FUNCTIONS.values():
            op.execute(body)
        for name, when in PG_TRIGGERS.items():
            op.execute(f"CREATE TRIGGER {name} {when}")
    else:
        for name, body in SQLITE_TRIGGERS.items():
            op.execute(f"CREATE TRIGGER {name} {body}")


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP TRIGGER questions_revision ON questions")
        op.execute("DROP TRIGGER questionnaires_revision ON questionnaires")
        for name in PG_FUNCTIONS:
            op.execute(f"DROP FUNCTION {name}()")
    else:
        for name in SQLITE_TRIGGERS:
            op.execute(f"DROP TRIGGER {name}")
