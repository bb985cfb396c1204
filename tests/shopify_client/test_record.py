"""The public value records keep what they promised as frozen dataclasses: immutable,
equal and hashed by value, a repr naming their fields, and they pickle."""

from __future__ import annotations

import datetime as _dt
import pickle
import random
from dataclasses import FrozenInstanceError
from typing import Any

import pytest

from shopify_client import (
    CallResult,
    GraphQLErrorDetail,
    GraphQLResponse,
    QueryCost,
    RetryPolicy,
)
from shopify_client._apis import APIS
from shopify_client._record import Record
from shopify_client._versions import version_support

COST = QueryCost(
    requested=10.0,
    actual=8.0,
    maximum_available=1000.0,
    currently_available=990.0,
    restore_rate=50.0,
)
RESPONSE = GraphQLResponse(data={"shop": {"name": "x"}}, request_id="r-1", attempts=2)

RECORDS: list[Record] = [
    COST,
    GraphQLErrorDetail("Throttled", ("products",), "THROTTLED", {"code": "THROTTLED"}),
    RESPONSE,
    RetryPolicy(max_retries=3),
    CallResult({"typed": True}, RESPONSE),
    APIS["admin"],
    version_support("2024-01", _dt.date(2026, 11, 27)),
]


def twin(record: Record) -> Any:
    """A new record of the same class with equal fields (through pickle)."""
    return pickle.loads(pickle.dumps(record))


@pytest.mark.parametrize("record", RECORDS, ids=lambda r: type(r).__name__)
def test_a_record_is_immutable(record: Record) -> None:
    field = record._fields[0]
    with pytest.raises(FrozenInstanceError, match=field):
        setattr(record, field, None)
    with pytest.raises(FrozenInstanceError):
        delattr(record, field)
    with pytest.raises((AttributeError, TypeError)):
        record.anything_else = 1  # type: ignore[attr-defined]


@pytest.mark.parametrize("record", RECORDS, ids=lambda r: type(r).__name__)
def test_a_record_pickles_to_an_equal_one(record: Record) -> None:
    copy = twin(record)
    assert copy is not record and type(copy) is type(record)
    assert copy == record
    assert all(getattr(copy, name) == getattr(record, name) for name in record._shown)
    assert set(record._fields) - set(record._shown) <= {"rng"}  # a Random: equal state


def test_equality_and_hashing_are_by_value_and_class() -> None:
    same = QueryCost(10.0, 8.0, 1000.0, 990.0, 50.0)
    assert same == COST and hash(same) == hash(COST)
    assert len({COST, same}) == 1
    assert QueryCost(10.0, 8.0, 1000.0, 989.0, 50.0) != COST
    assert COST != (10.0, 8.0, 1000.0, 990.0, 50.0)  # not a tuple, whatever it holds
    with pytest.raises(TypeError):  # a dict field is unhashable, as with a dataclass
        hash(RESPONSE)


def test_repr_names_the_fields_in_order() -> None:
    assert repr(COST) == (
        "QueryCost(requested=10.0, actual=8.0, maximum_available=1000.0, "
        "currently_available=990.0, restore_rate=50.0)"
    )
    assert repr(GraphQLErrorDetail("boom")) == (
        "GraphQLErrorDetail(message='boom', path=(), code=None, extensions={})"
    )


def test_defaults_are_fresh_per_record() -> None:
    one, two = GraphQLErrorDetail("a"), GraphQLErrorDetail("b")
    assert one.extensions == {} and one.extensions is not two.extensions
    assert GraphQLResponse(data={}).extensions is not GraphQLResponse(data={}).extensions


def test_retry_policy_leaves_its_random_generator_out_of_eq_and_repr() -> None:
    seeded = RetryPolicy(max_retries=2, rng=random.Random(1))
    other = RetryPolicy(max_retries=2, rng=random.Random(2))
    assert seeded == other and hash(seeded) == hash(other)
    assert "rng" not in repr(seeded) and "max_retries=2" in repr(seeded)
    assert isinstance(RetryPolicy().rng, random.Random)
    with pytest.raises(ValueError, match="max_retries"):
        RetryPolicy(max_retries=-1)


def test_a_subclass_adds_its_fields_to_its_base() -> None:
    class Tagged(RetryPolicy):
        __slots__ = ("tag",)
        tag: str

        def __init__(self, tag: str, **options: Any) -> None:
            super().__init__(**options)
            object.__setattr__(self, "tag", tag)

    tagged = Tagged("a", max_retries=1)
    assert tagged._fields == (*RetryPolicy._fields, "tag")
    assert tagged != Tagged("b", max_retries=1)
    assert "tag='a'" in repr(tagged)
    assert tagged == Tagged("a", max_retries=1)
