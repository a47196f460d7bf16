"""``/dedicated/server``: servers, their bandwidth burst, reboots and the tasks that follow them."""

from __future__ import annotations

from typing import Any

from ovhflow.sandbox.api import Call, bad_request, check_enum, not_found
from ovhflow.sandbox.auth import now_iso
from ovhflow.sandbox.router import Router

BURST_STATES = ("active", "inactive", "inactiveLocked")
TASK_STATES = ("cancelled", "customerError", "doing", "done", "init", "ovhError", "todo")
# each poll of a task moves it one step along
NEXT_STATUS = {"todo": "doing", "doing": "done"}


def list_servers(call: Call) -> list[str]:
    return list(call.state["servers"])


def _server(call: Call, name: str) -> dict[str, Any]:
    server = call.state["servers"].get(name)
    if server is None:
        raise not_found(f"The requested object (serviceName = {name}) does not exist")
    return server


def get_server(call: Call, serviceName: str) -> dict[str, Any]:  # noqa: N803 (OVH's parameter name)
    return _server(call, serviceName)


def get_burst(call: Call, serviceName: str) -> dict[str, Any]:  # noqa: N803
    _server(call, serviceName)
    return call.state["bursts"][serviceName]


def put_burst(call: Call, serviceName: str) -> None:  # noqa: N803
    _server(call, serviceName)
    if not isinstance(call.body, dict):
        raise bad_request("Missing parameter(s): status")
    status = call.body_field("status")
    check_enum("status", status, BURST_STATES)
    call.state["bursts"][serviceName]["status"] = status
    return None


def reboot(call: Call, serviceName: str) -> dict[str, Any]:  # noqa: N803
    _server(call, serviceName)
    counters = call.state["counters"]
    counters["task"] += 1
    task = {
        "comment": None,
        "doneDate": None,
        "function": "hardReboot",
        "lastUpdate": now_iso(),
        "needSchedule": False,
        "note": None,
        "plannedInterventionId": None,
        "startDate": now_iso(),
        "status": "todo",
        "tags": None,
        "taskId": counters["task"],
        "ticketReference": None,
    }
    call.state["tasks"].setdefault(serviceName, {})[str(task["taskId"])] = task
    return dict(task)


def list_tasks(call: Call, serviceName: str) -> list[int]:  # noqa: N803
    _server(call, serviceName)
    function, status = call.query.get("function"), call.query.get("status")
    if status is not None:
        check_enum("status", status, TASK_STATES)
    return [
        task["taskId"]
        for task in call.state["tasks"].get(serviceName, {}).values()
        if (function is None or task["function"] == function) and (status is None or task["status"] == status)
    ]


def get_task(call: Call, serviceName: str, taskId: str) -> dict[str, Any]:  # noqa: N803
    _server(call, serviceName)
    task = call.state["tasks"].get(serviceName, {}).get(taskId)
    if task is None:
        raise not_found(f"The requested object (taskId = {taskId}) does not exist")
    following = NEXT_STATUS.get(task["status"])
    if following:
        task["status"] = following
        task["lastUpdate"] = now_iso()
        if following == "done":
            task["doneDate"] = task["lastUpdate"]
    return dict(task)


def register(router: Router) -> None:
    router.add("GET", "/dedicated/server", list_servers)
    router.add("GET", "/dedicated/server/{serviceName}", get_server)
    router.add("GET", "/dedicated/server/{serviceName}/burst", get_burst)
    router.add("PUT", "/dedicated/server/{serviceName}/burst", put_burst)
    router.add("POST", "/dedicated/server/{serviceName}/reboot", reboot)
    router.add("GET", "/dedicated/server/{serviceName}/task", list_tasks)
    router.add("GET", "/dedicated/server/{serviceName}/task/{taskId}", get_task)
