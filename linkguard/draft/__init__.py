"""``linkguard init``: a draft policy file from one crawl of the site (``survey``: the crawl
and its notice survey; ``policy_file``: the TOML it writes)."""

from __future__ import annotations

from linkguard.draft.policy_file import render_starter
from linkguard.draft.survey import NoticeSurvey, interstitial_route, survey_site

__all__ = ["NoticeSurvey", "interstitial_route", "render_starter", "survey_site"]
