"""What a scan leaves behind: the results JSON contract (``codec``), baselines and diffs
between two runs (``baseline``), and the one pass/fail decision every output shares
(``verdict``).
"""

from __future__ import annotations

from linkguard.results.codec import SCHEMA, from_json, iter_json, to_dict, to_json

__all__ = ["SCHEMA", "from_json", "iter_json", "to_dict", "to_json"]
