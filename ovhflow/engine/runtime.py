"""What every step of one run shares: plugins, client, templates, mode, stop request and the tallies.

One :class:`Runtime` is made per ``ovhflow run``; loop iterations on worker threads use it at once, so
everything that changes here (counts, changes, errors, event hooks) goes through its lock.
"""

from __future__ import annotations

import contextlib
import contextvars
import threading
from collections.abc import Callable, Iterator, Mapping
from typing import Any

from ovhflow.engine.stop import RequestAbandoned, RunInterrupted, StopRequest
from ovhflow.errors import StepFailed
from ovhflow.files.output_folder import OutputFolder
from ovhflow.ovh.listing import Refusals
from ovhflow.plugin.manager import Plugins
from ovhflow.plugin_api import ApiClient, HttpRequest, HttpResponse, RunInfo
from ovhflow.recipe.model import Recipe, Step
from ovhflow.reporting.redaction import Redactor
from ovhflow.reporting.reporter import ConsoleReporter, Reporter
from ovhflow.templating.templates import Templates

COUNT_KEYS = ("ok", "changed", "planned", "skipped", "ignored", "failed")
_SENDING_STEP: contextvars.ContextVar[str | None] = contextvars.ContextVar("ovhflow_step", default=None)


def sending_step() -> str | None:
    """The location (FILE:LINE:COL) of the step whose request the HTTP hook is handling, if a step's."""
    return _SENDING_STEP.get()


_ATTEMPTS: contextvars.ContextVar[int] = contextvars.ContextVar("ovhflow_attempts", default=1)


def attempts() -> int:
    """How many times what runs now may run: the product of the attempts of the ``until:`` steps it is
    in (1 in none). A saved plan records it with each write: applying lets the write repeat that often."""
    return _ATTEMPTS.get()


@contextlib.contextmanager
def retried(times: int) -> Iterator[None]:
    """Within: a step with ``until:`` that may run ``times`` times (its loop workers inherit it)."""
    token = _ATTEMPTS.set(_ATTEMPTS.get() * max(times, 1))
    try:
        yield
    finally:
        _ATTEMPTS.reset(token)


