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
