"""Extract, update and compile orderkit's message catalogs (``make catalogs``).

1. every text marked ``_("…", lang)``, ``N_("…")`` or ``ngettext(…)`` in ``orderkit/`` goes into
   ``orderkit/locale/orderkit.pot``, and every sentence of a letter to a buyer (``L_(…)``,
   ``letter_ngettext(…)``) into ``orderkit/locale/letters.pot`` (translated into Japanese only:
   buyers on Amazon.co.jp read Japanese or English);
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
#: domain → (its keywords, the locales it is translated into)
DOMAINS = {
    "orderkit": (["-k", "_:1", "-k", "N_", "-k", "ngettext:1,2"], ("ja", "zh_Hans")),
    "letters": (["-k", "L_:1", "-k", "letter_ngettext:1,2"], ("ja",)),
}


def pybabel(*args: str) -> None:
    """Run one ``pybabel`` command from the project's root; stop on its failure."""
    subprocess.run([sys.executable, "-m", "babel.messages.frontend", *args], cwd=ROOT, check=True)


def catalog(domain: str, keywords: list[str], locales: tuple[str, ...]) -> None:
    """Extract one domain's messages, update its ``.po`` files and compile them."""
    pot = LOCALE / f"{domain}.pot"
    pybabel(
        "extract", "-F", "babel.cfg", "--no-default-keywords", *keywords,
        "--sort-output", "--no-location", "--omit-header", "--no-wrap", "-o", str(pot), "orderkit",
    )  # fmt: skip
    for loc in locales:
        po = LOCALE / loc / "LC_MESSAGES" / f"{domain}.po"
        if po.exists():
            pybabel("update", "-i", str(pot), "-d", str(LOCALE), "-D", domain, "-l", loc,
                    "--no-wrap", "--ignore-obsolete", "--no-fuzzy-matching")  # fmt: skip
        else:
            pybabel("init", "-i", str(pot), "-d", str(LOCALE), "-D", domain, "-l", loc,
                    "--no-wrap")  # fmt: skip
        pybabel("compile", "-d", str(LOCALE), "-D", domain, "-l", loc, "--statistics")


def main() -> None:
    """Extract, update and compile every catalog."""
    for domain, (keywords, locales) in DOMAINS.items():
        catalog(domain, keywords, locales)


if __name__ == "__main__":
    main()
