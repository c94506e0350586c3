"""A page's analysis is only its decoding and libxml2's parse: the floor the tree walk's
parser sets."""

from lxml import etree

from linkguard.extract._charset import decode_html
from linkguard.extract._tree import _PARSER
from linkguard.scan import analysis

assert callable(analysis.analyze_page)
analysis.analyze_page = lambda result, policy, scope: etree.fromstring(
    decode_html(result.body, result.charset), _PARSER
)
