"""The data types that cross the plugin boundary: what hooks receive and return.

Plugins import from here (and ``hookimpl`` from :mod:`ovhflow`); nothing else of ovhflow is a promise to
plugin authors. Helpers every output plugin needs are part of that promise: ``call.output_folder``, an
:class:`OutputFolder` (the one way to write a file a recipe names: confined to the run's ``--output-dir``,
written atomically, mode 0600; ``problem(path)`` says whether it could, for check mode; a refused path
raises :class:`OutputRefused`), :func:`open_atomic` and :func:`destination_problem` (the same for a
file the plugin itself chooses, never one a recipe names), :class:`ExitStatus` (what a run's exit code
means) and :func:`describe_write` (a write on one line, as plans show it).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, Protocol

from ovhflow.exit_status import ExitStatus
from ovhflow.files.atomic import destination_problem, open_atomic
from ovhflow.files.output_folder import OutputFolder, OutputRefused
from ovhflow.recipe.environment_access import ENV_SETTING, read_environment

__all__ = [
    "ActionCall", "ActionSpec", "ApiClient", "ApiResponse", "ExitStatus", "HttpRequest", "HttpResponse",
    "ENV_SETTING", "OutputFolder", "OutputRefused", "RunInfo", "StepReport", "describe_write",
    "destination_problem", "open_atomic", "read_environment",
]  # fmt: skip


def describe_write(method: str, path: str, query: Mapping[str, Any] | None, body: Any) -> str:
    """One write on one line: ``PUT /path?k=v {"json": "body"}``, as plans and their errors show it."""
    text = f"{method} {path}"
    if query:
        text += "?" + "&".join(f"{key}={value}" for key, value in query.items())
    if body is not None:
        text += " " + json.dumps(body, ensure_ascii=False, sort_keys=True, default=str)
    return text


class ApiResponse(Protocol):
    """What a client's raw answer offers: its HTTP status and headers (a ``requests.Response`` does)."""

    @property
    def status_code(self) -> int: ...

    @property
    def headers(self) -> Mapping[str, str]: ...


class ApiClient(Protocol):
    """The client a run sends its calls with (``ovhflow_http_request``'s ``client``): an
    :class:`ovhflow.ovh.Client`, or anything that sends a call the same way."""

    def call_with_response(
        self,
        method: str,
        path: str,
        data: Any = None,
        need_auth: bool = True,
        headers: dict[str, str] | None = None,
    ) -> tuple[Any, ApiResponse]:
        """Send one call; return its decoded JSON and the raw response, or raise ``APIError``."""
        ...


@dataclass(frozen=True)
class HttpRequest:
    """One API call as a recipe asked for it, templates already rendered.

    ``path`` is the final, percent-encoded path (it may hold a query string); ``query`` is sent on GET
    and DELETE, ``body`` on POST and PUT. ``auth`` is False for unauthenticated calls such as /auth/time.
    ``headers`` are extra request headers: the modes of batch reads (``X-Ovh-Batch``) and expanded
    listings (``X-Pagination-*``) that ``batch: true`` and ``expand: true`` send.
    """

    method: str
    path: str
    query: Mapping[str, Any] | None = None
    body: Any = None
    auth: bool = True
    headers: Mapping[str, str] | None = None

    def __post_init__(self) -> None:
        object.__setattr__(self, "method", self.method.upper())  # "post" is a POST, in check mode too

    @property
    def is_write(self) -> bool:
        """Anything but a read may change the account: check mode plans it instead of sending it."""
        return self.method not in ("GET", "HEAD", "OPTIONS")


@dataclass
class HttpResponse:
    """The answer to an :class:`HttpRequest`: decoded JSON, HTTP status, OVH's query id and headers."""

    status: int
    data: Any = None
    query_id: str | None = None
    duration: float = 0.0
    planned: bool = False  # True when check mode did not send a write
    headers: Mapping[str, str] = field(default_factory=dict)  # e.g. X-Pagination-Elements


