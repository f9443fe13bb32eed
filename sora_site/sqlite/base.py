"""Django's SQLite backend, remembering each statement once its %s marks are turned into ?.

SQLite takes ``?`` where Django writes ``%s``, so Django's backend rewrites every statement
with a regular expression before running it. The statements a page runs are the same text on
every request (their values travel separately), and rewriting the feed's longest ones took
about a tenth of a millisecond a page, so each rewritten text is kept. Everything else is
Django's backend unchanged; ``settings`` names this one wherever DATABASE_URL is SQLite.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any

from django.db.backends.sqlite3 import base

# Longer statements (a bulk insert of many rows) are rewritten every time, as Django does: they
# are rarely the same twice, and keeping them would hold memory for nothing.
LONGEST_KEPT = 16_384


@lru_cache(maxsize=2048)
def _qmark(query: str) -> str:
    return base.FORMAT_QMARK_REGEX.sub("?", query).replace("%%", "%")


class SQLiteCursorWrapper(base.SQLiteCursorWrapper):
    def convert_query(self, query: str, *, param_names: Any = None) -> str:
        if param_names is None and len(query) <= LONGEST_KEPT:
            return _qmark(query)
        return super().convert_query(query, param_names=param_names)


class DatabaseWrapper(base.DatabaseWrapper):
    def create_cursor(self, name: Any = None) -> Any:
        return self.connection.cursor(factory=SQLiteCursorWrapper)
