"""The base of the runtime's public value records (QueryCost, GraphQLResponse...).

They were frozen dataclasses. ``@dataclass`` writes each class's ``__init__``,
``__repr__``, ``__eq__``, ``__hash__`` and ``__setattr__`` as source text and runs
``exec`` on it at import: about 1.1 ms a class, 7.5 ms of the 12 ms the runtime
added to ``import shopify_storefront`` (issue 11 asks for at most 5 ms for a whole
package). A record here lists its fields in ``__slots__`` and writes its own
``__init__``; comparison, hashing, repr, immutability and pickling come from
:class:`Record`, written once.

What stays as it was: records are immutable (assigning raises
``dataclasses.FrozenInstanceError``), equal when their class and compared fields
are, hashable when their fields are, and their repr names every shown field.
``dataclasses.fields``/``replace``/``asdict`` no longer apply; none of the
library's documented uses needed them.
"""

from __future__ import annotations

from dataclasses import FrozenInstanceError
from typing import TYPE_CHECKING, Any, ClassVar, dataclass_transform

__all__ = ["Record"]


# For type checkers, a record is a frozen dataclass: assigning a field is an error
# (they take each record's own __init__ as written).
@dataclass_transform(frozen_default=True)
class Record:
    """Immutable, slotted, compared by value. Subclasses list their fields in
    ``__slots__``, annotate them in the order repr shows them, and assign them in
    ``__init__`` with ``object.__setattr__``; a subclass of a record adds its own
    fields to its base's."""

    __slots__ = ()
    #: fields left out of ==, hash and repr (a random generator, say)
    _hidden: ClassVar[frozenset[str]] = frozenset()
    #: every field, the base's first (set for each subclass)
    _fields: ClassVar[tuple[str, ...]] = ()
    _shown: ClassVar[tuple[str, ...]] = ()

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        fields: list[str] = []
        for klass in reversed(cls.__mro__):
            slots = klass.__dict__.get("__slots__", ())
            slots = (slots,) if isinstance(slots, str) else tuple(slots)
            # In the order of the class's annotations (ruff sorts __slots__).
            annotated = [n for n in klass.__dict__.get("__annotations__", {}) if n in slots]
            for name in annotated + [n for n in slots if n not in annotated]:
                if name not in fields:
                    fields.append(name)
        cls._fields = tuple(fields)
        cls._shown = tuple(name for name in fields if name not in cls._hidden)

    def _compared(self) -> tuple[Any, ...]:
        return tuple(getattr(self, name) for name in self._shown)

    def __eq__(self, other: object) -> bool:
        if other.__class__ is not self.__class__:
            return NotImplemented
        assert isinstance(other, Record)
        return self._compared() == other._compared()

    def __hash__(self) -> int:
        return hash(self._compared())

    def __repr__(self) -> str:
        shown = ", ".join(f"{name}={getattr(self, name)!r}" for name in self._shown)
        return f"{self.__class__.__qualname__}({shown})"

    if not TYPE_CHECKING:  # seen by mypy, these would make any assignment pass

        def __setattr__(self, name: str, value: object) -> None:
            raise FrozenInstanceError(f"cannot assign to field {name!r}")

        def __delattr__(self, name: str) -> None:
            raise FrozenInstanceError(f"cannot delete field {name!r}")

    def __reduce__(self) -> tuple[Any, tuple[Any, ...]]:
        # Pickling (multiprocessing, a cache) works although __setattr__ refuses,
        # whatever a subclass's __init__ takes.
        state = {name: getattr(self, name) for name in self._fields}
        return (_rebuild, (self.__class__, state))


def _rebuild(cls: type[Record], state: dict[str, Any]) -> Record:
    record = cls.__new__(cls)
    for name, value in state.items():
        object.__setattr__(record, name, value)
    return record
