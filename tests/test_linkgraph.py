"""The crawl's link graph: a page's links go in as one batch, and each page's depth is the
fewest links from a root over every link seen, in whatever order the batches came."""

from __future__ import annotations

import pytest

from linkguard.sources._linkgraph import LinkGraph


def test_depth_is_the_fewest_links_from_a_root_whatever_the_order() -> None:
    graph = LinkGraph()
    graph.link("/", ["/a", "/b", "/a"], 1)  # a repeated link changes nothing
    graph.link("/a", ["/deep"], 2)
    graph.link("/deep", ["/b2"], 3)
    graph.link(None, ["/"], 0)  # the seed, recorded after its page's links
    graph.link("/b", ["/b2"], 2)  # a shorter way to /b2, found last
    graph.link(None, ["/sitemap-only"], 1)  # a sitemap URL: a root at depth 1
    depths = {key: graph.depth_of(key) for key in ("/", "/a", "/b", "/deep", "/b2")}
    assert depths == {"/": 0, "/a": 1, "/b": 1, "/deep": 2, "/b2": 2}
    assert graph.depth_of("/sitemap-only") == 1
    assert graph.depth_of("/never-linked") is None


def test_a_page_without_links_records_nothing() -> None:
    graph = LinkGraph()
    graph.link("/lonely", [], 1)
    assert graph.depth_of("/lonely") is None


def test_a_single_url_is_not_read_as_its_characters() -> None:
    graph = LinkGraph()
    with pytest.raises(TypeError):
        graph.link("/", "/a", 1)  # type: ignore[arg-type]
