"""The web order form and every other caller of geo.workflow.create_order get the schema's
field rules (issue #28.5): the importer's limits, so hongtu validate is never the first to
find a problem."""

from __future__ import annotations

import pytest

from geo import validation, workflow

GOOD = {"category": "维修", "compound_id": "X1", "requester_name": "张三",
            "requester_phone": "13800000000", "text": "楼道漏水"}


@pytest.mark.parametrize("field,value", [
    ("text", "x" * 200_000), ("requester_name", "张" * 20_000),
    ("requester_phone", "1" * 5_028 + "<script>"),
])
def test_an_order_over_a_field_limit_is_refused_and_not_saved(small_store, field, value):
    before = len(small_store.load("service_orders")) \
        if "service_orders" in small_store.layer_names() else 0
    with pytest.raises(workflow.WorkflowError) as refused:
        workflow.create_order(small_store, **{**GOOD, field: value})
    assert field in str(refused.value) and "too long" in str(refused.value)
    after = len(small_store.load("service_orders")) \
        if "service_orders" in small_store.layer_names() else 0
    assert after == before


def test_a_good_order_is_saved_and_validates(small_store):
    workflow.create_order(small_store, **GOOD)
    orders = small_store.load("service_orders")
    assert len(orders) == 1
    assert not [p for p in validation.validate_layer("service_orders", orders, {})
                if p.code in workflow.FIELD_CODES]
