"""Request bodies: optional variables left out, input models sent as set, bad values typed."""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal

import pydantic
import pytest

from shopify_client import UNSET, InvalidVariablesError, ShopifyError, UnsetType
from shopify_client._variables import encode_request
from shopify_storefront import CustomerAccessTokenCreateInput, CustomerErrorCode
from shopify_storefront.base_model import UNSET as GENERATED_UNSET
from shopify_storefront.base_model import BaseModel as GeneratedBaseModel


def body(variables: dict[str, object] | None) -> dict[str, object]:
    decoded: dict[str, object] = json.loads(
        encode_request("query Q { shop { name } }", "Q", variables)
    )
    return decoded


def test_the_generated_packages_share_the_runtime_sentinel() -> None:
    assert GENERATED_UNSET is UNSET
    assert UnsetType() is UNSET
    assert not UNSET
    assert repr(UNSET) == "UNSET"


def test_an_unset_variable_is_left_out_and_none_is_sent_as_null() -> None:
    sent = body({"after": UNSET, "first": 10, "query": None})
    assert sent["variables"] == {"first": 10, "query": None}


def test_only_unset_variables_means_no_variables_key() -> None:
    sent = body({"after": UNSET, "sortKey": UNSET})
    assert "variables" not in sent
    assert sent == {"query": "query Q { shop { name } }", "operationName": "Q"}


def test_input_models_send_only_the_fields_that_were_set() -> None:
    partial = CustomerAccessTokenCreateInput.model_construct(email="a@example.com")
    assert body({"input": partial})["variables"] == {"input": {"email": "a@example.com"}}


def test_nested_input_models_leave_out_unset_fields_at_every_depth() -> None:
    from pydantic import BaseModel

    class Line(BaseModel):
        merchandiseId: str
        quantity: int | None = None

    class Cart(BaseModel):
        note: str | None = None
        lines: list[Line] | None = None

    cart = Cart(
        lines=[
            Line(merchandiseId="gid://shopify/ProductVariant/1"),
            Line(merchandiseId="v2", quantity=None),
        ]
    )
    assert body({"input": cart})["variables"] == {
        "input": {
            "lines": [
                {"merchandiseId": "gid://shopify/ProductVariant/1"},
                {"merchandiseId": "v2", "quantity": None},
            ]
        }
    }


def test_scalars_enums_and_lists_are_encoded() -> None:
    sent = body(
        {
            "at": dt.datetime(2024, 1, 2, 3, 4, 5, tzinfo=dt.UTC),
            "day": dt.date(2024, 1, 2),
            "price": Decimal("10.50"),
            "code": CustomerErrorCode.UNIDENTIFIED_CUSTOMER,
            "ids": ["gid://shopify/Product/1", "gid://shopify/Product/2"],
        }
    )
    assert sent["variables"] == {
        "at": "2024-01-02T03:04:05+00:00",
        "day": "2024-01-02",
        "price": "10.50",
        "code": "UNIDENTIFIED_CUSTOMER",
        "ids": ["gid://shopify/Product/1", "gid://shopify/Product/2"],
    }


@pytest.mark.parametrize(
    ("value", "problem"),
    [
        (object(), "type object cannot be sent"),
        ({1, 2}, "type set cannot be sent"),
        (b"bytes", "type bytes cannot be sent"),
        (float("nan"), "not JSON"),
        (float("inf"), "not JSON"),
    ],
)
def test_a_value_that_cannot_be_sent_is_a_typed_error_naming_the_variable(
    value: object, problem: str
) -> None:
    with pytest.raises(InvalidVariablesError) as info:
        body({"first": 1, "password": value})
    assert isinstance(info.value, ShopifyError)
    assert isinstance(info.value, TypeError)  # what callers caught before
    assert info.value.variable == "password"
    assert "$password of Q" in str(info.value)
    assert problem in str(info.value)
    assert info.value.__cause__ is None
    assert info.value.__suppress_context__


def test_a_circular_value_is_a_typed_error() -> None:
    loop: list[object] = []
    loop.append(loop)
    with pytest.raises(InvalidVariablesError, match=r"\$ids"):
        body({"ids": loop})


def test_variables_that_are_not_a_mapping_are_a_typed_error() -> None:
    with pytest.raises(InvalidVariablesError, match="mapping"):
        encode_request("query Q { shop { name } }", "Q", [("a", 1)])  # type: ignore[arg-type]


def test_a_secret_value_is_never_in_the_message() -> None:
    class Secret:
        def __repr__(self) -> str:
            return "hunter2-secret"

    with pytest.raises(InvalidVariablesError) as info:
        body({"password": Secret()})
    assert "hunter2" not in str(info.value)


# -- the one-pass encoder of generated input models --------------------------------------


def _both_ways(value: object) -> tuple[str, str]:
    """(what the one-pass path writes, what the general path writes)."""
    from shopify_client import _variables

    fast = _variables._model_json(value)  # type: ignore[arg-type]
    assert fast is not None, "the one-pass path declined"
    return fast, _variables._encode_variable("input", value, "Q")


