"""What a call's query cost is remembered by: its operation and the shape of its
variables.

Shopify computes a query's requested cost from the document and its variables,
before running it: a connection costs 2 plus ``first`` (or ``last``) times what one
item costs, a list argument (``nodes(ids:)``) counts by its length, and a
``@include(if:)`` / ``@skip(if:)`` takes a part in or out. The same operation
asked for ``first: 5`` and ``first: 100`` costs 7 and 102 points: one cost per
operation name underestimates the larger call, and the bucket runs dry (issue 21).

So a cost is remembered by a :data:`CostKey`: the operation name, a *skeleton*
(the document, and the variables' structure with the booleans, nulls and the type
of every other value) and a vector of *sizes* (every integer and every list's
length, in order).
A call's estimate is the learned cost of a key with the same skeleton whose sizes
are all at least as large: Shopify's cost never falls when a size grows, so it is
an upper bound (the very cost, when the sizes are equal). A call that no learned
key covers has no estimate, and the limiter reserves the most one query can cost.

What a key leaves out, on purpose: strings, floats and enum values (search
queries, cursors, amounts, sort keys: Shopify's cost does not depend on them), and
what list elements hold (a list counts by its length). A cursor does not make a
new key, so every page of a walk after the first has an estimate.
"""

from __future__ import annotations

import enum
from collections.abc import Mapping
from typing import Any, TypeAlias

import pydantic

from ._variables import UNSET

__all__ = ["CostKey", "CostTable", "cost_key"]

#: (operation, skeleton, sizes)
CostKey: TypeAlias = tuple[str, tuple[object, ...], tuple[int, ...]]

#: variables with more values than this, or nested deeper, get no key (no estimate:
#: the limiter reserves the most a query can cost); no Shopify input comes close
MAX_VALUES = 256
MAX_DEPTH = 16
#: learned keys: skeletons per limiter, size vectors per skeleton (oldest dropped)
MAX_SKELETONS = 512
MAX_SIZES = 32


class _TooBig(Exception):
    pass


def cost_key(
    operation: str, variables: Mapping[str, object] | None, document: str = ""
) -> CostKey | None:
    """The key of a call's cost; None when its variables are too big to key.

    ``document`` is the query's text: one operation name may be sent with other
    documents (``execute()``, two generated packages), whose costs differ. A
    generated method sends one constant string, whose hash Python keeps.
    """
    if not variables:
        return (operation, (document,), ())
    skeleton: list[object] = [document]
    sizes: list[int] = []
    try:
        # The generated methods' variables are flat, mostly ints, strings and UNSET:
        # those are read here (each call does this), the rest by _walk.
        for name, item in variables.items():
            kind = type(item)
            if kind is str:
                skeleton.append(name)
                skeleton.append("str")
            elif kind is int:
                skeleton.append(name)
                skeleton.append("i")
                sizes.append(item)  # type: ignore[arg-type]
            elif item is not UNSET:
                skeleton.append(name)
                _walk(item, skeleton, sizes, 1)
    except _TooBig:
        return None
    if len(skeleton) > MAX_VALUES + 1:
        return None
    return (operation, tuple(skeleton), tuple(sizes))


def _walk_mapping(
    value: Mapping[Any, object], skeleton: list[object], sizes: list[int], depth: int
) -> None:
    skeleton.append("{")
    for name, item in value.items():
        if item is UNSET:  # left out of the request: the default applies
            continue
        skeleton.append(name if isinstance(name, str) else repr(name))
        _walk(item, skeleton, sizes, depth + 1)
    skeleton.append("}")


def _walk(value: object, skeleton: list[object], sizes: list[int], depth: int) -> None:
    if depth > MAX_DEPTH or len(skeleton) > MAX_VALUES:
        raise _TooBig
    if value is None or isinstance(value, bool):
        skeleton.append(value)
    elif isinstance(value, int) and not isinstance(value, enum.Enum):
        skeleton.append("i")
        sizes.append(value)
    elif isinstance(value, Mapping):
        _walk_mapping(value, skeleton, sizes, depth)
    elif isinstance(value, list | tuple):
        skeleton.append("[")
        sizes.append(len(value))
    elif isinstance(value, pydantic.BaseModel):
        # The fields that were set are what is sent (exclude_unset), in the model's
        # own field order: the same input gives the same key.
        set_ = value.model_fields_set
        fields = {name: getattr(value, name) for name in type(value).model_fields if name in set_}
        skeleton.append(type(value).__name__)
        _walk_mapping(fields, skeleton, sizes, depth)
    else:  # str, float, Decimal, enum, date...: the cost does not depend on it
        skeleton.append(type(value).__name__)


class CostTable:
    """Learned requested costs by :data:`CostKey`, bounded; not thread-safe (the
    limiter's lock guards it)."""

    __slots__ = ("_by_operation", "_costs")

    def __init__(self) -> None:
        self._costs: dict[tuple[str, tuple[object, ...]], dict[tuple[int, ...], float]] = {}
        #: the largest cost learned per operation (``QueryCostLimiter.known_costs``)
        self._by_operation: dict[str, float] = {}

    def learn(self, key: CostKey, cost: float) -> None:
        operation, skeleton, sizes = key
        known = self._costs.get((operation, skeleton))
        if known is not None and known.get(sizes) == cost:
            return  # the usual case: the same call again (kept in the order it came)
        costs = self._costs.pop((operation, skeleton), None)
        if costs is None:
            costs = {}
            if len(self._costs) >= MAX_SKELETONS:
                del self._costs[next(iter(self._costs))]
        self._costs[(operation, skeleton)] = costs  # most recently used last
        costs.pop(sizes, None)
        costs[sizes] = cost
        if len(costs) > MAX_SIZES:
            del costs[next(iter(costs))]
        if operation in self._by_operation or len(self._by_operation) < MAX_SKELETONS:
            self._by_operation[operation] = max(cost, self._by_operation.get(operation, 0.0))

    def estimate(self, key: CostKey | None) -> float | None:
        """An upper bound of ``key``'s cost from what was learned; None if none covers it."""
        if key is None:
            return None
        operation, skeleton, sizes = key
        costs = self._costs.get((operation, skeleton))
        if not costs:
            return None
        exact = costs.get(sizes)
        if exact is not None:
            return exact
        best: float | None = None
        for known, cost in costs.items():
            if (
                (best is None or cost < best)
                and len(known) == len(sizes)
                and all(k >= s for k, s in zip(known, sizes, strict=True))
            ):
                best = cost
        return best

    def largest(self, operation: str) -> float | None:
        return self._by_operation.get(operation)

    def by_operation(self) -> dict[str, float]:
        return dict(self._by_operation)
