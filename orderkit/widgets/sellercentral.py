"""SellerCentralPanel: live Seller Central in the workbench — orders in, shipment confirmations out.

The panel shows whether orderkit is connected to the Selling Partner API (and, when it is not, how
to configure the credentials: the environment or the system keyring, never a notebook cell), when
the store last synced, a Sync button with a progress bar (pages, orders) and what the sync changed,
and a form that confirms an order's shipment through the API: a dry-run preview of exactly what
would be sent, then a confirmation step, then the send, whose result says which orders went and
which did not. The work is :mod:`orderkit.sellercentral`'s; this widget asks and shows. With no
credentials nothing is sent anywhere and the workbench keeps showing the offline sample.
"""

from __future__ import annotations

import html
from collections.abc import Callable
from typing import Any

import ipywidgets as w
import traitlets

from orderkit.actions import confirmations_for
from orderkit.clock import ClockLike, as_clock
from orderkit.errors import OrderkitError, OrderNotFound
from orderkit.i18n import N_, _, datetime, ngettext
from orderkit.io.confirmation import CARRIERS

__all__ = ["SellerCentralPanel"]

T: dict[str, str] = {
    "title": N_("Seller Central"),
    "connected": N_("Connected to {endpoint} (credentials from the {source})."),
    "not_configured": N_(
        "Not connected: no Selling Partner API credentials are configured, so the workbench"
        " shows the offline sample. To connect, set ORDERKIT_LWA_REFRESH_TOKEN,"
        " ORDERKIT_LWA_CLIENT_ID and ORDERKIT_LWA_CLIENT_SECRET in the environment (and"
        " ORDERKIT_SPAPI_ENDPOINT for another server), or store them once in the system keyring"
        " with orderkit.sellercentral.credentials.store_in_keyring from a terminal — never in a"
        " notebook cell — then reopen the workbench."
    ),
    "cannot_connect": N_("Not connected: {why}"),
    "not_checked": N_("Credentials found in the {source}; Sync connects to {endpoint}."),
    "never_synced": N_("Not synced yet."),
    "last_sync": N_("Last sync: {when}"),
    "sync": N_("Sync now"),
    "progress": N_("Pages: {pages} · orders: {orders}"),
    "sync_failed": N_("The sync failed; nothing is lost and the next sync resumes: {why}"),
    "confirm_title": N_("Confirm a shipment through the API"),
    "order_id": N_("Order no."),
    "carrier": N_("Carrier"),
    "tracking": N_("Tracking no."),
    "preview": N_("Preview (dry run)"),
    "package": N_("Order {order}, package {package}: {lines}; {by} {tracking}"),
    "send": N_("Send to Amazon"),
    "yes": N_("Yes, send"),
    "back": N_("Back"),
    "went": N_("Sent: {orders}"),
    "went_none": N_("Nothing was sent."),
    "failed": N_("Not sent: {order} ({code}: {message})"),
    "skipped": N_("Sent before, not sent again: {orders}"),
    "refused": N_("Nothing sent: {why}"),
    "nothing_left": N_("Order {order} has nothing left to ship."),
    "no_order": N_("No order {order} in the store."),
    "source_environment": N_("environment"),
    "source_keyring": N_("system keyring"),
    "source_given": N_("caller"),
}


def _t(key: str, lang: str, **values: object) -> str:
    return _(T[key], lang, **values)


def _default_connect() -> Any:
    from orderkit.sellercentral import SellerCentral

    return SellerCentral()


