"""Turning a call's GraphQL variables into the request's JSON body.

The generated methods give an optional variable the caller leaves out the value
:data:`UNSET`; such a variable is left out of the request, so Shopify applies the
variable's default (or the argument's). ``None`` is sent as ``null``. Input models
are sent with only the fields that were set (an unset field is left out, a field
set to ``None`` is sent as ``null``), at every depth.

Anything that is not JSON, a generated model, an enum, a date/time or a Decimal is
refused with :class:`~shopify_client.InvalidVariablesError` naming the variable.
"""

from __future__ import annotations

import datetime as _dt
import decimal
import enum
import functools
import json
import sys
from collections.abc import Mapping
from json.encoder import encode_basestring_ascii as _quote
from typing import Any, Final, ForwardRef, cast, get_args

import pydantic
import pydantic_core

from ._exceptions import InvalidVariablesError

__all__ = ["UNSET", "UnsetType", "encode_request"]


class UnsetType:
    """The type of :data:`UNSET`: "the caller did not pass this argument"."""

    _instance: UnsetType | None = None

    def __new__(cls) -> UnsetType:
        # One sentinel for every generated package (their base_model imports it).
        if cls._instance is None:
            cls._instance = super().__new__(cls)
        return cls._instance

    def __bool__(self) -> bool:
        return False

    def __repr__(self) -> str:
        return "UNSET"


#: The default of every optional argument of the generated methods.
UNSET: Final = UnsetType()


def _json_default(value: object) -> object:
    if isinstance(value, pydantic.BaseModel):
        # warnings=False: pydantic's serializer warnings quote the value (input_value=
        # ...), and a password of the wrong type would reach the logs through them.
        return value.model_dump(mode="json", by_alias=True, exclude_unset=True, warnings=False)
    if isinstance(value, enum.Enum):
        return value.value
    if isinstance(value, _dt.datetime | _dt.date | _dt.time):
        return value.isoformat()
    if isinstance(value, decimal.Decimal):
        return str(value)
    raise TypeError(type(value).__name__)


# One encoder for every request: json.dumps(default=...) builds a new one per call.
# NaN and infinities are not JSON: refused, not sent as the invalid token NaN.
_ENCODER = json.JSONEncoder(default=_json_default, separators=(",", ":"), allow_nan=False)


def _encode_variable(name: str, value: object, operation_name: str | None) -> str:
    try:
        return _ENCODER.encode(value)
    except (TypeError, ValueError, RecursionError, pydantic_core.PydanticSerializationError) as exc:
        what = f"variable ${name}" + (f" of {operation_name}" if operation_name else "")
        if isinstance(exc, TypeError) and exc.args and isinstance(exc.args[0], str):
            problem = f"a value of type {exc.args[0]} cannot be sent to GraphQL"
        elif isinstance(exc, RecursionError):
            problem = "it refers to itself or is nested too deeply"
        else:
            problem = "it is not JSON (NaN, infinity or a circular reference)"
        raise InvalidVariablesError(f"{what}: {problem}", variable=name) from None


@functools.lru_cache(maxsize=512)
def _constant_part(query: str, operation_name: str | None) -> str:
    """The body's start, the same for every call of a generated method: encoded once."""
    head = '{"query":' + _ENCODER.encode(query)
    if operation_name:
        head += ',"operationName":' + _ENCODER.encode(operation_name)
    return head


@functools.cache
def _writes_nan_tokens(cls: type[pydantic.BaseModel]) -> bool:
    """Whether pydantic writes every NaN/infinity a ``cls`` can hold as a token.

    ``ser_json_inf_nan`` is each model class's own setting: a model of another class
    inside a generated one (a field of its type, or of a type that may hold one:
    ``Any``, ``object``, a name not resolved yet) writes its NaN as ``null``, and the
    fast path would send that where the general path refuses the NaN.
    """
    seen: set[type[pydantic.BaseModel]] = set()
    todo = [cls]
    while todo:
        model = todo.pop()
        if model in seen:
            continue  # input types refer to themselves
        seen.add(model)
        if model.model_config.get("ser_json_inf_nan") != "constants":
            return False
        namespace = vars(sys.modules[model.__module__])
        fields = model.model_fields.values()
        if not all(_models_in(f.annotation, namespace, todo) for f in fields):
            return False
    return True


