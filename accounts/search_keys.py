"""Finding people by the start of their @handle or name through an index, never a scan.

Each of ``User``'s handle, first name and last name has an index on its lower-cased value
(``SearchKey``), kept by the database itself, so no service has a copy of a name to keep in
step. ``starts_with`` asks for the keys from the lower-cased query up to the query followed by
the highest code point: a range, which a B-tree index answers by reading only the matches.
``LIKE 'q%'`` would not do: SQLite uses an index for LIKE only on a plain column with a
case-insensitive collation, and PostgreSQL only with ``text_pattern_ops`` or the C collation.

The range compares code points, as a prefix does: SQLite compares text byte by byte
(UTF-8 keeps code point order), and on PostgreSQL both the index and the query compare under
the C collation, since a language's collation may weigh ``_`` or ``-`` less than letters and
put ``dog_lover`` outside the range of ``dog_``.
Both sides are lower-cased by the database, so case folds exactly as it did with
``istartswith``: every letter on PostgreSQL, ASCII letters on SQLite.
"""

from __future__ import annotations

from typing import Any

from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.models import CharField, Func, Q, Value
from django.db.models.lookups import GreaterThanOrEqual, LessThan
from django.db.models.sql.compiler import SQLCompiler

SEARCHED_FIELDS = ("username", "first_name", "last_name")
# Above every character a name can hold, so ``query + _TOP`` bounds every key starting with it.
_TOP = chr(0x10FFFF)


class SearchKey(Func):
    """A text's lower-cased value, compared code point by code point."""

    function = "LOWER"
    arity = 1
    output_field = CharField()

    def as_postgresql(
        self, compiler: SQLCompiler, connection: BaseDatabaseWrapper, **extra: Any
    ) -> tuple[str, list[Any]]:
        return self.as_sql(
            compiler, connection, template='(%(function)s(%(expressions)s) COLLATE "C")', **extra
        )


def search_key_name(field: str) -> str:
    """The name of the index on ``field``'s search key."""
    return f"user_{field}_search_key"


def starts_with(query: str) -> Q:
    """People whose handle, first name or last name starts with ``query``, in any case."""
    low, high = SearchKey(Value(query)), SearchKey(Value(query + _TOP))
    match = Q()
    for field in SEARCHED_FIELDS:
        key = SearchKey(field)
        match |= Q(GreaterThanOrEqual(key, low), LessThan(key, high))
    return match
