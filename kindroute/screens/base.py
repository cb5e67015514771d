"""What every kindroute screen shares: access to the services and a safe way to call them.

Database work runs in a thread worker; the result (or the Dutch error message) comes back
to the UI thread. A :class:`~kindroute.errors.KindrouteError` becomes an error notification,
anything unexpected is logged and shown as one short line — never a traceback.
"""

from __future__ import annotations

import asyncio
import contextvars
import logging
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from typing import TYPE_CHECKING, Any, cast

from textual.binding import Binding
from textual.dom import DOMNode
from textual.message import Message
from textual.screen import ModalScreen, Screen

from kindroute.errors import KindrouteError

if TYPE_CHECKING:
    from textual.app import App

    from kindroute.app import KindrouteApp
    from kindroute.services import Actor, Services

log = logging.getLogger(__name__)


def run_service(
    node: DOMNode,
    call: Callable[[], Any],
    on_done: Callable[[Any], None] | None = None,
    *,
    done: str | Callable[[Any], str] | None = None,
    on_error: Callable[[KindrouteError], None] | None = None,
    group: str = "service",
    exclusive: bool = False,
) -> None:
    """Run ``call`` (a service use case) in a thread; report back on the UI thread."""
    app = node.app

    def job() -> None:
        try:
            result = call()
        except KindrouteError as exc:
            log.info("service refused: %s", exc)
            app.call_from_thread(_failed, exc)
            return
        except Exception as exc:  # noqa: BLE001 - the user gets a line, the log the details
            log.exception("unexpected error in a service call")
            app.call_from_thread(
                app.notify, f"Onverwachte fout: {type(exc).__name__}: {exc}", severity="error", markup=False
            )
            return
        app.call_from_thread(_succeeded, result)

    def _failed(exc: KindrouteError) -> None:
        if on_error is not None:
            on_error(exc)
        else:
            app.notify(str(exc), severity="error", markup=False, timeout=8)

    def _succeeded(result: Any) -> None:
        if done is not None:
            message = done(result) if callable(done) else done
            app.notify(message, markup=False)
        if on_done is not None:
            on_done(result)

    node.run_worker(job, thread=True, group=group, exclusive=exclusive, exit_on_error=False)


class FreshContextExecutor(ThreadPoolExecutor):
    """The pool of the app's thread workers, each job run in a context of its own.

    Textual's thread worker puts itself in the context it runs in (``textual.worker.active_worker``);
    in a pool thread's own context it stayed there after the job, and with it the worker's node,
    e.g. a closed stroomschema with all it drew, until that thread ran another job.
    """

    def submit(self, fn: Callable[..., Any], /, *args: Any, **kwargs: Any) -> Future[Any]:
        return super().submit(contextvars.Context().run, fn, *args, **kwargs)


def use_fresh_contexts() -> None:
    """Run the thread workers of the running loop in :class:`FreshContextExecutor`."""
    asyncio.get_running_loop().set_default_executor(FreshContextExecutor(thread_name_prefix="kindroute"))


class ServiceFailed(Message):
    """A service call was refused (its Dutch message) or failed unexpectedly (one short line).

    ``purpose`` says which call it was, for a screen that handles some failures itself.
    """

    def __init__(self, error: KindrouteError, purpose: str = "") -> None:
        super().__init__()
        self.error = error
        self.purpose = purpose


def call_service(
    node: DOMNode,
    call: Callable[[], Any],
    done: Callable[[Any], Message],
    *,
    purpose: str = "",
    group: str = "service",
    exclusive: bool = False,
) -> None:
    """Run ``call`` (a use case) in a thread worker that only posts messages to ``node``.

    On success the worker posts ``done(result)`` — a typed message the node handles on the
    UI thread; on failure a :class:`ServiceFailed`. No closures are sent back.
    """

    def job() -> None:
        try:
            result = call()
        except KindrouteError as exc:
            log.info("service refused: %s", exc)
            node.post_message(ServiceFailed(exc, purpose))
            return
        except Exception as exc:  # noqa: BLE001 - the user gets a line, the log the details
            log.exception("unexpected error in a service call")
            node.post_message(ServiceFailed(KindrouteError(f"Onverwachte fout: {type(exc).__name__}: {exc}"),
                                            purpose))
            return
        node.post_message(done(result))

    node.run_worker(job, thread=True, group=group, exclusive=exclusive, exit_on_error=False)


