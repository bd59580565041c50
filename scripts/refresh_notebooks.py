"""Re-execute the notebooks and keep only the outputs that nbval checks.

Usage: python scripts/refresh_notebooks.py [notebooks/NN_name.ipynb ...]   (default: all)

Each notebook runs top to bottom in a fresh kernel from this environment. Afterwards, cells marked
``# NBVAL_CHECK_OUTPUT`` keep their outputs (these are the saved examples nbval compares); every
other cell is stripped, so committed notebooks stay small and diffs stay readable.
"""

from __future__ import annotations

import sys
from pathlib import Path

import nbformat
from nbclient import NotebookClient

ROOT = Path(__file__).resolve().parent.parent
MARK = "NBVAL_CHECK_OUTPUT"


def refresh(path: Path) -> None:
    """Execute ``path`` in place and strip every output nbval does not check."""
    nb = nbformat.read(path, as_version=4)
    NotebookClient(
        nb, timeout=600, kernel_name="python3", resources={"metadata": {"path": str(path.parent)}}
    ).execute()
    for cell in nb.cells:
        if cell.cell_type != "code":
            continue
        if MARK in cell.source:
            cell.outputs = [
                o
                for o in cell.outputs
                if o.get("output_type") != "display_data"
                or "application/vnd.jupyter.widget-view+json" not in o.get("data", {})
            ]
        else:
            cell.outputs = []
            cell.execution_count = None
        cell.metadata.pop("execution", None)
    nb.metadata.pop("widgets", None)
    nbformat.write(nb, path)
    print(f"refreshed {path.relative_to(ROOT)}")


def main(argv: list[str]) -> None:
    """Refresh the notebooks named in ``argv``, or all of ``notebooks/``."""
    paths = [Path(a).resolve() for a in argv] or sorted(
        (ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb")
    )
    for path in paths:
        refresh(path)


if __name__ == "__main__":
    main(sys.argv[1:])