def _models_in(
    annotation: object, namespace: dict[str, object], found: list[type[pydantic.BaseModel]]
) -> bool:
    """Adds the model classes ``annotation`` names to ``found``; False when it may
    hold a model it does not name. A name not resolved yet (a deferred build) is
    looked up in the model's module, as pydantic will."""
    if isinstance(annotation, str | ForwardRef):
        name = annotation if isinstance(annotation, str) else annotation.__forward_arg__
        annotation = namespace.get(name)
        if not isinstance(annotation, type):
            return False
    if annotation is Any or annotation is object:
        return False
    if isinstance(annotation, type) and issubclass(annotation, pydantic.BaseModel):
        found.append(annotation)
        return True
    return all(_models_in(arg, namespace, found) for arg in get_args(annotation))


def _model_json(value: pydantic.BaseModel) -> str | None:
    """An input model in one pass of pydantic's serializer, or None when the general
    path must do it (the result is the same JSON either way).

    Only for models that write NaN and infinities as tokens (the generated base model
    sets ``ser_json_inf_nan="constants"``): one of those in the output sends the model
    down the general path, which refuses it; pydantic's default would write ``null``.
    A string that holds "NaN" takes the general path too, and is sent as it is.
    """
    if not _writes_nan_tokens(type(value)):
        return None
    try:
        out = value.__pydantic_serializer__.to_json(
            value, by_alias=True, exclude_unset=True, ensure_ascii=True, warnings=False
        )
    except (ValueError, TypeError, RecursionError, pydantic_core.PydanticSerializationError):
        return None  # the general path raises the typed error
    if b"NaN" in out or b"Infinity" in out:
        return None
    if b"\x7f" in out:  # json's ensure_ascii escapes DEL; pydantic's leaves it raw
        out = out.replace(b"\x7f", b"\\u007f")
    return out.decode("ascii")


def _encode_value(name: str, value: object, operation_name: str | None) -> str:
    """One variable's JSON. The common kinds skip json.JSONEncoder.encode, which
    builds a new C encoder on every call (~1.5 us; a call with two variables paid
    that four times, names included)."""
    kind = type(value)
    if kind is str:
        return _quote(cast(str, value))  # what the encoder does
    if value is None:
        return "null"
    if kind is bool:
        return "true" if value else "false"
    if kind is int:
        try:
            return int.__repr__(cast(int, value))  # as json does
        except ValueError:  # over sys.get_int_max_str_digits(): the typed error below
            pass
    if isinstance(value, pydantic.BaseModel):
        fast = _model_json(value)
        if fast is not None:
            return fast
    return _encode_variable(name, value, operation_name)


@functools.lru_cache(maxsize=1024)
def _key(name: str) -> str:
    return _quote(name) + ":"


def encode_request(
    query: str, operation_name: str | None, variables: Mapping[str, object] | None
) -> bytes:
    """The JSON body of one GraphQL request; UNSET variables are left out."""
    parts = [_constant_part(query, operation_name)]
    if variables:
        if not isinstance(variables, Mapping):
            raise InvalidVariablesError(
                f"variables must be a mapping of names to values, not {type(variables).__name__}",
                variable=None,
            )
        items = []
        for name, value in variables.items():
            if isinstance(value, UnsetType):
                continue
            if not isinstance(name, str):
                raise InvalidVariablesError(
                    f"variable names are strings, not {type(name).__name__}", variable=None
                )
            items.append(_key(name) + _encode_value(name, value, operation_name))
        if items:
            parts += [',"variables":{', ",".join(items), "}"]
    parts.append("}")
    return "".join(parts).encode()
