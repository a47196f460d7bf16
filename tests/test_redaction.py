"""The Redactor masks secrets in every spelling they reach a message in, including ones known late."""

from __future__ import annotations

import json
import threading
from urllib.parse import quote

from ovhflow.reporting.redaction import MASK, Redactor


def test_masks_the_secret_as_given_percent_encoded_and_json_escaped() -> None:
    redactor = Redactor()
    secret = 'ab/c d"ef'
    redactor.add(secret)
    line = f"plan: PUT /me/thing/{quote(secret, safe='')} {json.dumps({'token': secret})} raw={secret}"
    masked = redactor.text(line)
    assert "ab" not in masked.replace("/me/", "")
    assert masked.count(MASK) == 3


def test_short_or_empty_values_are_not_treated_as_secrets() -> None:
    redactor = Redactor()
    redactor.add("")
    redactor.add(None)
    redactor.add("ab")
    assert redactor.text("ab cd") == "ab cd"


def test_watched_sources_are_asked_at_each_use() -> None:
    redactor = Redactor()
    tokens: list[str] = []
    redactor.watch(lambda: tokens)
    assert redactor.text("Bearer tok-123456") == "Bearer tok-123456"
    tokens.append("tok-123456")  # an OAuth2 token fetched after the redactor was set up
    assert redactor.text("Bearer tok-123456") == f"Bearer {MASK}"


def test_data_masks_keys_and_nested_values() -> None:
    redactor = Redactor()
    redactor.add("s3cr3t-value")
    assert redactor.data({"a": ["x s3cr3t-value"], "s3cr3t-value": 1}) == {"a": [f"x {MASK}"], MASK: 1}


def test_adding_while_other_threads_redact_is_safe() -> None:
    redactor = Redactor()
    errors: list[BaseException] = []

    def add_many(start: int) -> None:
        for n in range(start, start + 300):
            redactor.add(f"secret-{n:06d}")

    def redact_many() -> None:
        try:
            for _ in range(300):
                redactor.text("nothing secret-000001 here")
        except BaseException as error:  # a "set changed size during iteration" would land here
            errors.append(error)

    threads = [threading.Thread(target=add_many, args=(i * 1000,)) for i in range(3)]
    threads += [threading.Thread(target=redact_many) for _ in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert redactor.text("secret-000001") == MASK
