"""The labelled drift corpus: schema pairs, each with the verdict expected per operation.

Real pairs are the committed schemas (Storefront and Admin 2024-01, 2024-10, 2026-04).
One-change variants are Storefront 2024-10 with one edit per change kind graphql-core
knows (and the kinds this project adds), made by editing one definition of the SDL parsed
once per session, so a variant costs a ~25 ms schema build, not a 0.25 s parse.

Operations: the fixture project's (tests/fixtures/project/queries, the tool tests' own
copy of this repository's seed operations) and the realistic set in tests/fixtures/drift/
(enums, unions, interfaces, nested inputs sent through variables, defaulted arguments,
a directive). Every expected verdict below was checked by hand once against the schema
and the operation; an operation not named expects ``unaffected``.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import cast

import pytest
from graphql import (
    DefinitionNode,
    DocumentNode,
    GraphQLSchema,
    ObjectTypeDefinitionNode,
    build_ast_schema,
    parse,
    print_ast,
)

from shopify_codegen.diff import DiffReport, diff_schemas
from shopify_codegen.operations import OperationFile, read_operation_folder
from shopify_codegen.schema_files import load_schema
from tests.conftest import FIXTURE_PROJECT, FIXTURES, ROOT

DRIFT_OPS = FIXTURES / "drift"

Edit = Callable[[list[DefinitionNode]], list[DefinitionNode]]


def _name(definition: DefinitionNode) -> str | None:
    name = getattr(definition, "name", None)
    return name.value if name is not None else None


def edit(type_name: str, old: str, new: str, *, after: str = "") -> Edit:
    """Replace ``old`` by ``new`` once in one printed definition (after ``after``)."""

    def apply(definitions: list[DefinitionNode]) -> list[DefinitionNode]:
        out: list[DefinitionNode] = []
        for definition in definitions:
            if _name(definition) == type_name:
                text = print_ast(definition)
                start = text.index(after) if after else 0
                assert old in text[start:], f"{old!r} not in {type_name}"
                text = text[:start] + text[start:].replace(old, new, 1)
                out.extend(parse(text, no_location=True).definitions)
            else:
                out.append(definition)
        return out

    return apply


def add(sdl: str) -> Edit:
    def apply(definitions: list[DefinitionNode]) -> list[DefinitionNode]:
        return [*definitions, *parse(sdl, no_location=True).definitions]

    return apply


def drop(type_name: str, member: str) -> Edit:
    """Remove one field, input field, enum value or directive argument."""

    def apply(definitions: list[DefinitionNode]) -> list[DefinitionNode]:
        out = []
        for definition in definitions:
            if _name(definition) == type_name:
                attr = next(a for a in ("values", "fields", "arguments") if hasattr(definition, a))
                kept = tuple(m for m in getattr(definition, attr) if m.name.value != member)
                assert len(kept) < len(getattr(definition, attr)), f"no {type_name}.{member}"
                values = {key: getattr(definition, key) for key in definition.keys}
                definition = type(definition)(**{**values, attr: kept})
            out.append(definition)
        return out

    return apply


def drop_arg(type_name: str, field_name: str, arg: str) -> Edit:
    """Remove one argument of one field."""

    def apply(definitions: list[DefinitionNode]) -> list[DefinitionNode]:
        out = []
        for definition in definitions:
            if _name(definition) == type_name:
                fields = []
                for node in cast(ObjectTypeDefinitionNode, definition).fields or ():
                    if node.name.value == field_name:
                        kept = tuple(a for a in node.arguments if a.name.value != arg)
                        assert len(kept) < len(node.arguments), f"no {field_name}({arg})"
                        node = type(node)(
                            **{**{k: getattr(node, k) for k in node.keys}, "arguments": kept}
                        )
                    fields.append(node)
                values = {key: getattr(definition, key) for key in definition.keys}
                definition = type(definition)(**{**values, "fields": tuple(fields)})
            out.append(definition)
        return out

    return apply


def remove(type_name: str) -> Edit:
    def apply(definitions: list[DefinitionNode]) -> list[DefinitionNode]:
        assert any(_name(d) == type_name for d in definitions)
        return [d for d in definitions if _name(d) != type_name]

    return apply


@functools.cache
def storefront_2024_10_sdl() -> tuple[DefinitionNode, ...]:
    text = (ROOT / "schema" / "storefront" / "2024-10.graphql").read_text()
    return tuple(parse(text, no_location=True).definitions)


def build(edits: tuple[Edit, ...]) -> GraphQLSchema:
    definitions = list(storefront_2024_10_sdl())
    for change in edits:
        definitions = change(definitions)
    return build_ast_schema(DocumentNode(definitions=tuple(definitions)), assume_valid_sdl=True)


@functools.cache
def base() -> GraphQLSchema:
    return build(())


@functools.cache
def operations(api: str) -> tuple[OperationFile, ...]:
    project = read_operation_folder(
        FIXTURE_PROJECT / "queries" / api, lambda p: p.relative_to(ROOT).as_posix()
    )
    fixtures = read_operation_folder(DRIFT_OPS / api, lambda p: p.relative_to(ROOT).as_posix())
    return (*project, *fixtures)


@dataclass(frozen=True)
class Case:
    name: str
    kind: str  # the change kind the edit produces (graphql-core's, or this project's)
    new: tuple[Edit, ...]
    expected: dict[str, str] = field(default_factory=dict)
    old: tuple[Edit, ...] = ()


MONEY_IS_NODE = (edit("MoneyV2", "type MoneyV2 {", "type MoneyV2 implements Node {\n  id: ID!"),)

CASES = [
    # graphql-core: breaking
    Case(
        "type removed: Video (ProductCard spreads on it)",
        "TYPE_REMOVED",
        (
            remove("Video"),
            edit("MetafieldReference", " | Video", ""),
        ),
        # Products (fixture project) reads metafield references through its ProductCard fragment
        {"ProductCard": "breaks", "Products": "at_risk"},
    ),
    Case(
        "type changed kind: enum SearchType becomes a scalar",
        "TYPE_CHANGED_KIND",
        (remove("SearchType"), add("scalar SearchType")),
        {"SearchResults": "breaks"},
    ),
    Case(
        "union member removed, with a fragment on it",
        "TYPE_REMOVED_FROM_UNION",
        (edit("SearchResultItem", "Article | ", ""),),
        {"SearchResults": "breaks"},
    ),
    Case(
        "union member removed, read without a fragment on it",
        "TYPE_REMOVED_FROM_UNION",
        (edit("SearchResultItem", " | Page", ""),),
        {"SearchResults": "at_risk"},
    ),
    Case(
        "enum value removed from an enum sent through a variable (also nested in CartInput)",
        "VALUE_REMOVED_FROM_ENUM",
        (drop("CountryCode", "AC"),),
        {"Localization": "breaks", "CartCreate": "breaks"},
    ),
    Case(
        "enum value removed from an enum only sent as literals the operation does not use",
        "VALUE_REMOVED_FROM_ENUM",
        (drop("SearchType", "PAGE"),),
        {},
    ),
    Case(
        "enum value removed from an enum only read",
        "VALUE_REMOVED_FROM_ENUM",
        (drop("CustomerErrorCode", "UNIDENTIFIED_CUSTOMER"),),
        {"customerAccessTokenCreate": "at_risk"},
    ),
    Case(
        "required input field added to a nested input sent through a variable",
        "REQUIRED_INPUT_FIELD_ADDED",
        (
            edit(
                "CartLineInput", "  merchandiseId: ID!", "  merchandiseId: ID!\n  giftNote: String!"
            ),
        ),
        {"CartCreate": "breaks"},
    ),
    Case(
        "interface removed, with a fragment on the type",
        "IMPLEMENTED_INTERFACE_REMOVED",
        (edit("Video", "implements Media & Node", "implements Node"),),
        {"ProductCard": "breaks"},
    ),
    Case(
        "interface removed, read through the interface without a fragment on the type",
        "IMPLEMENTED_INTERFACE_REMOVED",
        (edit("Page", "implements HasMetafields & Node &", "implements HasMetafields &"),),
        {"NodeById": "at_risk"},
    ),
    Case(
        "selected field removed",
        "FIELD_REMOVED",
        (drop("Product", "vendor"),),
        {"ProductCard": "breaks"},
    ),
    Case(
        "input field renamed, reached only through a variable",
        "FIELD_REMOVED",
        (edit("CartLineInput", "  quantity: Int = 1", "  amount: Int = 1"),),
        {"CartCreate": "breaks"},
    ),
    Case(
        "selected field becomes nullable",
        "FIELD_CHANGED_KIND",
        (edit("Product", "  title: String!", "  title: String"),),
        {
            "ProductCard": "breaks",
            "SearchResults": "breaks",
            "NodeById": "breaks",
            "CollectionProducts": "breaks",
            "Products": "breaks",
        },
    ),
    Case(
        "selected field's object type replaced by another of the same shape",
        "FIELD_CHANGED_KIND",
        (
            add("type PriceRangeV2 { maxVariantPrice: MoneyV2! minVariantPrice: MoneyV2! }"),
            edit("Product", "  priceRange: ProductPriceRange!", "  priceRange: PriceRangeV2!"),
        ),
        {"ProductCard": "at_risk", "Products": "at_risk"},
    ),
    Case(
        "input field becomes required",
        "FIELD_CHANGED_KIND",
        (edit("CartLineInput", "  sellingPlanId: ID", "  sellingPlanId: ID!"),),
        {"CartCreate": "breaks"},
    ),
    Case(
        "required argument added to a selected field",
        "REQUIRED_ARG_ADDED",
        (
            edit(
                "QueryRoot",
                "  localization: Localization!",
                "  localization(market: ID!): Localization!",
            ),
        ),
        {"Localization": "breaks"},
    ),
    Case(
        "passed argument removed",
        "ARG_REMOVED",
        (drop_arg("QueryRoot", "search", "types"),),
        {"SearchResults": "breaks"},
    ),
    Case(
        "passed argument changes type",
        "ARG_CHANGED_KIND",
        (edit("Collection", "    first: Int\n", "    first: Float\n", after="  products("),),
        {"CollectionProducts": "breaks"},
    ),
    Case(
        "directive removed",
        "DIRECTIVE_REMOVED",
        (remove("inContext"),),
        {"Localization": "breaks"},
    ),
    Case(
        "directive argument removed",
        "DIRECTIVE_ARG_REMOVED",
        (drop("inContext", "country"),),
        {"Localization": "breaks"},
    ),
    Case(
        "required directive argument added",
        "REQUIRED_DIRECTIVE_ARG_ADDED",
        (edit("inContext", "directive @inContext(", "directive @inContext(\n  market: ID!"),),
        {"Localization": "breaks"},
    ),
    Case(
        "directive no longer repeatable (used once)",
        "DIRECTIVE_REPEATABLE_REMOVED",
        (),
        {},
        old=(edit("inContext", ") on MUTATION", ") repeatable on MUTATION"),),
    ),
    Case(
        "directive location removed where the operation does not use it",
        "DIRECTIVE_LOCATION_REMOVED",
        (edit("inContext", "on MUTATION | QUERY", "on QUERY"),),
        {},
    ),
    Case(
        "directive location removed where the operation uses it",
        "DIRECTIVE_LOCATION_REMOVED",
        (edit("inContext", "on MUTATION | QUERY", "on MUTATION"),),
        {"Localization": "breaks"},
    ),
    # graphql-core: dangerous
    Case(
        "enum value added to an enum read",
        "VALUE_ADDED_TO_ENUM",
        (edit("MediaContentType", "\n  VIDEO\n", "\n  VIDEO\n  HOLOGRAM\n"),),
        {"ProductCard": "tolerated"},
    ),
    Case(
        "enum value added to an enum only sent",
        "VALUE_ADDED_TO_ENUM",
        (edit("SearchType", "\n  PAGE\n", "\n  PAGE\n  COLLECTION\n"),),
        {},
    ),
    Case(
        "union member added to a union read",
        "TYPE_ADDED_TO_UNION",
        (edit("SearchResultItem", " | Product", " | Product | Collection"),),
        {"SearchResults": "tolerated"},
    ),
    Case(
        "union member added to a union read under a fragment on another member",
        "TYPE_ADDED_TO_UNION",
        (
            add("type GiftCardMerchandise { id: ID! }"),
            edit("Merchandise", "= ProductVariant", "= ProductVariant | GiftCardMerchandise"),
        ),
        {"CartCreate": "tolerated"},
    ),
    Case(
        "optional input field added to a nested input sent",
        "OPTIONAL_INPUT_FIELD_ADDED",
        (
            edit(
                "CartLineInput", "  merchandiseId: ID!", "  merchandiseId: ID!\n  giftNote: String"
            ),
        ),
        {"CartCreate": "tolerated"},
    ),
    Case(
        "optional argument added to a selected field",
        "OPTIONAL_ARG_ADDED",
        (
            edit(
                "QueryRoot",
                "  localization: Localization!",
                "  localization(market: ID): Localization!",
            ),
        ),
        {"Localization": "tolerated"},
    ),
    Case(
        "interface added to a type whose fields are selected, not read through it",
        "IMPLEMENTED_INTERFACE_ADDED",
        (
            add("interface Priced { price: MoneyV2! }"),
            edit(
                "ProductVariant",
                "implements HasMetafields & Node",
                "implements HasMetafields & Node & Priced",
            ),
        ),
        {},
    ),
    Case(
        "interface added: the operation reads the interface",
        "IMPLEMENTED_INTERFACE_ADDED",
        MONEY_IS_NODE,
        {"NodeById": "tolerated"},
    ),
    Case(
        "argument default changed, the argument left out",
        "ARG_DEFAULT_VALUE_CHANGE",
        (
            edit(
                "QueryRoot",
                "sortKey: SearchSortKeys = RELEVANCE",
                "sortKey: SearchSortKeys = PRICE",
                after="  search(",
            ),
        ),
        {"SearchResults": "at_risk"},
    ),
    Case(
        "argument default changed, passed through a nullable variable",
        "ARG_DEFAULT_VALUE_CHANGE",
        (
            edit(
                "Collection",
                "sortKey: ProductCollectionSortKeys = COLLECTION_DEFAULT",
                "sortKey: ProductCollectionSortKeys = BEST_SELLING",
                after="  products(",
            ),
        ),
        {"CollectionProducts": "at_risk"},
    ),
    # not reported by graphql-core (this project's kinds)
    Case(
        "selected field becomes non-null",
        "FIELD_BECAME_NON_NULL",
        (edit("Image", "  altText: String", "  altText: String!"),),
        {"ProductCard": "tolerated", "Products": "tolerated"},
    ),
    Case(
        "selected field deprecated",
        "FIELD_DEPRECATED",
        (
            edit(
                "Product",
                "  vendor: String!",
                '  vendor: String! @deprecated(reason: "Use brand.")',
            ),
        ),
        {"ProductCard": "tolerated"},
    ),
    Case(
        "input field default changed",
        "INPUT_FIELD_DEFAULT_VALUE_CHANGE",
        (edit("CartLineInput", "  quantity: Int = 1", "  quantity: Int = 2"),),
        {"CartCreate": "at_risk"},
    ),
]


def verdicts(report: DiffReport) -> dict[str, str]:
    return {o.operation: o.verdict for o in report.operations if o.verdict != "unaffected"}


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_one_change_variant(case: Case) -> None:
    old = build(case.old) if case.old else base()
    report = diff_schemas(
        old,
        build(case.new),
        old_label="storefront 2024-10",
        new_label=case.name,
        operations=list(operations("storefront")),
    )
    assert case.kind in {c.kind for c in report.changes}, [c.kind for c in report.changes]
    assert verdicts(report) == case.expected
    assert len(report.operations) == 9  # 3 in the fixture project, 6 in tests/fixtures/drift


CONFORMANCE = ROOT / "tests" / "conformance" / "operations"


@functools.cache
def all_operations(api: str) -> tuple[OperationFile, ...]:
    """The project's, the drift fixtures' and the conformance corpus's operations."""
    conformance = read_operation_folder(CONFORMANCE / api, lambda p: p.relative_to(ROOT).as_posix())
    return (*operations(api), *conformance)