class Runtime:
    """Shared state of one run; see the module docstring."""

    def __init__(
        self,
        plugins: Plugins,
        client: ApiClient,
        renderer: Templates,
        info: RunInfo,
        redactor: Redactor,
        stop: StopRequest,
        default_concurrency: int | None = None,
        reporter: Reporter | None = None,
        load_include: Callable[[Step, Mapping[str, Any]], tuple[Recipe, dict[str, Any]]] | None = None,
        diff: bool = False,
        batch_reads: bool = True,
        output_folder: OutputFolder | None = None,
    ) -> None:
        self.plugins = plugins
        self.client = client
        self.renderer = renderer
        self.info = info
        self.redactor = redactor
        self.stop = stop
        # None: each loop's own default (ovhflow/engine/loop.py: automatic_concurrency)
        self.default_concurrency = None if default_concurrency is None else max(1, default_concurrency)
        self.batch_reads = batch_reads  # loops read their objects ahead in batch calls (engine/batch.py)
        self._read_ahead: dict[str, tuple[Any, str | None]] = {}
        self.reporter: Reporter = reporter or ConsoleReporter()
        self.load_include = load_include
        # every file an output writes goes through it (ovhflow/files/output_folder.py, run --output-dir)
        self.output_folder = output_folder or OutputFolder.at(".")
        self.diff = diff  # read what each PUT would change before it is planned or sent (--diff)
        # what a top-level loop keeps of its items, by id of its step (engine/loop_records.py); all else
        self.loop_keeping: dict[int, str] = {}
        self.refusals = Refusals()  # batch reads and expanded listings the API refused, per path
        self._lock = threading.RLock()
        self._in_flight: dict[int, tuple[HttpRequest, str | None]] = {}
        info.counts = dict.fromkeys(COUNT_KEYS, 0)

    @property
    def check(self) -> bool:
        return self.info.check

    def count_many(self, counts: Mapping[str, int]) -> None:
        """Add ``counts`` (status -> how many) to the run's counts."""
        with self._lock:
            for status, number in counts.items():
                self.info.counts[status] = self.info.counts.get(status, 0) + number

    def add_change(self, change: dict[str, Any]) -> None:
        with self._lock:
            self.info.changes.append(self.redactor.data(change))

    def add_error(self, message: str, step: str | None, query_id: str | None, ignored: bool = False) -> None:
        """Record a failure for the report; one under ``ignore_errors`` is marked ``ignored``."""
        error: dict[str, Any] = {"message": self.redactor.text(message), "step": step, "query_id": query_id}
        if ignored:
            error["ignored"] = True
        with self._lock:
            self.info.errors.append(error)

    def send(self, request: HttpRequest, step: str | None = None) -> HttpResponse:
        """Send one API call through the ``ovhflow_http_request`` hook; its errors propagate as raised.

        Every request of a run goes through here, so check mode, the run log and any plugin wrapping
        the hook see it: plain steps, each page of ``expand: true`` and each batch call. A plain GET
        whose object a loop read ahead in a batch call (ovhflow/engine/batch.py) is answered from that
        call instead, once. Once a stop is requested nothing new is sent; a request the stop abandoned (see
        :mod:`ovhflow.engine.stop`) stays in flight, for :meth:`abandon_in_flight` to report.
        """
        self.stop.raise_if_requested()
        if self._read_ahead and request.method == "GET" and _plain(request):
            answer = self._read_ahead.pop(request.path, None)
            if answer is not None:
                return HttpResponse(status=200, data=answer[0], query_id=answer[1])
        ticket = object()
        with self._lock:
            self._in_flight[id(ticket)] = (request, step)
        sending = _SENDING_STEP.set(step)  # for hook implementations that ask (a plan's gate)
        try:
            with self.stop.waiting_on_network():
                response = self.plugins.hook.ovhflow_http_request(
                    request=request, client=self.client, check=self.check
                )
        except RequestAbandoned:
            raise RunInterrupted(self.stop, abandoned=True) from None
        except BaseException:
            self._settle(ticket)
            raise
        finally:
            _SENDING_STEP.reset(sending)
        if not self._settle(ticket):  # answered after the run gave up on it: reported as unknown already
            raise RunInterrupted(self.stop)
        if response is None:
            raise StepFailed(f"no plugin answered {request.method} {request.path}")
        return response

    def _settle(self, ticket: object) -> bool:
        with self._lock:
            return self._in_flight.pop(id(ticket), None) is not None

    def abandon_in_flight(self) -> None:
        """Give up on the requests still waiting for an answer (the run is stopping): each write among
        them is recorded as a change whose outcome is unknown, and as an error saying so."""
        with self._lock:
            left = list(self._in_flight.values())
            self._in_flight.clear()
        for request, step in left:
            if not request.is_write:
                continue
            change = {"method": request.method, "path": request.path, "body": request.body, "step": step}
            self.add_change({**change, "status": "unknown"})
            self.add_error(
                f"{request.method} {request.path}: still unanswered when the run stopped; its outcome is "
                "unknown (check it before running again)",
                step,
                None,
            )

    def store_read_ahead(self, answers: Mapping[str, tuple[Any, str | None]]) -> None:
        """Objects read in batch calls, by the path a plain GET of each would use, with the query id of
        the call that read them; each answers one GET of its path."""
        self._read_ahead.update(answers)

    def forget_read_ahead(self, paths: list[str]) -> None:
        """Drop what a loop read ahead and did not use (it ended early, or skipped those items)."""
        for path in paths:
            self._read_ahead.pop(path, None)

    def get(self, path: str, headers: Mapping[str, str] | None = None) -> tuple[Any, Mapping[str, str]]:
        """A GET through :meth:`send`, in the shape :mod:`ovhflow.ovh.listing` sends its calls."""
        response = self.send(HttpRequest("GET", path, headers=headers))
        return response.data, response.headers

    def emit(self, hook_name: str, **kwargs: Any) -> None:
        """Call a run-event hook, one event at a time even when loop iterations end together."""
        with self._lock:
            getattr(self.plugins.hook, hook_name)(run=self.info, **kwargs)

    def message(self, text: str, step_id: str | None = None) -> None:
        """A ``log:`` message for the person running the recipe (stderr)."""
        text = self.redactor.text(str(text))
        with self._lock:
            self.reporter.message(text, step_id)

    def warning(self, text: str) -> None:
        """A problem that does not change the run's outcome (a notification that failed...), for stderr."""
        text = self.redactor.text(str(text))
        with self._lock:
            self.reporter.warning(text)

    def output(self, text: str) -> None:
        """A result (``print``, a table, JSON) for stdout; secrets masked, as in messages."""
        text = self.redactor.text(str(text))
        with self._lock:
            self.reporter.output(text)


def _plain(request: HttpRequest) -> bool:
    """A signed call with no query string or extra headers: one a batch read answers the same."""
    return request.auth and not request.query and not request.headers
