"""Check mode at the HTTP hook: GETs go through, POST/PUT/DELETE are planned, never sent.

Registered only for ``ovhflow run --check``. It is a ``tryfirst`` implementation of the first-result
hook rather than a wrapper because a pluggy wrapper must let the inner implementations run, and the
whole point is that the one that sends the request does not. Wrappers (the logger) still see the
planned response.
"""

from __future__ import annotations

from ovhflow import hookimpl
from ovhflow.engine.planned import PLANNED
from ovhflow.plugin_api import ApiClient, HttpRequest, HttpResponse

PLUGIN_NAME = "check-mode"


class CheckMode:
    """The plugin object: answers every write with a planned response whose data is :data:`PLANNED`."""

    @hookimpl(tryfirst=True)
    def ovhflow_http_request(
        self, request: HttpRequest, client: ApiClient, check: bool
    ) -> HttpResponse | None:
        if check and request.is_write:
            return HttpResponse(status=0, data=PLANNED, planned=True)
        return None
