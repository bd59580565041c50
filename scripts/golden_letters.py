"""Write every buyer letter orderkit produces to ``tests/data/letters/<case>.<lang>.txt``.

The files are the golden copies ``tests/test_letters.py`` compares ``advise(...)`` with. Run this
after changing a letter, then READ every changed file (``git diff tests/data/letters``) as the buyer
would: correct the code or the catalogs until each reads as a real support person would write it,
and commit the files you have reviewed. Cases without a letter write no file.

    PYTHONPATH=. python scripts/golden_letters.py            # write all
    PYTHONPATH=. python scripts/golden_letters.py returned   # only cases whose name contains it
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))

from lettercases import CASES, GOLDEN, advice_for, golden_path, letter_languages


def main(pattern: str = "") -> None:
    """Write the letter of every case whose name contains ``pattern``, in each letter language."""
    GOLDEN.mkdir(parents=True, exist_ok=True)
    for case in CASES:
        if pattern not in case:
            continue
        for lang in letter_languages():
            letter = advice_for(case, lang).template
            path = golden_path(case, lang)
            if letter:
                path.write_text(letter + "\n", encoding="utf-8")
                print(f"wrote {path.relative_to(GOLDEN.parent.parent.parent)}")


if __name__ == "__main__":
    main(*sys.argv[1:2])
