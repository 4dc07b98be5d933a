"""Helpers for the search tests: post through the services, then search as someone."""

import pytest

from hearth.search import selectors


@pytest.fixture
def found():
    """The ids of the posts `member` finds for `query` (with any search() keywords)."""

    def run(member, query, **filters) -> list[int]:
        page = selectors.search(member, query, **filters)
        return [result.post.pk for result in page.results]

    return run


@pytest.fixture
def found_topics():
    """The ids of the topics `member` finds for `query`, best first."""

    def run(member, query, **filters) -> list[int]:
        page = selectors.search(member, query, **filters)
        return [result.topic.pk for result in page.results]

    return run
