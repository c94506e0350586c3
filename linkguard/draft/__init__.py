"""``linkguard init``: a draft policy file from one crawl of the site."""

from __future__ import annotations

from linkguard.draft.starter import render_starter, survey_site

__all__ = ["render_starter", "survey_site"]
