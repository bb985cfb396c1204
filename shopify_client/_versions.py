"""Shopify API versions: release calendar, support window, warnings.

Shopify releases a version each quarter (YYYY-01, -04, -07, -10) and supports each
for at least 12 months. A request to an unsupported version is answered by the
oldest supported one, and the ``X-Shopify-API-Version`` response header says which.
The clients warn once per process, with :class:`UnsupportedVersionWarning`, when
their pinned version is past that window.
"""

from __future__ import annotations

import datetime as _dt
import logging
import threading
import warnings
from dataclasses import dataclass

__all__ = [
    "UnsupportedVersionWarning",
    "VersionMismatchWarning",
    "VersionSupport",
    "latest_stable_version",
    "version_support",
]

logger = logging.getLogger("shopify_client")

SUPPORT_MONTHS = 12


class UnsupportedVersionWarning(UserWarning):
    """The pinned API version is past Shopify's 12-month support window."""


class VersionMismatchWarning(UserWarning):
    """Shopify served a different API version than the one requested."""


@dataclass(frozen=True)
class VersionSupport:
    version: str
    released: _dt.date
    supported_until: _dt.date
    today: _dt.date

    @property
    def is_supported(self) -> bool:
        return self.today < self.supported_until


def _add_months(day: _dt.date, months: int) -> _dt.date:
    index = day.year * 12 + (day.month - 1) + months
    return _dt.date(index // 12, index % 12 + 1, 1)


def version_support(version: str, today: _dt.date | None = None) -> VersionSupport:
    """Release date and the end of the minimum support window of ``version``."""
    year, month = (int(p) for p in version.split("-"))
    released = _dt.date(year, month, 1)
    return VersionSupport(
        version=version,
        released=released,
        supported_until=_add_months(released, SUPPORT_MONTHS),
        today=today or _dt.date.today(),
    )


def latest_stable_version(today: _dt.date | None = None) -> str:
    """The newest quarterly version released on or before ``today``."""
    day = today or _dt.date.today()
    quarter_month = ((day.month - 1) // 3) * 3 + 1
    return f"{day.year:04d}-{quarter_month:02d}"


_warned: set[tuple[str, str]] = set()
_warned_lock = threading.Lock()


def warn_if_unsupported(
    api: str, version: str, today: _dt.date | None = None, *, stacklevel: int = 4
) -> bool:
    """Warn (once per process and API/version) when ``version`` is out of support;
    ``stacklevel`` points the warning at the caller's line."""
    if version == "unstable":
        return False
    support = version_support(version, today)
    if support.is_supported:
        return False
    with _warned_lock:
        if (api, version) in _warned:
            return True
        _warned.add((api, version))
    latest = latest_stable_version(today)
    message = (
        f"Shopify {api} API {version} left Shopify's {SUPPORT_MONTHS}-month support window "
        f"on {support.supported_until.isoformat()}; Shopify now answers it with the oldest "
        f"supported version (see X-Shopify-API-Version). Move to a supported version, e.g. "
        f"`shopify-codegen bump --api {api} --version {latest}`."
    )
    logger.warning(message)
    warnings.warn(message, UnsupportedVersionWarning, stacklevel=stacklevel)
    return True
