"""Vectorised helpers that keep a million-row import fast.

- :func:`encode` maps a column through a small dict by mapping its distinct values only, and keeps
  the result as integer codes (a :class:`Coded`), so that comparisons and selections never touch
  Python objects row by row;
- :func:`event_ids` is :func:`orderkit.events.event_ids` (the readers import it from here).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping

import numpy as np
import pandas as pd
import pyarrow as pa

from orderkit import schema
from orderkit.events import event_ids as _core_event_ids

__all__ = ["Coded", "encode", "event_ids"]


class Coded:
    """A column as integer codes into a few distinct values (``-1``: missing or unmapped)."""

    def __init__(self, codes: np.ndarray, values: list[object]) -> None:
        self.codes = codes
        self.values = values

    def __len__(self) -> int:
        return len(self.codes)

    def __getitem__(self, rows: np.ndarray) -> Coded:
        return Coded(self.codes[rows], self.values)

    def isin(self, targets: object) -> np.ndarray:
        """Return whether each row's value is one of ``targets`` (missing: False)."""
        hit = np.array([v in targets for v in self.values] + [False])  # type: ignore[operator]
        return hit[self.codes]

    def lookup(self, table: np.ndarray) -> np.ndarray:
        """Return ``table[i]`` for each row whose value is ``values[i]``; ``table[-1]`` if missing."""
        return table[self.codes]

    def categorical(self) -> pd.Categorical:
        """Return the values as a ``category`` column (see :func:`orderkit.schema.codes`)."""
        return schema.categorical(self.codes, [str(v) for v in self.values])

    def text(self) -> pd.Series:
        """Return the values as a ``str`` column (missing → NaN)."""
        codes = np.where(self.codes < 0, len(self.values), self.codes)
        names = pa.array([*self.values, None], pa.string())
        return names.take(pa.array(codes)).to_pandas(types_mapper=_str_mapper)


def encode(
    values: pa.ChunkedArray, table: Mapping[str, object] | Callable[[str], object]
) -> tuple[Coded, np.ndarray]:
    """Return ``values`` mapped through ``table`` as a :class:`Coded`, and where it maps nothing.

    The mask marks rows holding a value that ``table`` maps to ``None`` (missing rows are not
    marked). Each distinct value is looked up once.
    """
    dictionary, raw = schema.dictionary_codes(values)
    get = table.get if isinstance(table, Mapping) else table
    mapped = [get(v) for v in dictionary.to_pylist()]
    out: list[object] = []
    code_of = np.full(len(mapped) + 1, -1, np.int64)
    for i, m in enumerate(mapped):
        if m is not None:
            if m not in out:
                out.append(m)
            code_of[i] = out.index(m)
    raw[raw < 0] = len(mapped)
    codes = code_of[raw]
    return Coded(codes, out), (codes < 0) & (raw < len(mapped))


def _str_mapper(t: pa.DataType) -> object:
    text = pa.types.is_string(t) or pa.types.is_large_string(t)
    return pd.StringDtype(na_value=np.nan) if text else None


#: The core's vectorised event ids (kept here under this name for the readers).
event_ids = _core_event_ids
