"""A language switch (日本語 / English / 简体中文) that relabels every widget linked to it."""

from __future__ import annotations

import ipywidgets as w
import traitlets

from orderkit.i18n import check_lang, language_options

__all__ = ["LanguageSwitch"]


class LanguageSwitch(w.ToggleButtons):
    """Toggle buttons 日本語 / English / 简体中文; every widget passed to :meth:`link` follows them.

    >>> switch = LanguageSwitch(value="ja")
    >>> switch.value
    'ja'
    >>> [code for _, code in switch.options]
    ['ja', 'en', 'zh-Hans']
    """

    def __init__(self, value: str = "en", **kwargs: object) -> None:
        super().__init__(options=language_options(), value=check_lang(value), **kwargs)
        self.add_class("ok-lang")
        self._links: list[traitlets.dlink] = []

    def link(self, *widgets: w.Widget) -> LanguageSwitch:
        """Make each widget's ``lang`` follow this switch; return the switch."""
        for widget in widgets:
            self._links.append(traitlets.dlink((self, "value"), (widget, "lang")))
        return self