def test_generated_input_models_encode_in_one_pass_to_the_same_json() -> None:
    from tests.conformance.expected.corpus_admin import enums
    from tests.conformance.expected.corpus_admin import input_types as admin

    tricky = ["plain", "jé", "😀", 'a\nb\t"c"\\', "\x00\x1f\x7f", "\u2028", "</script>"]
    for text in tricky:
        customer = admin.CustomerInput(
            first_name=text,
            tags=[text, "b"],
            metafields=[
                admin.MetafieldInput(
                    key="k", namespace="n", type_="single_line_text_field", value=text
                )
            ],
            email_marketing_consent=admin.CustomerEmailMarketingConsentInput(
                marketing_state=enums.CustomerEmailMarketingState.SUBSCRIBED,
                consent_updated_at=dt.datetime(2024, 10, 1, 12, 0, tzinfo=dt.UTC),
            ),
        )
        fast, general = _both_ways(customer)
        assert json.loads(fast) == json.loads(general)
        assert fast.isascii()  # escaped as the general path escapes
    pixel = admin.WebPixelInput(settings={"a": [1, "é", None, 1.5, {"b": True}]})
    fast, general = _both_ways(pixel)
    assert (
        json.loads(fast)
        == json.loads(general)
        == {"settings": {"a": [1, "é", None, 1.5, {"b": True}]}}
    )
    value = admin.DiscountCustomerGetsValueInput(
        percentage=0.15, discount_amount=admin.DiscountAmountInput(amount=Decimal("10.50"))
    )
    fast, general = _both_ways(value)
    assert (
        json.loads(fast)
        == json.loads(general)
        == {
            "percentage": 0.15,
            "discountAmount": {"amount": "10.50"},
        }
    )


def test_a_nan_in_a_generated_input_model_is_still_refused() -> None:
    from tests.conformance.expected.corpus_admin import input_types as admin

    for bad in (float("nan"), float("inf"), float("-inf")):
        value = admin.DiscountCustomerGetsValueInput(percentage=bad)
        with pytest.raises(InvalidVariablesError, match=r"\$input"):
            encode_request("mutation M($input: X!) { x }", "M", {"input": value})


def test_a_string_holding_nan_is_sent_as_it_is() -> None:
    # "NaN" in the one-pass output sends the model down the general path: same JSON.
    sent = body({"input": CustomerAccessTokenCreateInput(email="NaN", password="Infinity")})
    assert sent["variables"] == {"input": {"email": "NaN", "password": "Infinity"}}


def test_plain_values_skip_the_general_encoder_and_write_the_same_json() -> None:
    values = {"s": 'jé\n"x"', "i": 12, "b": True, "f": False, "n": None, "big": 2**70}
    sent = encode_request("query Q { x }", "Q", values).decode()
    assert json.loads(sent)["variables"] == values
    assert sent.isascii()


def test_an_integer_too_long_to_write_is_a_typed_error() -> None:
    # int.__repr__ refuses more than sys.get_int_max_str_digits() digits (ValueError).
    with pytest.raises(InvalidVariablesError, match=r"\$first"):
        encode_request("query Q { x }", "Q", {"first": 10**5000})


def test_the_one_pass_path_writes_the_same_bytes_as_the_general_path() -> None:
    # json's ensure_ascii escapes DEL (U+007F); pydantic's leaves it raw.
    value = CustomerAccessTokenCreateInput(email="a\x7fb", password="p")
    fast, general = _both_ways(value)
    assert fast == general == '{"email":"a\\u007fb","password":"p"}'


class _ForeignModel(pydantic.BaseModel):
    """Not generated: pydantic's default writes its NaN as null."""

    ratio: float


class _GeneratedWithForeign(GeneratedBaseModel):
    inner: _ForeignModel


def test_a_nan_in_a_model_of_another_class_inside_a_generated_one_is_refused() -> None:
    # ser_json_inf_nan is each class's own setting: the one-pass path sent null here,
    # where the general path refuses the NaN.
    value = _GeneratedWithForeign(inner=_ForeignModel(ratio=float("nan")))
    with pytest.raises(InvalidVariablesError, match=r"\$input"):
        encode_request("mutation M($input: X!) { x }", "M", {"input": value})


def test_a_secret_of_the_wrong_type_never_reaches_a_warning() -> None:
    # model_construct skips validation; pydantic's serializer would warn quoting the
    # value (input_value=b'...'), and warnings end up in logs.
    import warnings

    secret = b"hunter2-secret-bytes"
    value = CustomerAccessTokenCreateInput.model_construct(email="a@example.com", password=secret)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        encode_request("mutation M($input: X!) { x }", "M", {"input": value})
        from shopify_client._variables import _encode_variable

        _encode_variable("input", value, "M")  # the general path too
    assert not [w for w in caught if "hunter2" in str(w.message)]
