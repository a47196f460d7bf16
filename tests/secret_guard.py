"""The secret guard: after each test, nothing the test suite captured may hold a secret.

Every :class:`ovhflow.sandbox.Sandbox` started in the session registers its application secret and
consumer key; the output of every command a test runs is recorded (``tests.helpers.run_ovhflow`` for a
subprocess and ``tests.cli_invoke.invoke`` in-process call :func:`record_output`). At the teardown of
each test, the recorded outputs and the stdout/stderr pytest captured for the test (setup and call) are
searched for the registered secrets and for request signatures (``$1$`` + 40 hex digits). A finding
fails the test, naming what leaked - never the value.

Output a test consumed itself with ``capsys.readouterr()`` is not seen here; tests that read the
command line's output go through ``run_ovhflow`` or ``invoke``, which is. A test that must show a
secret (the guard's own tests) is marked ``@pytest.mark.shows_secrets``.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator

import pytest

SIGNATURE = re.compile(r"\$1\$[0-9a-f]{40}")
MIN_SECRET_LENGTH = 8  # shorter values would match ordinary text

_secrets: dict[str, str] = {}  # value -> what it is, for the failure message
_recorded: list[str] = []
_phase_reports = pytest.StashKey[dict]()


def register_secret(value: str | None, what: str = "secret") -> None:
    """Add a value no captured output may contain, for the rest of the session."""
    if value and len(value) >= MIN_SECRET_LENGTH:
        _secrets.setdefault(value, what)


def record_output(*texts: str | bytes | None) -> None:
    """Keep output the current test received (a subprocess's stdout and stderr) for the check."""
    for text in texts:
        if isinstance(text, bytes):
            text = text.decode("utf-8", "replace")
        if text:
            _recorded.append(text)


def find_leaks(texts: Iterable[tuple[str, str]], secrets: dict[str, str] | None = None) -> list[str]:
    """What leaked where, as ``"<what> in <where>"`` lines; ``texts`` are ``(where, text)`` pairs."""
    known = _secrets if secrets is None else secrets
    found: list[str] = []
    for where, text in texts:
        for value, what in known.items():
            if value in text:
                found.append(f"{what} in {where}")
        if SIGNATURE.search(text):
            found.append(f"a request signature in {where}")
    return found


def _register_sandbox(sandbox: object) -> None:
    credentials = getattr(sandbox, "credentials", {})
    register_secret(credentials.get("application_secret"), "a sandbox application secret")
    register_secret(credentials.get("consumer_key"), "a sandbox consumer key")


@pytest.fixture(scope="session", autouse=True)
def _sandboxes_register_their_secrets() -> Iterator[None]:
    """Wrap :meth:`Sandbox.start` for the session so every sandbox, however started, registers."""
    from ovhflow.sandbox import Sandbox

    original = Sandbox.start

    def start(self: Sandbox) -> Sandbox:
        _register_sandbox(self)
        return original(self)

    Sandbox.start = start  # type: ignore[method-assign]
    yield
    Sandbox.start = original  # type: ignore[method-assign]


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo) -> Iterator[None]:
    report = yield
    item.stash.setdefault(_phase_reports, {})[report.when] = report
    return report


@pytest.fixture(autouse=True)
def secret_guard(request: pytest.FixtureRequest, _sandboxes_register_their_secrets: None) -> Iterator[None]:
    """Fail the test when a registered secret or a signature shows in what it captured.

    Outputs recorded since the previous check count too: a module fixture's runs are checked with the
    first test that uses it."""
    yield
    texts = [("a command's output", text) for text in _recorded]
    del _recorded[:]
    for report in request.node.stash.get(_phase_reports, {}).values():
        texts += [(name.lower(), content) for name, content in report.sections]  # "captured stdout call"
    if request.node.get_closest_marker("shows_secrets"):
        return
    leaks = find_leaks(texts)
    if leaks:
        pytest.fail("secret leaked: " + "; ".join(sorted(set(leaks))), pytrace=False)


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers", "shows_secrets: the test prints secrets on purpose (the guard skips it)"
    )
