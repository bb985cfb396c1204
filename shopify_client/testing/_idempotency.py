"""Idempotency keys as FakeShopify honours them, the way Shopify documents them.

"If you retry the same request with the same idempotency key due to network issues
or timeouts, Shopify will recognize it as a duplicate [...]. It will return the
result of the original operation instead of creating a new one."
(https://shopify.dev/changelog/making-idempotency-mandatory-for-inventory-adjustments-and-refund-mutations)

* A key is read from the ``@idempotent(key:)`` directive of a top-level mutation
  field, from its ``idempotencyKey`` argument, or from an ``idempotencyKey`` field of
  an input object passed to it (``subscriptionBillingAttemptCreate``), as a literal
  or through a variable.
* The first request with a key runs; a repeat gets a copy of the first answer and
  runs nothing (``FakeShopify.executed`` does not count it; ``replayed`` does).
* A repeat whose document or variables differ gets an error with the code Shopify
  uses for it, ``IDEMPOTENCY_KEY_PARAMETER_MISMATCH`` ("The same idempotency key
  cannot be used with different operation parameters"). Shopify reports it in the
  payload's user errors; the fake answers a top-level error, since it cannot know
  each payload's error type.
* From 2026-04, a mutation whose description says its key is required, called
  without one, is refused (Shopify: "calling these mutations without an
  idempotency directive will result in an error at runtime").

Requests with one key run one at a time (a lock per fake); Shopify answers a
concurrent repeat with ``IDEMPOTENCY_CONCURRENT_REQUEST``, which the fake does not
model: its repeat waits for the first and gets its answer.
"""

from __future__ import annotations

import copy
import functools
import json
import threading
from collections import Counter
from collections.abc import Callable, Mapping
from typing import Any

__all__ = ["IdempotencyKeys", "key_of"]

#: the first version that refuses these mutations without a key
REQUIRED_FROM = "2026-04"
REQUIRED_PHRASE = "idempotency key is required"


@functools.lru_cache(maxsize=256)
def _keyed_fields(query: str, operation_name: str | None) -> tuple[tuple[str, Any], ...]:
    """(field name, where its key may be) of each top-level field of the operation;
    a place is a literal string, ``("$", variable)`` or ``("input", variable)`` (an
    input object's ``idempotencyKey``)."""
    from graphql import (
        FieldNode,
        GraphQLSyntaxError,
        ObjectValueNode,
        OperationDefinitionNode,
        StringValueNode,
        VariableNode,
        parse,
    )

    try:
        document = parse(query)
    except GraphQLSyntaxError:
        return ()
    operations = [d for d in document.definitions if isinstance(d, OperationDefinitionNode)]
    chosen = next(
        (o for o in operations if o.name is not None and o.name.value == operation_name),
        operations[0] if len(operations) == 1 else None,
    )
    if chosen is None or chosen.operation.value != "mutation":
        return ()

    def where(value: Any) -> Any:
        if isinstance(value, StringValueNode):
            return value.value
        if isinstance(value, VariableNode):
            return ("$", value.name.value)
        return None

    found: list[tuple[str, Any]] = []
    for selection in chosen.selection_set.selections:
        if not isinstance(selection, FieldNode):
            continue
        places: list[Any] = [
            where(a.value)
            for d in selection.directives or ()
            if d.name.value == "idempotent"
            for a in d.arguments
            if a.name.value == "key"
        ]
        for argument in selection.arguments or ():
            if argument.name.value == "idempotencyKey":
                places.append(where(argument.value))
            elif isinstance(argument.value, ObjectValueNode):
                places += [
                    where(f.value)
                    for f in argument.value.fields
                    if f.name.value == "idempotencyKey"
                ]
            elif isinstance(argument.value, VariableNode):
                places.append(("input", argument.value.name.value))
        found.append((selection.name.value, tuple(p for p in places if p is not None)))
    return tuple(found)


def _resolve(place: Any, variables: Mapping[str, Any]) -> str | None:
    if isinstance(place, str):
        return place
    if isinstance(place, tuple):
        kind, name = place
        value = variables.get(name)
        if kind == "input":
            value = value.get("idempotencyKey") if isinstance(value, Mapping) else None
        return value if isinstance(value, str) and value.strip() else None
    return None


def key_of(body: Mapping[str, Any]) -> tuple[str | None, list[str]]:
    """The request's idempotency key (None: it has none) and its mutation fields."""
    query = body.get("query")
    if not isinstance(query, str):
        return None, []
    name = body.get("operationName")
    variables = body.get("variables")
    variables = variables if isinstance(variables, Mapping) else {}
    fields = _keyed_fields(query, name if isinstance(name, str) else None)
    keys = [
        k for _, places in fields for k in (_resolve(p, variables) for p in places) if k is not None
    ]
    return (keys[0] if keys else None), [f for f, _ in fields]


def _error(message: str, code: str) -> dict[str, Any]:
    return {"errors": [{"message": message, "extensions": {"code": code}}]}


class IdempotencyKeys:
    """The keys one FakeShopify has seen, and the first answer to each."""

    def __init__(self) -> None:
        self._answers: dict[str, tuple[str, dict[str, Any]]] = {}
        self._lock = threading.Lock()
        #: repeats answered from a key, per operation name
        self.replayed: Counter[str] = Counter()

    def answer(
        self,
        body: Mapping[str, Any],
        version: str,
        required: Callable[[str], bool],
        execute: Callable[[], dict[str, Any]],
    ) -> dict[str, Any]:
        """The answer to ``body``: ``execute()``'s, or the first answer to its key.
        ``required(field)``: whether the schema says ``field`` needs a key."""
        key, fields = key_of(body)
        if key is None:
            if version >= REQUIRED_FROM:
                missing = [f for f in fields if required(f)]
                if missing:
                    return _error(
                        f"{missing[0]}: an idempotency key is required; pass it with the "
                        "@idempotent(key:) directive",
                        "BAD_REQUEST",
                    )
            return execute()
        fingerprint = json.dumps(
            {"query": body.get("query"), "variables": body.get("variables")}, sort_keys=True
        )
        with self._lock:
            seen = self._answers.get(key)
            if seen is not None:
                first, answer = seen
                if first != fingerprint:
                    return _error(
                        "The same idempotency key cannot be used with different operation "
                        "parameters.",
                        "IDEMPOTENCY_KEY_PARAMETER_MISMATCH",
                    )
                self.replayed[str(body.get("operationName"))] += 1
                return copy.deepcopy(answer)
            answer = execute()
            if "data" in answer:  # a refused document (no data) is not remembered
                self._answers[key] = (fingerprint, copy.deepcopy(answer))
            return answer
