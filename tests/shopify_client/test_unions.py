"""The discriminator that sends unknown ``__typename``s to the fallback model."""

from __future__ import annotations

from types import SimpleNamespace

from shopify_client import typename_discriminator


def test_known_typenames_get_their_tag_and_others_the_fallback() -> None:
    pick = typename_discriminator({"Product": "OpProduct", "Collection": "OpCollection"}, "OpNode")
    assert pick({"__typename": "Product"}) == "OpProduct"
    assert pick({"__typename": "Collection"}) == "OpCollection"
    assert pick({"__typename": "Article"}) == "OpNode"  # added to the schema later


def test_a_missing_or_odd_typename_goes_to_the_fallback_which_then_rejects_it() -> None:
    pick = typename_discriminator({"Product": "OpProduct"}, "OpNode")
    assert pick({}) == "OpNode"
    assert pick({"__typename": ["Product"]}) == "OpNode"
    assert pick("not a dict") == "OpNode"


def test_model_instances_are_discriminated_by_their_attribute() -> None:
    pick = typename_discriminator({"Product": "OpProduct"}, "OpNode")
    assert pick(SimpleNamespace(typename__="Product")) == "OpProduct"
    assert pick(SimpleNamespace(typename__="Video")) == "OpNode"


def test_the_mapping_is_copied() -> None:
    tags = {"Product": "OpProduct"}
    pick = typename_discriminator(tags, "OpNode")
    tags["Video"] = "OpVideo"
    assert pick({"__typename": "Video"}) == "OpNode"