class SellerCentralPanel(w.VBox):
    """Sync orders from Seller Central and confirm shipments to it, from the workbench.

    Args:
        store: the :class:`~orderkit.store.Store` synced into (its sync state says when the last
            sync was; confirmations sent are recorded there).
        client: a :class:`~orderkit.sellercentral.SellerCentral` (e.g. on a local ``Sandbox``);
            by default one is made from the configured credentials (``connect``).
        connect: makes the default client; its ``CredentialsMissing`` means "not configured".
        clock: *now* for the confirmations (default: the client's clock).
        lang: ``"en"``, ``"ja"`` or ``"zh-Hans"``.
        check: ask Amazon for an access token now, so that the status says whether it accepts
            the credentials (the workbench does not, for the client it makes itself: with no
            network, the client's retries would hold the workbench up).

    Traits:
        lang: the display language (a :class:`LanguageSwitch` links it).
        last_result: what the last step said, as the user read it.
    """

    lang = traitlets.Unicode("en")
    last_result = traitlets.Unicode("")

    def __init__(
        self,
        store: Any,
        *,
        client: Any = None,
        connect: Callable[[], Any] = _default_connect,
        clock: ClockLike | None = None,
        lang: str = "en",
        check: bool = True,
    ) -> None:
        super().__init__()
        self.store = store
        self.problem: Exception | None = None
        #: Whether Amazon answered (an access token, or a sync); ``None``: not asked yet.
        self.reached: bool | None = None
        if client is None:
            client = self._connect(connect)
        self.client = client
        if client is not None and check:
            self._check(client)
        self.clock = as_clock(clock) if clock is not None else getattr(client, "clock", None)
        self.result: Any = None  # the last SyncResult
        self.preview: Any = None  # the last dry run's ConfirmResult
        self.lines: list[dict[str, Any]] = []  # the lines previewed: exactly what a send sends
        self.sent: Any = None  # the last send's ConfirmResult
        self._on_sync: list[Callable[[Any], None]] = []
        self.title = w.HTML().add_class("ok-sc-title")
        self.status = w.HTML().add_class("ok-sc-status")
        self.last_sync = w.HTML().add_class("ok-sc-last-sync")
        self.sync_button = w.Button(button_style="primary", layout=w.Layout(width="auto"))
        self.sync_button.add_class("ok-sc-sync").on_click(lambda _: self.sync())
        self.progress = w.IntProgress(value=0, min=0, max=1).add_class("ok-sc-progress")
        self.progress_label = w.Label().add_class("ok-sc-progress-label")
        self.changes = w.HTML().add_class("ok-sc-changes")
        self.confirm_title = w.HTML()
        self.order_id = w.Text(layout=w.Layout(width="16em")).add_class("ok-sc-order")
        self.carrier = w.Dropdown(options=list(CARRIERS), value="Yamato Transport")
        self.carrier.add_class("ok-sc-carrier")
        self.tracking = w.Text(layout=w.Layout(width="14em")).add_class("ok-sc-tracking")
        self.preview_button = w.Button(layout=w.Layout(width="auto")).add_class("ok-sc-preview")
        self.preview_button.on_click(lambda _: self.dry_run())
        self.preview_text = w.HTML().add_class("ok-sc-preview-text")
        self.send_button = w.Button(button_style="warning", layout=w.Layout(width="auto"))
        self.send_button.add_class("ok-sc-send").on_click(lambda _: self.ask())
        self.sure = w.HTML()
        self.yes = w.Button(button_style="danger", layout=w.Layout(width="auto"))
        self.yes.add_class("ok-sc-yes").on_click(lambda _: self.send())
        self.back = w.Button(layout=w.Layout(width="auto")).add_class("ok-sc-back")
        self.back.on_click(lambda _: self.dismiss())
        self.sure_box = w.VBox(
            [self.sure, w.HBox([self.yes, self.back])],
            layout=w.Layout(display="none", border="2px solid #b00020", padding="8px"),
        ).add_class("ok-sc-sure")
        self.message = w.HTML().add_class("ok-sc-message")
        for field in (self.order_id, self.carrier, self.tracking):  # a new form: a new preview
            field.observe(lambda _: self._forget_preview(), names="value")
        self.confirm_box = w.VBox(
            [
                self.confirm_title,
                w.HBox([self.order_id, self.carrier, self.tracking]),
                self.preview_button,
                self.preview_text,
                self.send_button,
                self.sure_box,
                self.message,
            ]
        )
        self.children = (
            self.title,
            self.status,
            self.last_sync,
            w.HBox([self.sync_button, self.progress, self.progress_label]),
            self.changes,
            self.confirm_box,
        )
        self.add_class("ok-sellercentral")
        self.lang = lang
        self._draw()

    # -- connection ------------------------------------------------------------------------------
    def _connect(self, connect: Callable[[], Any]) -> Any:
        """Return the client ``connect`` makes, or ``None`` (and why, in ``problem``)."""
        from orderkit.sellercentral import SellerCentralError

        try:
            return connect()
        except SellerCentralError as exc:  # shown in the panel: not configured, or refused
            self.problem = exc
            return None

    def _check(self, client: Any) -> None:
        """Ask for an access token, so that the status says whether Amazon accepts the credentials.

        A refusal or an unreachable server is shown (``problem``), not raised: Sync stays
        enabled and tries again.
        """
        from orderkit.sellercentral import SellerCentralError

        try:
            client.connect()
        except SellerCentralError as exc:
            self.problem, self.reached = exc, False
        else:
            self.problem, self.reached = None, True

    @property
    def connected(self) -> bool:
        """Whether there is a client to sync with (credentials configured)."""
        return self.client is not None

    def on_sync(self, handler: Callable[[Any], None]) -> None:
        """Call ``handler(sync_result)`` after each sync that saved into the store."""
        self._on_sync.append(handler)

    # -- drawing ---------------------------------------------------------------------------------
    @traitlets.observe("lang")
    def _lang_changed(self, _change: object) -> None:
        if self.children:
            self._draw()

    def _draw(self) -> None:
        lang = self.lang
        self.title.value = f"<h3>{html.escape(_t('title', lang))}</h3>"
        self.status.value = html.escape(self._status_text())
        self.last_sync.value = html.escape(self._last_sync_text())
        self.sync_button.description = _t("sync", lang)
        self.sync_button.disabled = not self.connected
        self.confirm_title.value = f"<b>{html.escape(_t('confirm_title', lang))}</b>"
        self.order_id.placeholder = _t("order_id", lang)
        self.carrier.description = _t("carrier", lang)
        self.tracking.placeholder = _t("tracking", lang)
        self.preview_button.description = _t("preview", lang)
        self.preview_button.disabled = not self.connected
        self.send_button.description = _t("send", lang)
        self.send_button.disabled = self.preview is None or not self.preview.ok
        self.yes.description = _t("yes", lang)
        self.back.description = _t("back", lang)
        self.confirm_box.layout.display = None if self.connected else "none"
        if self.result is not None:
            self._show_changes()
        if self.preview is not None:
            self._show_preview()

    def _status_text(self) -> str:
        lang = self.lang
        if self.client is not None and self.problem is not None:
            return _t("cannot_connect", lang, why=str(self.problem))
        if self.client is not None:
            source = self.client.transport.credentials.source
            where = _t(f"source_{source}", lang) if f"source_{source}" in T else source
            key = "connected" if self.reached else "not_checked"
            return _t(key, lang, endpoint=self.client.endpoint, source=where)
        from orderkit.sellercentral import CredentialsMissing

        if self.problem is None or isinstance(self.problem, CredentialsMissing):
            return _t("not_configured", lang)
        return _t("cannot_connect", lang, why=str(self.problem))

    def _last_sync_text(self) -> str:
        if self.client is None:
            return ""
        when = self.client.status(self.store).last_sync
        if when is None:
            return _t("never_synced", self.lang)
        return _t("last_sync", self.lang, when=datetime(when, self.lang) + " JST")

    # -- sync --------------------------------------------------------------------------------------
    def sync(self) -> Any:
        """Sync the store (what the Sync button does); return the ``SyncResult`` or ``None``.

        A failure is shown (the sync resumes next time, nothing is lost) and kept in
        ``last_result``; the exception is not raised into the notebook's event loop.
        """
        if self.client is None:
            return None
        self.progress.value, self.progress.max = 0, 1
        self.progress_label.value = _t("progress", self.lang, pages=0, orders=0)
        self.progress.bar_style = ""
        try:
            result = self.client.sync(self.store, progress=self._progressed)
        except (OrderkitError, ValueError) as exc:  # shown, and kept in last_result
            self.progress.bar_style = "danger"
            self._say(self.changes, _t("sync_failed", self.lang, why=str(exc)))
            return None
        self.result = result
        self.problem, self.reached = None, True  # Amazon answered: connected
        self.status.value = html.escape(self._status_text())
        self.progress.max = max(result.pages, 1)
        self.progress.value = result.pages
        self.progress.bar_style = "success"
        self.progress_label.value = _t(
            "progress", self.lang, pages=result.pages, orders=result.orders
        )
        self.last_sync.value = html.escape(self._last_sync_text())
        self._show_changes()
        for handler in self._on_sync:
            handler(result)
        return result

    def _progressed(self, pages: int, orders: int) -> None:
        # The total is unknown until the last page: the bar grows one step ahead of the count.
        self.progress.max = max(self.progress.max, pages + 1)
        self.progress.value = pages
        self.progress_label.value = _t("progress", self.lang, pages=pages, orders=orders)

    def _show_changes(self) -> None:
        result = self.result
        text = result.summary.describe(self.lang)
        if result.problems:
            first = str(result.problems[0])
            text += "\n" + ngettext(
                "{n} order could not be read: {first}",
                "{n} orders could not be read; the first: {first}",
                len(result.problems),
                self.lang,
                n=len(result.problems),
                first=first,
            )
        self._say(self.changes, text)

    # -- confirmations -----------------------------------------------------------------------------
    def _confirmations(self) -> list[dict[str, Any]]:
        """Return the lines of the form's order: everything left to ship, in one package.

        Raises:
            OrderNotFound: the store has no such order.
        """
        order_id = self.order_id.value.strip()
        book = self.store.load()
        if order_id not in book:
            raise OrderNotFound(order_id)
        lines = confirmations_for(
            book,
            [order_id],
            at=self.clock.now(),
            carrier_code=self.carrier.value,
            tracking_numbers={order_id: self.tracking.value.strip()},
        )
        package = str(self._packages_sent(order_id) + 1)
        return [{**line, "package_reference_id": package} for line in lines]

    def _packages_sent(self, order_id: str) -> int:
        sent = self.store.sent([order_id])
        ok = sent.loc[sent["result"] == "ok", "package_reference_id"]
        return max((int(p) for p in ok if str(p).isdigit()), default=0)

    def dry_run(self) -> Any:
        """Preview what confirming the form's order would send (nothing is sent).

        Returns:
            The dry run's ``ConfirmResult``, or ``None`` when there is nothing to send (or no
            connection).
        """
        if self.client is None:
            return None
        self.dismiss()
        self.sent = None
        self._say(self.message, "")
        try:
            lines = self._confirmations()
        except OrderNotFound:
            self._forget_preview()
            return self._say(
                self.preview_text, _t("no_order", self.lang, order=self.order_id.value)
            )
        if not lines:
            self._forget_preview()
            return self._say(
                self.preview_text, _t("nothing_left", self.lang, order=self.order_id.value)
            )
        self.lines = lines
        self.preview = self.client.confirm(lines, store=self.store, dry_run=True)
        self._show_preview()
        self.send_button.disabled = not self.preview.ok
        return self.preview

    def _show_preview(self) -> None:
        result = self.preview
        if result.problems:
            self._say(self.preview_text, _t("refused", self.lang, why=str(result.problems[0])))
            return
        n = len(result.requests)
        rows = [
            ngettext(
                "Nothing was sent. {n} request would be sent:",
                "Nothing was sent. These {n} requests would be sent:",
                n,
                self.lang,
                n=n,
            )
        ]
        for r in result.requests:
            detail = r.body["packageDetail"]
            lines = ", ".join(f"{item} × {qty}" for item, qty in r.lines)
            rows.append(
                "• "
                + _t(
                    "package",
                    self.lang,
                    order=r.order_id,
                    package=r.package_reference_id,
                    lines=lines,
                    by=detail.get("carrierCode", ""),
                    tracking=detail.get("trackingNumber", ""),
                )
            )
        self._say(self.preview_text, "\n".join(rows))

    def ask(self) -> None:
        """Show the confirmation step before a real send (the Send button)."""
        if self.preview is None or not self.preview.ok:
            return
        n = len(self.preview.requests)
        sure = ngettext(
            "Send {n} confirmation to Amazon? This cannot be undone on Amazon.",
            "Send these {n} confirmations to Amazon? This cannot be undone on Amazon.",
            n,
            self.lang,
            n=n,
        )
        self.sure.value = html.escape(sure)
        self.sure_box.layout.display = None

    def dismiss(self) -> None:
        """Hide the confirmation step without sending (Back)."""
        self.sure_box.layout.display = "none"

    def send(self) -> Any:
        """Send the previewed confirmations (Yes, send); return the ``ConfirmResult``.

        Sends exactly the lines previewed; a package the store says went already is skipped.
        """
        if self.preview is None or not self.preview.ok:
            return None
        self.dismiss()
        result = self.client.confirm(self.lines, store=self.store, dry_run=False)
        self.sent = result
        self._forget_preview()
        lang = self.lang
        went = ", ".join(r.order_id for r in result.sent)
        rows = [_t("went", lang, orders=went) if went else _t("went_none", lang)]
        rows += [
            _t("failed", lang, order=f.request.order_id, code=f.code, message=f.message)
            for f in result.failed
        ]
        if result.skipped:
            skipped = ", ".join(r.order_id for r in result.skipped)
            rows.append(_t("skipped", lang, orders=skipped))
        if result.problems:
            rows.append(_t("refused", lang, why=str(result.problems[0])))
        self._say(self.message, "\n".join(rows))
        return result

    def _forget_preview(self) -> None:
        self.preview = None
        self.send_button.disabled = True
        self.dismiss()

    def _say(self, target: w.HTML, text: str) -> None:
        target.value = "<br>".join(html.escape(line) for line in text.splitlines())
        self.last_result = text
