"""nbval runs the notebooks against a store in a temporary folder, never one in the checkout.

The notebooks open the shared store (``$ORDERKIT_STORE``); the kernels nbval starts inherit this
process's environment, so pointing the variable at a temporary file here keeps every run's
actions out of the working tree and out of the user's own ``.workbench`` store.
"""

from __future__ import annotations

import atexit
import os
import shutil
import tempfile
from pathlib import Path

_FOLDER = Path(tempfile.mkdtemp(prefix="orderkit-nbval-"))
os.environ["ORDERKIT_STORE"] = str(_FOLDER / "orderkit-store.sqlite")
atexit.register(shutil.rmtree, _FOLDER, ignore_errors=True)
