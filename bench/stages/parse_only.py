"""A page's analysis is only its decoding and turbohtml's parse: the floor the reader's
parser sets."""

from linkguard.extract import _tree
from linkguard.extract._charset import decode_html
from linkguard.scan import analysis

assert callable(analysis.analyze_page)
analysis.analyze_page = lambda result, policy, scope: _tree.parse(
    decode_html(result.body, result.charset)
)
