"""The OVH template filters, called directly and from templates."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest
from ovhflow_plugins.filters import (
    FILTERS,
    group_by,
    ovh_date,
    ovhflow_template_filters,
    subelements,
    sum_by,
    sum_prices,
)

BILLS = [
    {"billId": "A", "date": "2024-03-01T00:00:00+01:00", "priceWithTax": {"value": 0.1}, "orderId": 7},
    {"billId": "B", "date": "2024-03-31T23:00:00+02:00", "priceWithTax": {"value": 0.2}, "orderId": 8},
    {"billId": "C", "date": "2024-04-02T10:00:00+02:00", "priceWithTax": {"value": 10}, "orderId": 7},
]


def test_ovh_date_formats_in_the_dates_own_offset() -> None:
    assert ovh_date("2024-03-01T00:00:00+01:00", "%d/%m/%Y %H:%M %z") == "01/03/2024 00:00 +0100"
    assert ovh_date("2024-03-01T12:30:00Z", "%Y-%m-%dT%H:%M") == "2024-03-01T12:30"
    assert ovh_date("2024-03-01", "%Y/%m/%d") == "2024/03/01"


def test_ovh_date_without_format_is_an_aware_datetime() -> None:
    parsed = ovh_date("2024-03-01T00:00:00+01:00")
    assert parsed == datetime(2024, 3, 1, tzinfo=timezone(timedelta(hours=1)))
    assert ovh_date("2024-03-01") == datetime(2024, 3, 1, tzinfo=timezone.utc)  # no offset: UTC
    assert (datetime(2024, 3, 11, tzinfo=timezone.utc) - ovh_date("2024-03-01")).days == 10


def test_ovh_date_of_null() -> None:
    assert ovh_date(None) is None
    assert ovh_date(None, "%Y") == ""


def test_ovh_date_rejects_text_that_is_no_date() -> None:
    with pytest.raises(ValueError, match="'yesterday' is not an ISO 8601 date"):
        ovh_date("yesterday", "%Y")


def test_sum_prices_is_exact_in_decimal() -> None:
    assert sum_prices(BILLS) == 10.3
    assert sum_prices(BILLS[:2]) == 0.3  # not 0.30000000000000004
    assert sum_prices([]) == 0.0
    assert sum_prices(BILLS, "orderId") == 22.0


def test_sum_prices_names_the_item_that_lacks_a_price() -> None:
    with pytest.raises(ValueError, match="sum_prices: item 1 has no 'priceWithTax.value'"):
        sum_prices([BILLS[0], {"billId": "X"}])
    with pytest.raises(ValueError, match="non-numeric"):
        sum_prices([{"priceWithTax": {"value": "abc"}}])
    with pytest.raises(ValueError, match="expected a list"):
        sum_prices("nope")


def test_group_by_dotted_attribute_and_month() -> None:
    assert group_by(BILLS, "orderId") == {7: [BILLS[0], BILLS[2]], 8: [BILLS[1]]}
    by_month = group_by(BILLS, "date", date_format="%Y-%m")
    assert list(by_month) == ["2024-03", "2024-04"]
    assert [b["billId"] for b in by_month["2024-03"]] == ["A", "B"]
    assert group_by([{"a": {"b": [1, 2]}}], "a.b.1") == {2: [{"a": {"b": [1, 2]}}]}


def test_sum_by_month() -> None:
    assert sum_by(BILLS, "date", date_format="%Y-%m") == {"2024-03": 0.3, "2024-04": 10.0}
    assert sum_by(BILLS, "orderId", value="priceWithTax.value") == {7: 10.1, 8: 0.2}


def test_attribute_paths_follow_keys_only() -> None:
    class Thing:
        secret = 1

    with pytest.raises(ValueError, match="has no 'secret'"):
        group_by([Thing()], "secret")
    with pytest.raises(ValueError, match="has no '__class__'"):
        sum_prices([{}], "__class__")


def test_filters_work_in_templates(fake_call) -> None:
    call = fake_call(None, context={"bills": BILLS})
    assert call.render("{{ bills | sum_prices }}") == 10.3
    assert call.render("{{ bills | sum_by('date', date_format='%Y-%m') }}") == {
        "2024-03": 0.3,
        "2024-04": 10.0,
    }
    assert call.render("{{ (bills | group_by('orderId'))[7] | length }}") == 2
    assert call.render("{{ bills[0].date | ovh_date('%d/%m/%Y') }}") == "01/03/2024"
    assert call.render("{{ (bills[2].date | ovh_date - bills[0].date | ovh_date).days }}") == 32


def test_hook_returns_every_filter() -> None:
    assert ovhflow_template_filters() == FILTERS
    assert set(FILTERS) == {
        "ovh_date",
        "days_until",
        "days_since",
        "sum_prices",
        "sum_by",
        "group_by",
        "subelements",
        "plural",
    }


def test_subelements_pairs_each_element_with_its_parent() -> None:
    bills = [
        {"id": "A", "lines": {"results": [1, 2]}},
        {"id": "B", "lines": {"results": []}},
        {"id": "C", "lines": {"results": [3]}},
    ]
    assert subelements(bills, "lines.results") == [[bills[0], 1], [bills[0], 2], [bills[2], 3]]
    assert subelements([{"x": None}], "x") == []
    with pytest.raises(ValueError, match="subelements: item 0 has no 'lines'"):
        subelements([{}], "lines")
    with pytest.raises(ValueError, match="expected a list"):
        subelements([{"lines": "text"}], "lines")
