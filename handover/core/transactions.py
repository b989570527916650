"""Which kind of transaction a unit of work opens on SQLite: a read or a write.

SQLite has one writer at a time. A transaction that will write must take the write lock when it
begins (`BEGIN IMMEDIATE`): a deferred transaction that first reads and then tries to write
cannot wait for the lock (SQLite answers "database is locked" at once), so writers would fail
instead of queueing. A transaction that only reads must *not* take it, or one long export
(a read of many seconds) stalls every other request.

So the intent is decided before the first statement:

- in a request, safe methods (GET, HEAD, OPTIONS) read, every other method writes; a GET
  route that has to write declares it with `@writes_on_get`;
- outside a request (CLI commands, job bookkeeping) the transaction writes;
- `reading()` and `writing()` override both, for a block of code (a job that only reads).

A read transaction that writes anyway works while nobody else writes, and fails with "database
is locked" under load; it is logged as a warning naming the route. (Enqueueing a job from a GET
needs no declaration: `jobs.service.enqueue` writes its row in a short transaction of its own.)

On PostgreSQL nothing changes: MVCC readers never block writers.
"""
import logging
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar

from flask import current_app, has_request_context, request

log = logging.getLogger(__name__)

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
_intent: ContextVar[bool | None] = ContextVar("handover_write_intent", default=None)


def writes_on_get(view):
    """Declare a GET route that writes (its transactions begin as writers)."""
    view._writes_on_get = True
    return view


def _route_writes() -> bool:
    view = current_app.view_functions.get(request.endpoint) if request.endpoint else None
    while view is not None:
        if getattr(view, "_writes_on_get", False):
            return True
        view = getattr(view, "__wrapped__", None)
    return False


def wants_write_lock() -> bool:
    """Should the transaction about to begin take the write lock at once?"""
    declared = _intent.get()
    if declared is not None:
        return declared
    if has_request_context():
        return request.method not in SAFE_METHODS or _route_writes()
    return True


def session_is_reading(session) -> bool:
    """Is this session inside a SQLite read (deferred) transaction, where a write would have to
    turn the read into a write, which SQLite refuses while another writer is active?"""
    if not session.in_transaction():
        return False
    connection = session.connection()
    return connection.dialect.name == "sqlite" and connection.info.get("handover_read_only") is True


@contextmanager
def _declared(write: bool) -> Iterator[None]:
    token = _intent.set(write)
    try:
        yield
    finally:
        _intent.reset(token)


def reading():
    """Transactions begun inside this block only read (a plain, deferred `BEGIN`)."""
    return _declared(False)


def writing():
    """Transactions begun inside this block write (`BEGIN IMMEDIATE` on SQLite)."""
    return _declared(True)


def session_holds_write_lock(session) -> bool:
    """Is this session inside a SQLite transaction that holds (or will take) the write lock?
    Another connection writing now would wait for that very lock."""
    if not session.in_transaction():
        return False
    connection = session.connection()
    if connection.dialect.name != "sqlite":
        return False
    return connection.info.get("handover_read_only") is False


def install_sqlite_hooks(engine) -> None:
    """Foreign keys on, WAL, a busy timeout; `BEGIN IMMEDIATE` for writers, `BEGIN` for readers."""
    from sqlalchemy import event

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection, _record):
        dbapi_connection.isolation_level = None  # let SQLAlchemy's begin event emit BEGIN itself
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA busy_timeout=15000")
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection):
        immediate = wants_write_lock()
        connection.info["handover_read_only"] = not immediate
        connection.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")

    @event.listens_for(engine, "before_cursor_execute")
    def _warn_on_write_in_read(connection, _cursor, statement, _parameters, _context, _executemany):
        if connection.info.get("handover_read_only") and statement.lstrip()[:6].upper() in (
                "INSERT", "UPDATE", "DELETE"):
            # It works while nobody else writes; under load SQLite refuses it ("database is
            # locked"). The route should declare `writing()` or use an unsafe method.
            connection.info["handover_read_only"] = False
            log.warning("a write inside a read transaction (%s %s): declare it with transactions.writing()",
                        request.method if has_request_context() else "-",
                        request.path if has_request_context() else "-")

    @event.listens_for(engine, "commit")
    @event.listens_for(engine, "rollback")
    def _forget(connection):
        connection.info.pop("handover_read_only", None)
