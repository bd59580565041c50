"""Integer codes remembered for text id columns, for the fleet lens (internal).

Whoever builds an id column from integer codes — the simulator (an order's row, an item's row), a
history partition (each order's number in its partition) — can remember them here for
:mod:`orderkit.metrics`, which would otherwise recover them by matching the text. A code stands
only for the very Arrow array it was remembered with (Arrow arrays are immutable; any change to the
column replaces the array), and is forgotten with it.

>>> import numpy as np, pandas as pd
>>> ids = remember(pd.Series(["a", "b"], dtype="str"), np.arange(2, dtype=np.int32), "orders")
>>> known_codes(ids)[1]
'orders'
>>> known_codes(ids.str.upper()) is None
True
"""

from __future__ import annotations

import weakref

import numpy as np
import pandas as pd

__all__ = ["known_codes", "remember"]

_KNOWN: dict[int, tuple[weakref.ref, np.ndarray, object]] = {}


def remember(series: pd.Series, codes: np.ndarray, universe: object) -> pd.Series:
    """Remember ``codes`` (one per row) as what ``series``' Arrow array stands for in ``universe``.

    ``universe`` names what the codes index (compared with ``==``): two columns' codes are
    comparable only when their universes are equal.

    Returns:
        ``series`` itself.

    Raises:
        TypeError: ``series`` is not backed by an Arrow array.
    """
    arr = getattr(series.array, "_pa_array", None)
    if arr is None:
        raise TypeError(
            f"codes can only be remembered for an Arrow-backed column, not {series.dtype}"
        )
    key = id(arr)
    _KNOWN[key] = (weakref.ref(arr, lambda _, key=key: _KNOWN.pop(key, None)), codes, universe)
    return series


def known_codes(series: pd.Series) -> tuple[np.ndarray, object] | None:
    """Return the codes remembered for ``series`` and what they index, or ``None``.

    ``series`` must hold the very array they were remembered with (not a copy, a slice or an edit).
    """
    arr = getattr(series.array, "_pa_array", None)
    entry = _KNOWN.get(id(arr)) if arr is not None else None
    if entry is None or entry[0]() is not arr:
        return None
    return entry[1], entry[2]