# Per file (stem, with its folder when the name is not unique), the verdict of every
# operation that is not "unaffected". Checked by hand once against the reasons.
REAL_PAIRS: list[tuple[str, str, str, str, dict[str, str]]] = [
    (
        "storefront",
        "2024-01",
        "2024-10",
        "CartBuyerIdentityInput.walletPreferences was removed.",
        {
            # Model3d added to MetafieldReference
            "project/queries/storefront/products": "tolerated",
            "drift/storefront/cart_create": "breaks",  # sends CartBuyerIdentityInput
            "drift/storefront/product_card": "tolerated",  # ProductOption.values deprecated
            "conformance/operations/storefront/menu": "tolerated",
            # written for 2024-10: fields 2024-01 does not have
            "conformance/operations/storefront/cart_buyer_identity_update": "not_checked",
            "conformance/operations/storefront/cart_create": "not_checked",
            "conformance/operations/storefront/cart_lines_add": "not_checked",
            "conformance/operations/storefront/cart_lines_update": "not_checked",
            "conformance/operations/storefront/collection_by_handle": "not_checked",
            "conformance/operations/storefront/product_by_handle": "not_checked",
            "conformance/operations/storefront/shop_pay_payment_request_session_create": (
                "not_checked"
            ),
        },
    ),
    (
        "storefront",
        "2024-10",
        "2026-04",
        "CartBuyerIdentityInput.deliveryAddressPreferences was removed.",
        {
            # Article added to MetafieldReference
            "project/queries/storefront/products": "tolerated",
            "drift/storefront/cart_create": "breaks",
            "conformance/operations/storefront/cart_buyer_identity_update": "breaks",
            "conformance/operations/storefront/cart_create": "breaks",
            "conformance/operations/storefront/cart_lines_add": "tolerated",
            "conformance/operations/storefront/cart_lines_update": "tolerated",
            "conformance/operations/storefront/collection_by_handle": "tolerated",
            "conformance/operations/storefront/localization": "tolerated",
            "conformance/operations/storefront/product_by_handle": "tolerated",
            "conformance/operations/storefront/search": "tolerated",
        },
    ),
    (
        "admin",
        "2024-01",
        "2024-10",
        "ProductAppendImagesInput was removed.",
        {
            "conformance/operations/admin/customers": "breaks",  # sends CustomerSortKeys
            "conformance/operations/admin/discount_code_basic_create": "tolerated",
            "conformance/operations/admin/event_bridge_webhook_subscription_create": ("tolerated"),
            "conformance/operations/admin/gift_card_create": "tolerated",
            "conformance/operations/admin/marketing_engagement_create": "breaks",
            "conformance/operations/admin/metafield_definitions": "breaks",
            "conformance/operations/admin/metafields_set": "at_risk",
            "conformance/operations/admin/order": "tolerated",
            "conformance/operations/admin/orders": "tolerated",
            "conformance/operations/admin/product": "at_risk",
            "conformance/operations/admin/product_create": "breaks",
            "conformance/operations/admin/product_variants_bulk_update": "breaks",
            "conformance/operations/admin/products": "tolerated",
            "conformance/operations/admin/webhook_subscription_create": "tolerated",
            "conformance/operations/admin/webhook_subscriptions": "tolerated",
        },
    ),
    (
        "admin",
        "2024-10",
        "2026-04",
        # The false alarm of issue 12: no field the operations select returns it.
        "HasMetafieldDefinitions added to interfaces implemented by Shop.",
        {
            "project/queries/admin/products": "tolerated",  # ProductStatus gained UNLISTED
            "drift/admin/shop_info": "tolerated",  # CurrencyCode gained USDC
            # BulkOperationRunQueryPayload.userErrors: UserError -> BulkOperationUserError
            "conformance/operations/admin/bulk_operation_run_query": "at_risk",
            "conformance/operations/admin/code_discount_nodes": "tolerated",
            "conformance/operations/admin/current_app_installation": "tolerated",
            "conformance/operations/admin/current_bulk_operation": "tolerated",
            "conformance/operations/admin/customer_create": "breaks",
            "conformance/operations/admin/customer_segment_members": "tolerated",
            "conformance/operations/admin/customers": "tolerated",
            "conformance/operations/admin/discount_code_basic_create": "breaks",
            "conformance/operations/admin/event_bridge_webhook_subscription_create": ("tolerated"),
            "conformance/operations/admin/gift_card_create": "tolerated",
            "conformance/operations/admin/inventory_items": "tolerated",
            # does not validate on 2024-10 already (written for 2024-01)
            "conformance/operations/admin/marketing_engagement_create": "not_checked",
            "conformance/operations/admin/metafield_definitions": "at_risk",
            "conformance/operations/admin/metafields_set": "tolerated",
            "conformance/operations/admin/order": "tolerated",
            "conformance/operations/admin/orders": "tolerated",
            "conformance/operations/admin/product": "tolerated",
            "conformance/operations/admin/product_create": "not_checked",
            "conformance/operations/admin/product_variants_bulk_update": "tolerated",
            "conformance/operations/admin/products": "tolerated",
            "conformance/operations/admin/shop_info": "tolerated",
            "conformance/operations/admin/web_pixel_create": "tolerated",
            "conformance/operations/admin/webhook_subscription_create": "breaks",
            "conformance/operations/admin/webhook_subscriptions": "breaks",
        },
    ),
]


