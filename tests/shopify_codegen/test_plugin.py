"""The ariadne-codegen plugin, piece by piece, and the independence of the two runs."""

from __future__ import annotations

import ast
import contextlib
import io
import json
from pathlib import Path

from graphql import build_schema

from shopify_codegen.generate import _generation_schema, _in_directory, _run_ariadne, ariadne_config
from shopify_codegen.plugin import (
    _aliases_for_type_checkers,
    _hide_from_repr,
    _rewrite_base_model,
    tolerate_new_members,
)
from tests.conftest import ROOT, fixture_config, fixture_project

SCHEMA = build_schema(
    """
    interface Node { id: ID! }
    type Product implements Node { id: ID! title: String! }
    type Collection implements Node { id: ID! handle: String! }
    type Video implements Node { id: ID! }
    union Media = Product | Video
    type Query { node(id: ID!): Node media: Media }
    """
)


def _module(text: str) -> ast.Module:
    return ast.parse(text)


def _class(module: ast.Module, name: str) -> ast.ClassDef:
    return next(n for n in module.body if isinstance(n, ast.ClassDef) and n.name == name)


def test_base_model_shares_unset_and_hides_input_in_errors() -> None:
    template = """
from pydantic import BaseModel as PydanticBaseModel
from pydantic import ConfigDict


class UnsetType:
    def __bool__(self) -> bool:
        return False


UNSET = UnsetType()


class BaseModel(PydanticBaseModel):
    model_config = ConfigDict(populate_by_name=True, defer_build=True)
"""
    code = _rewrite_base_model(template)
    assert "class UnsetType" not in code and "UNSET = " not in code
    assert "from shopify_client import UNSET as UNSET\n" in code
    assert "from shopify_client import CallOptions as CallOptions\n" in code
    assert "        hide_input_in_errors=True,\n" in code
    namespace: dict[str, object] = {}
    exec(compile(code, "base_model.py", "exec"), namespace)
    import shopify_client

    assert namespace["UNSET"] is shopify_client.UNSET


def test_a_union_gets_a_fallback_model_and_a_callable_discriminator() -> None:
    module = _module(
        """
class Op(BaseModel):
    media: Optional[
        Annotated[Union["OpMediaProduct", "OpMediaVideo"], Field(discriminator="typename__")]
    ]


class OpMediaProduct(BaseModel):
    typename__: Literal["Product"] = Field(alias="__typename")
    title: str


class OpMediaVideo(BaseModel):
    typename__: Literal["Video"] = Field(alias="__typename")
"""
    )
    module, added = tolerate_new_members(module, SCHEMA)
    assert added == ["OpMediaMedia"]  # the field's prefix + the union's name
    fallback = _class(module, "OpMediaMedia")
    assert ast.unparse(fallback.body[0]) == "typename__: str = Field(alias='__typename')"
    annotation = ast.unparse(_class(module, "Op").body[0])
    tags = "{'Product': 'OpMediaProduct', 'Video': 'OpMediaVideo'}"
    assert f"Discriminator(typename_discriminator({tags}, 'OpMediaMedia'))" in annotation
    assert "Tag('OpMediaMedia')" in annotation
    imports = [ast.unparse(n) for n in module.body if isinstance(n, ast.ImportFrom)]
    assert "from .base_model import typename_discriminator" in imports


def test_an_interface_model_becomes_the_fallback_with_its_own_fields() -> None:
    module = _module(
        """
class Op(BaseModel):
    node: Union["OpNodeNode", "OpNodeProduct"] = Field(discriminator="typename__")


class OpNodeNode(BaseModel):
    typename__: Literal["Collection", "Node", "Video"] = Field(alias="__typename")
    id: str


class OpNodeProduct(BaseModel):
    typename__: Literal["Product"] = Field(alias="__typename")
    id: str
"""
    )
    module, added = tolerate_new_members(module, SCHEMA)
    assert added == []
    node = ast.unparse(_class(module, "OpNodeNode"))
    assert "typename__: str" in node and "id: str" in node
    field = _class(module, "Op").body[0]
    assert isinstance(field, ast.AnnAssign) and field.value is None  # discriminator moved
    assert "'OpNodeNode')" in ast.unparse(field.annotation)


def test_a_union_of_models_from_elsewhere_keeps_its_literals() -> None:
    module = _module(
        """
class Op(BaseModel):
    node: Union["OpNodeNode", "FragmentProduct"] = Field(discriminator="typename__")


class OpNodeNode(BaseModel):
    typename__: Literal["Collection", "Node", "Video"] = Field(alias="__typename")
"""
    )
    module, added = tolerate_new_members(module, SCHEMA)
    assert added == []
    assert "Literal[" in ast.unparse(_class(module, "OpNodeNode"))  # pydantic needs it there
    assert "discriminator='typename__'" in ast.unparse(_class(module, "Op"))


def test_a_lone_interface_model_takes_any_typename() -> None:
    module = _module(
        """
class Op(BaseModel):
    node: Optional["OpNode"]


class OpNode(BaseModel):
    typename__: Literal["Collection", "Node", "Product", "Video"] = Field(alias="__typename")
    id: str
"""
    )
    module, _ = tolerate_new_members(module, SCHEMA)
    assert "typename__: str" in ast.unparse(_class(module, "OpNode"))


