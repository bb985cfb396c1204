"""Generated methods that keep secrets out of their own frame's locals.

A traceback that shows locals (``traceback.TracebackException(...,
capture_locals=True)``, Sentry's default) shows every frame's, the generated
method's included: ``customer(customer_access_token=...)`` held the token as an
argument, in the ``variables`` dict it builds, and ``kwargs`` held per-call
headers (``headers={"X-Shopify-Access-Token": ...}``). :func:`hide_locals`
rewrites the method so that, by the time it calls ``execute``:

* ``variables`` is a :class:`shopify_client.RedactedDict` (its repr names the keys
  only);
* each argument whose GraphQL variable name is sensitive
  (:func:`shopify_client.toolkit.is_sensitive_key`: token, password, secret...) is
  deleted, its value living on in ``variables`` only;
* the call options are a ``RedactedDict`` too, and ``kwargs`` is deleted.
"""

from __future__ import annotations

import ast

from shopify_client.toolkit import is_sensitive_key

__all__ = ["OPTIONS", "hide_locals"]

#: the local that holds the call options in place of ``kwargs``
OPTIONS = "_call_options"


def _wrapped(value: ast.expr) -> ast.Call:
    return ast.Call(func=ast.Name(id="RedactedDict", ctx=ast.Load()), args=[value], keywords=[])


def hide_locals(method_def: ast.FunctionDef | ast.AsyncFunctionDef) -> None:
    index, assign = next(
        (
            (i, stmt)
            for i, stmt in enumerate(method_def.body)
            if isinstance(stmt, ast.AnnAssign)
            and isinstance(stmt.target, ast.Name)
            and stmt.target.id == "variables"
            and stmt.value is not None
        ),
        (None, None),
    )
    if index is None or assign is None or assign.value is None:
        return
    parameters = {a.arg for a in (*method_def.args.args, *method_def.args.kwonlyargs)}
    sensitive: list[str] = []
    if isinstance(assign.value, ast.Dict):
        for key, value in zip(assign.value.keys, assign.value.values, strict=True):
            if (
                isinstance(key, ast.Constant)
                and isinstance(key.value, str)
                and is_sensitive_key(key.value)
                and isinstance(value, ast.Name)
                and value.id in parameters
                and value.id not in sensitive
            ):
                sensitive.append(value.id)
    assign.value = _wrapped(assign.value)
    after: list[ast.stmt] = []
    if sensitive:
        after.append(ast.Delete(targets=[ast.Name(id=n, ctx=ast.Del()) for n in sensitive]))
    kwarg = method_def.args.kwarg
    if kwarg is not None and _rename_unpacked(method_def, kwarg.arg):
        after.append(
            ast.Assign(
                targets=[ast.Name(id=OPTIONS, ctx=ast.Store())],
                value=_wrapped(ast.Name(id=kwarg.arg, ctx=ast.Load())),
                lineno=0,
            )
        )
        after.append(ast.Delete(targets=[ast.Name(id=kwarg.arg, ctx=ast.Del())]))
    method_def.body[index + 1 : index + 1] = after


def _rename_unpacked(method_def: ast.FunctionDef | ast.AsyncFunctionDef, kwarg: str) -> bool:
    """``self.execute(..., **kwargs)`` -> ``..., **_call_options``; False when the
    method passes ``kwargs`` anywhere else (then it is left as it is)."""
    unpacked: list[ast.keyword] = []
    uses = 0
    for node in ast.walk(method_def):
        if isinstance(node, ast.Name) and node.id == kwarg:
            uses += 1
        if (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute)
            and node.func.attr == "execute"
        ):
            unpacked += [
                k
                for k in node.keywords
                if k.arg is None and isinstance(k.value, ast.Name) and k.value.id == kwarg
            ]
    if len(unpacked) != 1 or uses != 1:
        return False
    unpacked[0].value = ast.Name(id=OPTIONS, ctx=ast.Load())
    return True
