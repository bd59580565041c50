"""Extract, update and compile orderkit's message catalogs (``make catalogs``).

1. every text marked ``_("…", lang)``, ``N_("…")`` or ``ngettext(…)`` in ``orderkit/`` goes into
   ``orderkit/locale/orderkit.pot``;
2. each language's ``.po`` file gains the new messages (translators fill them in) and loses none
   that a translator wrote (obsolete ones are kept, commented, by Babel);
3. each ``.po`` is compiled to the ``.mo`` file orderkit reads.

Run it after adding or changing a text; ``tests/test_i18n.py`` fails until every message is
translated and every ``.mo`` matches its ``.po``.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
LOCALE = ROOT / "orderkit" / "locale"
POT = LOCALE / "orderkit.pot"
LOCALES = ("ja", "zh_Hans")
KEYWORDS = ["-k", "_:1", "-k", "N_", "-k", "ngettext:1,2"]


def pybabel(*args: str) -> None:
    """Run one ``pybabel`` command from the project's root; stop on its failure."""
    subprocess.run([sys.executable, "-m", "babel.messages.frontend", *args], cwd=ROOT, check=True)


def main() -> None:
    """Extract, update and compile every catalog."""
    pybabel(
        "extract", "-F", "babel.cfg", "--no-default-keywords", *KEYWORDS,
        "--sort-output", "--no-location", "--omit-header", "--no-wrap", "-o", str(POT), "orderkit",
    )  # fmt: skip
    for loc in LOCALES:
        po = LOCALE / loc / "LC_MESSAGES" / "orderkit.po"
        if po.exists():
            pybabel("update", "-i", str(POT), "-d", str(LOCALE), "-D", "orderkit", "-l", loc,
                    "--no-wrap", "--ignore-obsolete", "--no-fuzzy-matching")  # fmt: skip
        else:
            pybabel("init", "-i", str(POT), "-d", str(LOCALE), "-D", "orderkit", "-l", loc,
                    "--no-wrap")  # fmt: skip
    pybabel("compile", "-d", str(LOCALE), "-D", "orderkit", "--statistics")


if __name__ == "__main__":
    main()
