"""The results JSON (``linkguard/results/v1``): the contract lives in linkguard.results."""

from __future__ import annotations

from linkguard.model import ScanResult
from linkguard.results import to_json


def render(result: ScanResult) -> str:
    """The result as the results JSON contract, byte-identical to what ``scan`` saves."""
    return to_json(result)
