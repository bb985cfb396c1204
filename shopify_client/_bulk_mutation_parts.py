"""A bulk mutation's input: the caller's iterable written as JSONL parts.

Each item (the operation's generated ``<Op>Variables`` model, or a mapping of its
fields) becomes one line, encoded as a normal call encodes its variables (an unset
field is left out; :mod:`._variables`), as the iterable is consumed: never all in
memory, but in a temporary file. A part ends before the line that would take it past
``max_bytes`` (Shopify's limit on a bulk mutation's file: 100 MB from 2026-01,
20 MB before; https://shopify.dev/docs/api/usage/bulk-operations/imports,
"Limitations"), and the next line begins the next part.
"""

from __future__ import annotations

import contextlib
import os
import tempfile
from collections.abc import Generator, Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pydantic

from ._bulk_checks import shown
from ._bulk_mutation_errors import BulkMutationInputError, BulkUploadError
from ._exceptions import InvalidVariablesError
from ._variables import _encode_value

__all__ = ["MB", "Part", "file_limit", "write_parts"]

MB = 1000 * 1000


def file_limit(api_version: str) -> int:
    """The largest file one bulk mutation takes: 100 MB from 2026-01, 20 MB before."""
    return 20 * MB if api_version < "2026-01" else 100 * MB


@dataclass
class Part:
    """One file: its index, the caller's index of its first line, its line count."""

    index: int
    path: Path
    first_line: int
    lines: int = 0
    size: int = 0

    @property
    def filename(self) -> str:
        return f"bulk-mutation-part-{self.index}.jsonl"

    def remove(self) -> None:
        with contextlib.suppress(OSError):
            os.unlink(self.path)


def encode_line(model: type[pydantic.BaseModel], item: object, line: int, name: str) -> bytes:
    if isinstance(item, Mapping) and not isinstance(item, pydantic.BaseModel):
        try:
            item = model.model_validate(item)
        except pydantic.ValidationError as exc:
            problems = "; ".join(
                f"{'.'.join(str(p) for p in e['loc']) or 'value'}: {e['msg']}"
                for e in exc.errors(include_input=False)[:5]
            )
            raise BulkMutationInputError(
                f"{name} line {line} does not fit {model.__name__}: {problems}", line=line
            ) from None
    if not isinstance(item, model):
        raise BulkMutationInputError(
            f"{name} line {line} is a {type(item).__name__}; each line is a "
            f"{model.__name__} (or a mapping of its fields)",
            line=line,
        )
    try:
        text = _encode_value("variables", item, name)
    except InvalidVariablesError as exc:
        raise BulkMutationInputError(f"{name} line {line}: {exc}", line=line) from None
    return text.encode() + b"\n"


def write_parts(
    items: Iterable[Any],
    model: type[pydantic.BaseModel],
    *,
    name: str,
    max_bytes: int,
    directory: str | None,
) -> Generator[Part, None, None]:
    """Each finished part, as the iterable is consumed. A part is removed when the
    caller is done with it (:meth:`Part.remove`) or when this generator closes."""
    index = 0
    line = 0
    part: Part | None = None
    file: Any = None
    failure: str | None = None
    try:
        iterator = iter(items)
        while True:
            try:
                item = next(iterator)
            except StopIteration:
                break
            except Exception as exc:  # the caller's: the started parts must be named
                raise BulkMutationInputError(
                    f"{name}: the iterable raised {type(exc).__name__} at line {line}; "
                    "nothing of this part was uploaded",
                    line=line,
                ) from exc
            data = encode_line(model, item, line, name)
            if len(data) > max_bytes:
                raise BulkMutationInputError(
                    f"{name} line {line} takes {len(data)} bytes, more than a whole file "
                    f"may ({max_bytes} bytes)",
                    line=line,
                )
            if part is not None and part.size + len(data) > max_bytes:
                file.close()
                file = None
                done, part = part, None
                index += 1
                yield done
            if part is None:
                fd, path = tempfile.mkstemp(
                    prefix="shopify-bulk-in-", suffix=".jsonl", dir=directory
                )
                file = os.fdopen(fd, "wb", buffering=1024 * 1024)
                part = Part(index, Path(path), line)
            file.write(data)
            part.size += len(data)
            part.lines += 1
            line += 1
        if part is not None:
            file.close()
            file = None
            done, part = part, None
            yield done
    except OSError as exc:  # the directory: removed since the start, full, read-only
        failure = exc.strerror or type(exc).__name__
    finally:
        if file is not None:
            with contextlib.suppress(OSError):
                file.close()
        if part is not None:
            part.remove()
    if failure is not None:  # raised here: it chains no OSError
        where = directory if directory is not None else tempfile.gettempdir()
        raise BulkUploadError(
            f"{name}: part {index}'s file cannot be written in directory {shown(where, 500)} "
            f"({failure}); nothing of it was uploaded (operation_ids names the parts "
            "started before it: resume or cancel them)",
            part=index,
            status_code=None,
        )
