"""The verbs several journeys share, each taking a session and flushing, never committing:
accounts and the audit log, the link lookup and questionnaire copies, the outbox, fatigue and
suppression, paging, CSV cells and lines, refusals, erasure and retention; and the process's
small caches (``lru``). A verb only one journey uses belongs in that journey's package
(``docs/architecture.md``)."""