def test_secret_string_fields_are_hidden_from_reprs() -> None:
    hidden = _hide_from_repr(ast.parse("password: str").body[0])  # type: ignore[arg-type]
    assert ast.unparse(hidden) == "password: str = Field(repr=False)"
    aliased = _hide_from_repr(
        ast.parse("access_token: str = Field(alias='accessToken')").body[0]  # type: ignore[arg-type]
    )
    assert ast.unparse(aliased) == "access_token: str = Field(alias='accessToken', repr=False)"
    plain = _hide_from_repr(ast.parse("title: str").body[0])  # type: ignore[arg-type]
    assert ast.unparse(plain) == "title: str"


def test_each_flavour_alone_writes_the_shared_files_identically(tmp_path: Path) -> None:
    """The two runs share one folder; every file but the client and __init__ must not
    depend on which run wrote it (see shopify_codegen.generate)."""
    config = fixture_config()
    api = config.api("storefront")
    trees: dict[bool, dict[str, bytes]] = {}
    with _in_directory(config.root), contextlib.redirect_stdout(io.StringIO()):
        schema, _ = _generation_schema(config, api, True)
        for flavour in (True, False):
            target = tmp_path / ("async" if flavour else "sync")
            target.mkdir()
            _run_ariadne(ariadne_config(config, api, target, async_client=flavour), schema)
            package = target / api.package
            trees[flavour] = {p.name: p.read_bytes() for p in package.glob("*.py")}
    only_async = set(trees[True]) - set(trees[False])
    only_sync = set(trees[False]) - set(trees[True])
    assert (only_async, only_sync) == (
        {"async_client.py", "async_base_client.py"},
        {"client.py", "base_client.py"},
    )
    shared = sorted((set(trees[True]) & set(trees[False])) - {"__init__.py"})
    assert len(shared) >= 6
    assert [name for name in shared if trees[True][name] != trees[False][name]] == []


# -- aliases that type checkers read as the Python name ------------------------------


def test_a_graphql_name_becomes_the_validation_and_serialization_alias() -> None:
    module = _aliases_for_type_checkers(
        _module(
            "class MetafieldsSetInput(BaseModel):\n"
            "    owner_id: str = Field(alias='ownerId')\n"
            "    type_: Optional[str] = Field(alias='type', default=None)\n"
            "    access_token: str = Field(alias='accessToken', repr=False)\n"
            "    key: str\n"
            "    union: Union[A, B] = Field(discriminator='typename__')\n"
        )
    )
    assert [ast.unparse(s) for s in _class(module, "MetafieldsSetInput").body] == [
        "owner_id: str = Field(validation_alias='ownerId', serialization_alias='ownerId')",
        "type_: Optional[str] = Field(validation_alias='type', serialization_alias='type',"
        " default=None)",
        "access_token: str = Field(validation_alias='accessToken',"
        " serialization_alias='accessToken', repr=False)",
        "key: str",
        "union: Union[A, B] = Field(discriminator='typename__')",
    ]


def test_no_generated_model_names_its_init_parameter_after_the_graphql_name() -> None:
    """Every package the pipeline wrote (the fixture project's and the corpus'), the
    fallback models of tolerant unions included: ``alias=`` alone would make plain
    type checkers ask for ``ownerId`` instead of ``owner_id``."""
    folders = [fixture_project() / "generated", ROOT / "tests" / "conformance" / "expected"]
    files = [(folder, path) for folder in folders for path in folder.rglob("*.py")]
    assert len(files) > 40
    offending = [
        f"{path.relative_to(folder)}: {ast.unparse(node)}"
        for folder, path in files
        for node in ast.walk(ast.parse(path.read_text()))
        if isinstance(node, ast.Call)
        and isinstance(node.func, ast.Name)
        and node.func.id == "Field"
        and any(keyword.arg == "alias" for keyword in node.keywords)
    ]
    assert offending == []


def test_aliased_models_take_python_names_and_speak_graphql_names() -> None:
    """Built by the Python name (or, as before, the GraphQL one), sent by the GraphQL
    name; responses parse by the GraphQL name."""
    from shopify_client import _variables
    from tests.conformance.expected.corpus_admin import CustomerCreate
    from tests.conformance.expected.corpus_admin import input_types as admin

    by_python_name = admin.MetafieldsSetInput(
        owner_id="gid://shopify/Product/1", key="k", type_="number_integer", value="1"
    )
    by_graphql_name = admin.MetafieldsSetInput.model_validate(
        {"ownerId": "gid://shopify/Product/1", "key": "k", "type": "number_integer", "value": "1"}
    )
    assert by_python_name == by_graphql_name
    wire = {
        "ownerId": "gid://shopify/Product/1",
        "key": "k",
        "type": "number_integer",
        "value": "1",
    }
    assert json.loads(_variables._encode_variable("input", by_python_name, "Q")) == wire
    assert by_python_name.model_dump(by_alias=True, exclude_unset=True) == wire

    parsed = CustomerCreate.model_validate(
        {"customerCreate": {"customer": None, "userErrors": [{"field": ["email"], "message": "m"}]}}
    )
    assert parsed.customer_create is not None
    assert parsed.customer_create.user_errors[0].message == "m"
