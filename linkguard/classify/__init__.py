"""Deciding whose a URL is: browser-exact resolution (``urls``), the site's first-party
boundary on the public suffix list (``scope``), and who runs a third-party host
(``vendors``, from the bundled third-party-web snapshot: it names, only the policy declares).
"""

from __future__ import annotations

from linkguard.classify import urls
from linkguard.classify.scope import Scope, registrable_domain
from linkguard.classify.vendors import Vendor, vendor_of

__all__ = ["Scope", "Vendor", "registrable_domain", "urls", "vendor_of"]
