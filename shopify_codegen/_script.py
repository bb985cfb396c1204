"""The ``shopify-codegen`` script: the CLI, or one clear line if the extra is missing.

``pip install .`` installs the script but not the tooling's dependencies (they are
the ``codegen`` extra, pinned for byte-stable output). Without them, importing the
CLI would end in a traceback; this module imports nothing beyond the standard library
before the CLI, so it can name the extra instead.
"""

from __future__ import annotations

import importlib.util
import sys
from collections.abc import Sequence

__all__ = ["CODEGEN_MODULES", "main"]

# Top-level modules that only the `codegen` extra installs.
CODEGEN_MODULES = frozenset({"ariadne_codegen", "graphql"})

MISSING_EXTRA = (
    "shopify-codegen: error: the tooling needs the `codegen` extra ({module} is not"
    " installed): pip install 'shopify-graphql-typed[codegen]'"
)


def main(argv: Sequence[str] | None = None) -> int:
    for module in sorted(CODEGEN_MODULES):
        if not _installed(module):
            return _missing(module)
    try:
        from .cli import main as cli_main

        return cli_main(argv)
    except ModuleNotFoundError as exc:  # installed but broken, or imported late
        module = (exc.name or "").partition(".")[0]
        if module not in CODEGEN_MODULES:
            raise
        return _missing(module)


def _installed(module: str) -> bool:
    try:
        return importlib.util.find_spec(module) is not None
    except ValueError:  # sys.modules[module] is None: the import is blocked
        return False


def _missing(module: str) -> int:
    print(MISSING_EXTRA.format(module=module), file=sys.stderr)
    return 2


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
