"""ariadne-codegen's default client for our operations, generated at bench time: the
peer of the per-call rows and the cold-import rows."""

from __future__ import annotations

import json
import subprocess
import time
from pathlib import Path

from bench.common import BIN, ROOT
from shopify_codegen.config import load_config


def _toml_value(value: object) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return json.dumps(value)  # a TOML basic string for these plain values
    raise TypeError(f"cannot write {value!r} to TOML")


def _plain_scalars() -> dict[str, str]:
    """codegen.toml's scalar mapping, less the types that live in our runtime.

    The default package must not import shopify_client, so JSON stays ariadne's Any.
    """
    scalars = load_config(ROOT).ariadne.get("scalars", {})
    return {
        name: spec["type"]
        for name, spec in scalars.items()
        if not str(spec.get("type", "")).startswith("shopify_client")
    }


def generate_ariadne_defaults(target: Path) -> dict[str, float]:
    """Generate the default-settings peers with the ariadne-codegen CLI, in parallel.

    Returns the seconds each package took.
    """
    jobs = {
        "ariadne_default_storefront": ("storefront", "2024-10", False),
        "ariadne_default_storefront_async": ("storefront", "2024-10", True),
        "ariadne_default_admin": ("admin", "2024-01", False),
    }
    scalars = _plain_scalars()
    running: dict[str, tuple[subprocess.Popen[bytes], float]] = {}
    for package, (api, version, is_async) in jobs.items():
        settings = {
            "schema_path": str(ROOT / "schema" / api / f"{version}.graphql"),
            "queries_path": str(ROOT / "queries" / api),
            "target_package_name": package,
            "target_package_path": str(target),
            "async_client": is_async,
        }
        lines = ["[tool.ariadne-codegen]"]
        lines += [f"{key} = {_toml_value(value)}" for key, value in settings.items()]
        for name, python_type in scalars.items():
            table = f"[tool.ariadne-codegen.scalars.{name}]"
            lines += ["", table, f"type = {json.dumps(python_type)}"]
        config_path = target / f"{package}.toml"
        config_path.write_text("\n".join(lines) + "\n", encoding="utf-8")
        process = subprocess.Popen(
            [str(BIN / "ariadne-codegen"), "--config", str(config_path), "client"],
            cwd=target,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
        )
        running[package] = (process, time.perf_counter())
    seconds: dict[str, float] = {}
    for package, (process, started) in running.items():
        _, stderr = process.communicate()
        seconds[package] = time.perf_counter() - started
        if process.returncode != 0:
            raise RuntimeError(
                f"ariadne-codegen failed for {package}:\n{stderr.decode(errors='replace')}"
            )
    return seconds
