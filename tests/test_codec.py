"""One codec for findings, page records and dynamic references: the results file and the
crawl-state journal write and read them with the same functions, losslessly."""

from __future__ import annotations

import json
from dataclasses import fields

import pytest
from report_samples import SAMPLES

from linkguard.model import Finding
from linkguard.results import to_dict
from linkguard.results.codec import (
    _flat_json,
    _indented,
    dynamic_from_dict,
    dynamic_to_dict,
    finding_from_dict,
    finding_to_dict,
    page_from_dict,
    page_to_dict,
)


@pytest.mark.parametrize("sample", sorted(SAMPLES))
def test_every_item_survives_a_trip_through_json(sample: str) -> None:
    result = SAMPLES[sample]()
    for item in (*result.findings, *result.suppressed):
        assert finding_from_dict(json.loads(json.dumps(finding_to_dict(item)))) == item
    for page in result.pages:
        assert page_from_dict(json.loads(json.dumps(page_to_dict(page)))) == page
    for reference in result.dynamic:
        assert dynamic_from_dict(json.loads(json.dumps(dynamic_to_dict(reference)))) == reference


@pytest.mark.parametrize("sample", sorted(SAMPLES))
def test_the_results_file_lists_items_as_the_codec_writes_them(sample: str) -> None:
    result = SAMPLES[sample]()
    data = to_dict(result)
    assert data["findings"] == [
        finding_to_dict(f) for f in sorted(result.findings, key=Finding.sort_key)
    ]
    assert data["pages"] == [page_to_dict(p) for p in sorted(result.pages, key=lambda p: p.url)]
    assert len(data["dynamic"]) == len(result.dynamic)


def test_a_finding_is_every_field_in_declaration_order_with_its_severity_as_text() -> None:
    """The order is the contract's, and journals written before the codec was shared read
    the same way."""
    finding = SAMPLES["failing"]().findings[0]
    data = finding_to_dict(finding)
    assert list(data) == [f.name for f in fields(Finding)]
    assert data["severity"] == str(finding.severity) and type(data["severity"]) is str


def test_browser_evidence_cookies_and_storage_survive_the_results_file() -> None:
    """What browser mode adds (a finding's evidence and chain, the inventory's ``seen``, the
    cookies and storage lists) is read back as it was written."""
    from dataclasses import replace

    from linkguard.model import Cookie, Severity, StorageItem, ThirdParty
    from linkguard.results import from_json, to_json

    result = SAMPLES[sorted(SAMPLES)[0]]()
    finding = Finding(
        rule="undeclared-script", severity=Severity.ERROR, page="https://www.example.com/",
        line=0, target="https://px.example.net/p.js", host="px.example.net",
        element="script GET (browser)", message="m", kind="script", fingerprint="f" * 16,
        evidence="browser", chain=("https://tags.example.net/gtm.js", "https://www.example.com/"),
    )  # fmt: skip
    cookie = Cookie(
        name="_ga", domain=".example.com", path="/", party="first", session=False,
        lifetime=63072000, secure=False, http_only=False, same_site="Lax",
        set_by="https://tags.example.net/gtm.js", set_how="script", declared_by="GA",
        page="https://www.example.com/", pages=3,
    )  # fmt: skip
    item = StorageItem(origin="https://www.example.com", area="local", key="k", size=4,
                       party="first", page="https://www.example.com/", pages=1)  # fmt: skip
    party = ThirdParty(host="px.example.net", site="example.net", name=None, declared=False,
                       kinds=("script",), pages=1, seen=("browser", "html"))  # fmt: skip
    grown = replace(
        result, findings=(*result.findings, finding), third_parties=(party,),
        cookies=(cookie,), storage=(item,),
    )  # fmt: skip
    back = from_json(to_json(grown))
    assert finding in back.findings
    assert back.third_parties == (party,)
    assert (back.cookies, back.storage) == ((cookie,), (item,))


