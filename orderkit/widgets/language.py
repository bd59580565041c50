"""Language switches: the interface's (日本語 / English / 简体中文) and the letters' (日本語 / English).

The two are separate settings: a seller may work in Chinese or English while writing to buyers on
Amazon.co.jp in Japanese (the default), or in English to a buyer who wrote in English.
"""

from __future__ import annotations

import ipywidgets as w
import traitlets

from orderkit.i18n import LETTER_LANGUAGES, check_lang, language_options

__all__ = ["LanguageSwitch", "LetterLanguageSwitch"]


class LanguageSwitch(w.ToggleButtons):
    """Toggle buttons 日本語 / English / 简体中文; every widget passed to :meth:`link` follows them.

    >>> switch = LanguageSwitch(value="ja")
    >>> switch.value
    'ja'
    >>> [code for _, code in switch.options]
    ['ja', 'en', 'zh-Hans']
    """

    #: the trait of a linked widget that follows this switch
    target = "lang"

    def __init__(self, value: str = "en", **kwargs: object) -> None:
        super().__init__(options=self._options(), value=self._check(value), **kwargs)
        self.add_class("ok-lang")
        self._links: list[traitlets.dlink] = []

    @staticmethod
    def _options() -> list[tuple[str, str]]:
        return language_options()

    @staticmethod
    def _check(value: str) -> str:
        return check_lang(value)

    def link(self, *widgets: w.Widget) -> LanguageSwitch:
        """Make each widget's ``lang`` (``letter_lang`` for a letter switch) follow this switch.

        Returns:
            the switch, so that ``LanguageSwitch("ja").link(a, b)`` can end a notebook cell.
        """
        for widget in widgets:
            self._links.append(traitlets.dlink((self, "value"), (widget, self.target)))
        return self


class LetterLanguageSwitch(LanguageSwitch):
    """Toggle buttons 日本語 / English for letters to buyers; linked widgets' ``letter_lang`` follows.

    >>> LetterLanguageSwitch().value
    'ja'
    >>> [code for _, code in LetterLanguageSwitch().options]
    ['ja', 'en']
    """

    target = "letter_lang"

    def __init__(self, value: str = "ja", **kwargs: object) -> None:
        super().__init__(value, **kwargs)
        self.add_class("ok-letter-lang")

    @staticmethod
    def _options() -> list[tuple[str, str]]:
        return [(name, code) for code, name in LETTER_LANGUAGES.items()]

    @staticmethod
    def _check(value: str) -> str:
        return check_lang(value, LETTER_LANGUAGES)
