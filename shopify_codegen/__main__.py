"""``python -m shopify_codegen``: the same as the ``shopify-codegen`` command."""

from __future__ import annotations

import sys

from .cli import main

if __name__ == "__main__":
    sys.exit(main())