class ActionCall(Protocol):
    """What an action's ``run`` receives: its arguments and a way to render and call.

    ``args`` is the value of the action key (``get: PATH`` gives the path template), ``options`` the
    sibling keys the action declared (``query``, ``body``...). Both are rendered already, except the keys
    the action listed in ``ActionSpec.lazy``, which it renders itself with :meth:`render`.
    """

    args: Any
    options: Mapping[str, Any]
    check: bool  # check mode: do not change anything, report the plan
    # every file a recipe names is written with it: `with call.output_folder.open(path) as stream:`
    output_folder: OutputFolder

    def render(self, value: Any, extra: Mapping[str, Any] | None = None) -> Any:
        """Render a template (or a structure of them) in the step's context plus ``extra`` names."""

    def render_path(self, template: str, extra: Mapping[str, Any] | None = None) -> str:
        """Render an API path: every ``{{ }}`` output is percent-encoded, so no value changes the path."""

    def evaluate(self, expression: Any, extra: Mapping[str, Any] | None = None) -> Any:
        """Evaluate a bare expression (``when:``-style, no braces) in the step's context."""

    def set_variables(self, values: Mapping[str, Any]) -> None:
        """Make ``values`` variables for the steps that follow (reserved names are refused)."""

    def http(self, request: HttpRequest) -> HttpResponse:
        """Send an API call through the ``ovhflow_http_request`` hook (check mode, logging, retries)."""

    def expanded(self, path: str) -> list[Any]:
        """The full objects of a v1 listing (``GET path`` then each ``path/<id>``), fetched page by page
        where the API allows it; every call goes through the ``ovhflow_http_request`` hook."""

    def log(self, message: str) -> None:
        """Print a message for the person running the recipe (stderr, or the JSON log)."""

    def output(self, text: str) -> None:
        """Write a result to stdout (tables, JSON); stdout is for results, stderr for logs."""


@dataclass(frozen=True)
class ActionSpec:
    """An action a step can name, such as ``get``, ``set`` or ``csv``.

    ``schema`` is the JSON Schema (Draft 2020-12) of the action key's value; ``options`` maps each sibling
    key the action accepts to its schema. Validation and ``ovhflow schema`` are built from these.
    ``run(call)`` performs the action and returns its result (recorded as ``steps.<id>.result``).
    ``lazy`` names options that hold per-row templates the action renders itself (csv's ``columns``).
    ``writes`` says whether the action changes something outside ovhflow (check mode then plans it).
    ``output_paths`` names the keys of the action's mapping that are files it writes (with
    ``call.output_folder``): validation refuses a literal one the output folder never takes (absolute,
    ``..``, ``ovh.conf``, ``*.pth``...), located, and the engine a rendered one before the action runs.
    """

    name: str
    run: Callable[[ActionCall], Any]
    schema: Mapping[str, Any] = field(default_factory=dict)
    options: Mapping[str, Mapping[str, Any]] = field(default_factory=dict)
    lazy: frozenset[str] = frozenset()
    description: str = ""
    writes: bool = False
    output_paths: frozenset[str] = frozenset()  # keys of a mapping `args` that name files to write


@dataclass
class StepReport:
    """How one step ended, given to ``ovhflow_step_end``.

    ``status`` is one of ``ok``, ``changed``, ``planned``, ``skipped``, ``failed``; ``items`` holds the
    per-item records of a looped step (``item``, ``status``, ``result``, ``error``).
    """

    step_id: str | None
    name: str
    action: str
    location: str
    status: str
    duration: float
    result: Any = None
    error: str | None = None
    query_id: str | None = None
    items: list[dict[str, Any]] = field(default_factory=list)

    def item_counts(self) -> dict[str, int]:
        """How many loop items ended with each status (``{"ok": 12, "skipped": 3}``), first seen first."""
        counts: dict[str, int] = {}
        for item in self.items:
            status = str(item.get("status", ""))
            counts[status] = counts.get(status, 0) + 1
        return counts


@dataclass
class RunInfo:
    """What the run-event hooks know about a run: recipe, masked inputs, mode and, at the end, counts."""

    recipe_name: str
    recipe_path: str
    inputs: dict[str, Any]  # secret inputs are already masked
    check: bool
    started_at: float
    counts: dict[str, int] = field(default_factory=dict)
    exit_status: int | None = None
    error: str | None = None
    changes: list[dict[str, Any]] = field(default_factory=list)
    errors: list[dict[str, Any]] = field(default_factory=list)
    settings: dict[str, Any] = field(default_factory=dict)  # recipe-level plugin sections, e.g. notify
    endpoint: str = ""  # as configured ("ovh-eu" or a URL), "sandbox" for the run's own local sandbox
    endpoint_url: str = ""  # the API's base URL, without any user:password@
    account: str | None = None  # the account's nichandle, once the recipe read /me
