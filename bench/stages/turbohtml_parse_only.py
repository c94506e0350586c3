"""A page's analysis is only its decoding and turbohtml's parse (with scripting on, as the
survey parses): compared with ``parse_only.py``, the floor a reader on turbohtml's tree
would start from instead of libxml2's."""

import turbohtml

from linkguard.extract._charset import decode_html
from linkguard.scan import analysis

assert callable(analysis.analyze_page)
analysis.analyze_page = lambda result, policy, scope: turbohtml.parse(
    decode_html(result.body, result.charset), scripting=True
)