def test_static_fingerprints_are_unchanged_by_browser_mode() -> None:
    """Baselines written before browser mode still match: the value main computed."""
    from linkguard.model import fingerprint

    assert (
        fingerprint(
            "undeclared-script",
            "https://www.example.com/a/",
            "https://t.example.net/t.js",
            "script",
        )
        == "d9d9ada2ca43a13a"
    )


@pytest.mark.parametrize(
    "value",
    [
        {},
        {"a": 1},
        {"text": 'quote " backslash \\ tab \t newline \n nul \x00 \u2028 é 漢 😀'},
        {"big": 10**30, "negative": -7, "yes": True, "no": False, "none": None},
        {"chain": [], "hops": ()},
        {"kind": "link", "line": 12, "selectors": []},
    ],
)
@pytest.mark.parametrize("prefix", ["", "  ", "    "])
def test_a_flat_object_is_written_as_json_dumps_writes_it(
    value: dict[str, object], prefix: str
) -> None:
    expected = json.dumps(value, indent=2, ensure_ascii=False).replace("\n", "\n" + prefix)
    assert _flat_json(value, prefix) == expected
    assert _indented(value, prefix) == expected


class _Text(str):
    pass


@pytest.mark.parametrize(
    "value",
    [{"f": 1.5}, {"nested": {"a": 1}}, {"items": [1]}, {"s": _Text("x")}, {"t": (1,)}],
)
def test_anything_but_a_flat_object_takes_json_dumps_itself(value: dict[str, object]) -> None:
    assert _flat_json(value, "  ") is None
    expected = json.dumps(value, indent=2, ensure_ascii=False).replace("\n", "\n  ")
    assert _indented(value, "  ") == expected


def _json_dumps_text(result: object) -> str:
    return json.dumps(to_dict(result), indent=2, ensure_ascii=False) + "\n"  # type: ignore[arg-type]


@pytest.mark.parametrize("encoder", ["orjson", "json"])
@pytest.mark.parametrize("sample", sorted(SAMPLES))
def test_the_results_file_is_byte_for_byte_what_json_dumps_writes(
    sample: str, encoder: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The list items orjson writes (``_item_json``) and those json's own encoder writes
    (where orjson has no build) give one text: ``json.dumps(to_dict(result), indent=2)``."""
    from linkguard.results import codec

    if encoder == "json":
        monkeypatch.setattr(codec, "_orjson", None)
    result = SAMPLES[sample]()
    assert codec.to_json(result) == _json_dumps_text(result)


def test_items_orjson_cannot_write_as_json_does_take_jsons_encoder() -> None:
    """A line number beyond 64 bits (orjson refuses it) and a lone surrogate are written
    as json writes them, in the same file as the items orjson writes."""
    from dataclasses import replace

    from linkguard.results import codec

    result = SAMPLES["failing"]()
    odd = (
        replace(result.findings[0], line=10**30),
        replace(result.findings[0], message="half a pair \ud800", line=7),
    )
    grown = replace(result, findings=(*result.findings, *odd))
    assert codec.to_json(grown) == _json_dumps_text(grown)
    assert "1000000000000000000000000000000" in codec.to_json(grown)


def test_orjson_writes_only_items_whose_fields_it_writes_as_json_does() -> None:
    """``_item_json`` hands a finding, page record or dynamic reference to orjson as it is:
    each field must be a string, int, bool, None, a string enum or a tuple of strings. A
    float field (orjson writes ``1e-7`` where json writes ``1e-07``) or a nested object
    fails here, and must be written through its ``*_to_dict`` instead."""
    import types
    import typing

    from linkguard.results import codec

    def plain(option: object) -> bool:
        if option in (int, bool, type(None), tuple[str, ...]):
            return True
        return isinstance(option, type) and issubclass(option, str)  # str, a StrEnum

    checked = 0
    for kind in codec._TO_DICT:
        for name, hint in typing.get_type_hints(kind).items():
            union = typing.get_origin(hint) in (typing.Union, types.UnionType)
            for option in typing.get_args(hint) if union else (hint,):
                assert plain(option), f"{kind.__name__}.{name}: {option}"
                checked += 1
    assert checked > 25
    assert not plain(float) and not plain(tuple[float, ...])