class ServicesMixin:
    """Typed shortcuts to the app's services and the acting person."""

    app: Any

    @property
    def kr(self) -> KindrouteApp:
        return cast("KindrouteApp", self.app)

    @property
    def services(self) -> Services:
        return self.kr.services

    @property
    def actor(self) -> Actor:
        actor = self.kr.actor
        assert actor is not None
        return actor


class KeysMixin:
    """The key a binding has now (after the user's keys.toml), for hints in notices."""

    active_bindings: Any

    def key_for(self, binding_id: str, default: str) -> str:
        for key, active in self.active_bindings.items():
            if active.binding.id == binding_id:
                return str(active.binding.key_display or key)
        return default


class ClosingMixin:
    """What every kindroute screen and dialog does: say why a service failed, and have its
    garbage collected once it is closed (:func:`collect_when_painted`)."""

    app: Any

    def on_service_failed(self, message: ServiceFailed) -> None:
        self.app.notify(str(message.error), severity="error", markup=False, timeout=8)

    def on_unmount(self) -> None:
        collect_when_painted(self.app)


class KrScreen(ClosingMixin, KeysMixin, ServicesMixin, Screen[Any]):
    """A full screen of kindroute."""


class KrModal(ClosingMixin, KeysMixin, ServicesMixin, ModalScreen[Any]):
    """A dialog of kindroute."""


def collect_when_painted(app: App[Any]) -> None:
    """A screen closes (called from its ``on_unmount``, in its own message task): once that
    task is over and the screen below is painted again, its garbage is collected
    (:func:`kindroute.services.early_page.collect_closed`).

    Nothing that holds the screen may be alive while the collection runs, so the request is
    made in an empty context (made in the screen's own, it would name the screen as its
    sender: Textual's ``active_message_pump``), and the collection runs on its own turn of the
    event loop, after the batch of after-refresh callbacks it came with (one of them may be
    the closed screen's own).
    """
    from kindroute.services.early_page import collect_closed

    def collect() -> None:
        asyncio.get_running_loop().call_soon(collect_closed, context=contextvars.Context())

    def request(_task: object = None) -> None:
        app.call_after_refresh(collect)

    task = asyncio.current_task()
    if task is None:
        contextvars.Context().run(request)
    else:
        task.add_done_callback(request, context=contextvars.Context())


def refused_binding(key: str, action: str, description: str) -> Binding:
    """A hidden twin of an action's binding: when the person may not take the action, the
    same key (same id, so keys.toml moves both) says why instead of opening a form."""
    return Binding(key, f"refuse('{action}')", description, id=action, show=False)


class RightsMixin:
    """Hide what the acting person may not do from the footer, and say why on its key.

    A screen lists the guarded actions in ``GUARDED`` and answers :meth:`refused`; the
    answers come from :mod:`kindroute.services.screen_queries`.
    """

    GUARDED: frozenset[str] = frozenset()

    def refused(self, action: str) -> str | None:
        """Why the acting person may not take ``action`` here (None: they may)."""
        return None

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "refuse":
            return bool(parameters) and self.refused(str(parameters[0])) is not None
        if action in self.GUARDED:
            return self.refused(action) is None
        return True

    def action_refuse(self, action: str) -> None:
        reason = self.refused(action)
        if reason:
            self.notify(reason, title="Niet voor u", severity="warning", markup=False)  # type: ignore[attr-defined]
