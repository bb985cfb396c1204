"""Building a request: the mutation check (fail-safe), the body, the secret values."""

from __future__ import annotations

import httpx
import pytest

from shopify_client import ServerError
from shopify_client._request import is_mutation, prepare
from shopify_client.testing import STOREFRONT_TOKEN
from shopify_storefront import Client as StorefrontClient
from shopify_storefront import CustomerAccessTokenCreateInput


@pytest.mark.parametrize(
    ("document", "mutation"),
    [
        ("fragment F on Customer { id }\nmutation M { x { ...F } }", True),
        ("query A { a }\nmutation B { x }", True),
        ("\ufeffmutation B { x }", True),
        ("# a comment\n  mutation M { x }", True),
        # GraphQL ends a comment at a bare CR too (spec: LineTerminator).
        ("# x\rmutation M { x }", True),
        ("# x\r\nmutation M { x }", True),
        ('query q { a(s: "x") }\r# c\rmutation M { x }', True),
        ('query q($a: In = {b: "mutation"}) { x(s: """mutation { """) }', False),
        ("query q { mutation }", False),
        ("{ shop { name } }", False),
    ],
)
def test_a_document_holding_a_mutation_is_treated_as_one(document: str, mutation: bool) -> None:
    assert is_mutation(document) is mutation


def test_a_mutation_after_a_bare_cr_comment_is_sent_once_after_a_502() -> None:
    seen: list[httpx.Request] = []

    def handle(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(502, text="bad gateway")

    client = StorefrontClient(
        endpoint="https://s.myshopify.com/api/2024-10/graphql.json",
        access_token=STOREFRONT_TOKEN,
        http_client=httpx.Client(transport=httpx.MockTransport(handle)),
    )
    with client, pytest.raises(ServerError):
        client.execute("# x\rmutation M { customerCreate { id } }", "M")
    assert len(seen) == 1


def test_secret_values_are_the_sensitive_variables_only() -> None:
    request = prepare(
        "mutation M($input: CustomerAccessTokenCreateInput!) { x }",
        "M",
        {
            "input": CustomerAccessTokenCreateInput(email="a@example.com", password="hunter2!"),
            "tokens": ["tok-one", "tok-two"],
            "note": "public",
        },
    )
    assert set(request.secret_values) == {"hunter2!", "tok-one", "tok-two"}


def test_no_variables_no_secret_values() -> None:
    assert prepare("{ shop { name } }", None, None).secret_values == ()


def test_a_prepared_request_repr_leaves_the_body_and_its_secrets_out() -> None:
    request = prepare(
        "mutation customerAccessTokenCreate($input: CustomerAccessTokenCreateInput!) { x }",
        "customerAccessTokenCreate",
        {"input": {"email": "a@example.com", "password": "hunter2-secret"}},
    )
    shown = repr(request)
    assert "customerAccessTokenCreate" in shown and "mutation=True" in shown
    assert "hunter2-secret" not in shown and "a@example.com" not in shown
    assert request.secret_values == ("hunter2-secret",)  # still found for scrubbing


# -- the scan is linear, and the generated methods skip it (issue 21, item 19) ----------

#: lines the old pattern rescanned from every quote to the end of the line (quadratic:
#: 32 KB took 2.1 s); what they have in common is a string without its closing quote
HOSTILE = [
    '\\" ' * 300,
    '"a\\"' * 300,
    '"{{\\' * 300,
    '"""' + '\\"  ' * 300,
    '"' + ' \\"' * 300,
]


@pytest.mark.parametrize("document", HOSTILE, ids=range(len(HOSTILE)))
def test_a_token_that_begins_always_matches_so_nothing_is_read_twice(document: str) -> None:
    """The scanner's linear-time property, without a clock: at every position where a
    token may begin, the pattern matches (an alternative that can fail after reading
    on makes the scanner read the same characters again from the next position)."""
    from shopify_client._request import _tokens

    pattern = _tokens()
    starts = [i for i, c in enumerate(document) if c in '"#{}' or c.isalpha() or c == "_"]
    assert starts
    assert all(pattern.match(document, i) is not None for i in starts)
    assert is_mutation(document) is True  # an unterminated string: fail-safe


@pytest.mark.parametrize(
    ("document", "mutation"),
    [
        ('query q { a(s: "open) }\nmutation M { x }', True),
        ('query q { a(s: """open) }', True),
        ('query q { a(s: "x\\\nmutation") }', True),  # a backslash cannot escape a line end
        ('query q { a(s: "\\"mutation\\"") }', False),
        ('query q { a(s: """ \\""" mutation """) }', False),
        ('query q { a(s: """ "" """) }\nmutation M { x }', True),
    ],
)
def test_strings_and_the_fail_safe_answer(document: str, mutation: bool) -> None:
    assert is_mutation(document) is mutation


def test_megabytes_of_hostile_documents_scan_in_a_fresh_interpreter() -> None:
    """Scaled up 128 times from the issue's 32 KB: a quadratic scan would take hours
    and run into run_fresh's 60 s bound; a linear one takes a fraction of a second."""
    from tests.conftest import run_fresh

    assert run_fresh(
        """
        import json
        from shopify_client._request import is_mutation
        line = '\\\\" ' * 1_400_000
        print(json.dumps([is_mutation(line), is_mutation(line + "\\nmutation M { x }")]))
        """
    ) == [True, True]


def test_a_generated_method_passes_its_operation_type_and_is_not_scanned(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    import shopify_client._request as request_module

    scanned: list[str] = []

    def scan(query: str) -> bool:
        scanned.append(query)
        return True

    monkeypatch.setattr(request_module, "_scan", scan)
    monkeypatch.setattr(request_module, "_scan_cached", scan)
    seen: list[httpx.Request] = []

    def handle(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(502, text="bad gateway")

    client = StorefrontClient(
        endpoint="https://s.myshopify.com/api/2024-10/graphql.json",
        access_token=STOREFRONT_TOKEN,
        max_retries=1,
        http_client=httpx.Client(transport=httpx.MockTransport(handle)),
    )
    with client:
        with pytest.raises(ServerError):
            client.customer(customer_access_token="tok")  # a query: retried after a 502
        assert len(seen) == 2
        with pytest.raises(ServerError):
            client.customer_access_token_create(
                input=CustomerAccessTokenCreateInput(email="a@example.com", password="pw-123")
            )  # a mutation: sent once
        assert len(seen) == 3
        assert scanned == []  # neither document was scanned
        with pytest.raises(ServerError):
            client.execute("mutation M { x }", "M")  # hand-written: scanned, sent once
        assert len(seen) == 4
        assert scanned == ["mutation M { x }"]


@pytest.mark.parametrize("operation_type", ["Mutation", "write", 3, b"query"])
def test_an_unknown_operation_type_is_refused_before_sending(operation_type: object) -> None:
    from shopify_client import ConfigurationError

    with pytest.raises(ConfigurationError, match="operation_type must be"):
        prepare("{ shop { name } }", None, None, operation_type)  # type: ignore[arg-type]


def test_an_explicit_operation_type_decides() -> None:
    assert prepare("mutation M { x }", "M", None, "query").is_mutation is False
    assert prepare("{ shop { name } }", None, None, "mutation").is_mutation is True
    assert prepare("{ shop { name } }", None, None, "subscription").is_mutation is False
    assert prepare("mutation M { x }", "M", None).is_mutation is True  # scanned
