"""Reading a policy file (``linkguard.toml`` or ``[tool.linkguard]``) into a ``Policy``.

The values themselves live in ``linkguard.policy``; this package finds, parses and checks
the file, with errors that name the file, the key and the fix.
"""

from __future__ import annotations

from linkguard.config._collect import PolicyErrors
from linkguard.config._load import (
    MAX_DEPTH,
    MAX_PAGES,
    discover_policy,
    load_policy,
    policy_from_mapping,
)
from linkguard.policy import (
    DEFAULT_NOTICE_SELECTORS,
    DEFAULT_NOTICE_TEXT,
    CrawlConfig,
    ExitNoticeConfig,
    Policy,
    SiteConfig,
    TemplatesConfig,
    ThirdPartyDecl,
    Waiver,
)

__all__ = [
    "DEFAULT_NOTICE_SELECTORS",
    "DEFAULT_NOTICE_TEXT",
    "MAX_DEPTH",
    "MAX_PAGES",
    "CrawlConfig",
    "ExitNoticeConfig",
    "Policy",
    "PolicyErrors",
    "SiteConfig",
    "TemplatesConfig",
    "ThirdPartyDecl",
    "Waiver",
    "discover_policy",
    "load_policy",
    "policy_from_mapping",
]