def _key(display: str) -> str:
    return display.removeprefix("tests/").removeprefix("fixtures/").removesuffix(".graphql")


@pytest.mark.parametrize(
    ("api", "old", "new", "change", "expected"),
    REAL_PAIRS,
    ids=[f"{a}-{o}-{n}" for a, o, n, _, _ in REAL_PAIRS],
)
def test_real_schema_pair(
    api: str, old: str, new: str, change: str, expected: dict[str, str]
) -> None:
    report = diff_schemas(
        load_schema(ROOT / "schema" / api / f"{old}.json"),
        load_schema(ROOT / "schema" / api / f"{new}.json"),
        old_label=f"{api}@{old}",
        new_label=f"{api}@{new}",
        operations=list(all_operations(api)),
    )
    assert change in {c.description for c in report.changes}
    found = {_key(o.file): o.verdict for o in report.operations if o.verdict != "unaffected"}
    assert found == expected
    # The fixture project's operations: never broken by the versions it validates against.
    assert not [
        o
        for o in report.operations
        if o.file.startswith("tests/fixtures/project/") and o.verdict in ("breaks", "not_checked")
    ]


def test_every_graphql_core_change_kind_has_a_case() -> None:
    from graphql import BreakingChangeType, DangerousChangeType

    known = {k.name for k in BreakingChangeType} | {k.name for k in DangerousChangeType}
    assert known <= {c.kind for c in CASES}


def test_corpus_operations_are_the_fixture_files() -> None:
    names = sorted(p.name for p in (DRIFT_OPS / "storefront").glob("*.graphql"))
    assert "fragments.graphql" in names and len(names) == 7
