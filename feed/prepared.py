"""Querysets compiled once per process, for the reads made on every feed page.

Composing a queryset with joins and annotations into SQL takes the ORM about a millisecond here;
running that SQL on a handful of primary keys takes a twentieth of it. So the queryset is built
once with stand-in numbers, its SQL is kept, and each call only swaps the real numbers in. The
queryset stays the one definition of what is read (and of who may see it); only the work of
composing it is saved. Only whole-number values (ids) can be swapped: they reach the SQL
unchanged on every database, so each stand-in is found again in the compiled parameters.
"""

from __future__ import annotations

import itertools
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, TypeVar

from django.db import connection
from django.db.models import Model, QuerySet
from django.db.models.sql.compiler import SQLCompiler

M = TypeVar("M", bound=Model)

# Stand-ins: far below any real id, and distinct from each other.
_STAND_INS = itertools.count(-(2**62), 1)
_MISSING = -1  # pads id lists; no row has a negative id


class Prepared:
    """``build(**stand_ins)`` compiled once per list length; ``rows(**values)`` runs it.

    ``build`` takes keyword arguments that are ints or lists of ints and returns a queryset
    already narrowed with ``values_list``. Lists are padded to ``list_size`` with -1, so one
    compiled statement serves every shorter list."""

    def __init__(self, build: Callable[..., QuerySet[Any]], *, list_size: int) -> None:
        self.build = build
        self.list_size = list_size
        self._compiled: dict[tuple[str, tuple[str, ...]], _Compiled] = {}
        self._lock = threading.Lock()

    def rows(self, **values: int | Sequence[int]) -> list[tuple[Any, ...]]:
        """The rows, each value converted as the queryset itself would (dates, booleans)."""
        compiled = self._statement(tuple(sorted(values)))
        with connection.cursor() as cursor:
            cursor.execute(compiled.sql, compiled.params(self._values(values)))
            rows = cursor.fetchall()
        if not compiled.converters:
            return rows
        return [tuple(row) for row in compiled.compiler.apply_converters(rows, compiled.converters)]

    def instances(self, model: type[M], **values: int | Sequence[int]) -> list[M]:
        """The rows as ``model`` instances, each field converted as the ORM would (JSON, dates,
        booleans); ``build`` must select the model's own columns."""
        compiled = self._statement(tuple(sorted(values)))
        names = [col.target.attname for col, _, _ in compiled.compiler.select]
        return [model.from_db(connection.alias, names, row) for row in self.rows(**values)]

    def _values(self, values: dict[str, int | Sequence[int]]) -> dict[str, Any]:
        return {k: self._padded(v) if not isinstance(v, int) else v for k, v in values.items()}

    def _padded(self, ids: Sequence[int]) -> list[int]:
        if len(ids) > self.list_size:
            raise ValueError(f"At most {self.list_size} ids per call, not {len(ids)}.")
        return [*ids, *[_MISSING] * (self.list_size - len(ids))]

    def _statement(self, names: tuple[str, ...]) -> _Compiled:
        key = (connection.vendor, names)
        compiled = self._compiled.get(key)
        if compiled is None:
            with self._lock:
                compiled = self._compiled.get(key) or self._compile(names)
                self._compiled[key] = compiled
        return compiled

    def _compile(self, names: tuple[str, ...]) -> _Compiled:
        """The SQL, for each of its parameters either a constant or where to find it, and the
        converters the queryset would apply to its rows."""
        stand_ins: dict[str, Any] = {}
        where: dict[int, tuple[str, int | None]] = {}
        for name in names:
            if name.endswith("_ids"):
                numbers = [next(_STAND_INS) for _ in range(self.list_size)]
                stand_ins[name] = numbers
                where.update({n: (name, i) for i, n in enumerate(numbers)})
            else:
                number = next(_STAND_INS)
                stand_ins[name] = number
                where[number] = (name, None)
        compiler = self.build(**stand_ins).query.get_compiler(connection.alias)
        sql, params = compiler.as_sql()
        converters = compiler.get_converters([col for col, _, _ in compiler.select])
        slots = [("value", where[p]) if p in where else ("constant", p) for p in params]
        return _Compiled(sql, slots, compiler, converters)


@dataclass(frozen=True)
class _Compiled:
    sql: str
    slots: list[tuple[str, Any]]
    compiler: SQLCompiler
    converters: dict[int, Any]

    def params(self, values: dict[str, Any]) -> list[Any]:
        return [_fill(slot, values) for slot in self.slots]


def _fill(slot: tuple[str, Any], values: dict[str, Any]) -> Any:
    kind, what = slot
    if kind == "constant":
        return what
    name, index = what
    return values[name] if index is None else values[name][index]
