"""Fixtures for the idea tests: boards of each visibility, statuses, product areas, ideas.

Everything is made through the services, as members and managers would make it.
"""

import importlib
import itertools

import pytest
from django.apps import apps
from django.core.cache import cache

from hearth.accounts.models import Affiliation
from hearth.ideas import services
from hearth.ideas.models import IdeaBoard, IdeaStatus

_counter = itertools.count(1)
_seed = importlib.import_module("hearth.ideas.migrations.0002_default_statuses").seed_statuses


@pytest.fixture(autouse=True)
def statuses(db):
    """The statuses the data migration seeds (again, after a test that flushed the tables)."""
    if not IdeaStatus.objects.exists():
        _seed(apps, None)
    return {status.slug: status for status in IdeaStatus.objects.all()}


@pytest.fixture(autouse=True)
def _empty_cache():
    """API rate limits count in the cache: start every test with none spent."""
    cache.clear()
    yield
    cache.clear()


def make_board(**kwargs) -> IdeaBoard:
    kwargs.setdefault("name", f"Board {next(_counter)}")
    return services.create_board(actor=None, **kwargs)


def make_idea(*, author, board, title=None, description="It would help us a lot.", **kwargs):
    title = title or f"An idea worth building {next(_counter)}"
    return services.create_idea(
        author=author, board=board, title=title, description=description, **kwargs
    )


@pytest.fixture
def board(db):
    return make_board(name="Product ideas")


@pytest.fixture
def members_board(db):
    return make_board(name="Members' ideas", visibility=IdeaBoard.Visibility.MEMBERS)


@pytest.fixture
def partner_board(db):
    return make_board(
        name="Partner ideas",
        visibility=IdeaBoard.Visibility.AFFILIATIONS,
        allowed_affiliations=[Affiliation.PARTNER, Affiliation.EMPLOYEE],
    )


@pytest.fixture
def employee_board(db):
    return make_board(
        name="Team ideas",
        visibility=IdeaBoard.Visibility.AFFILIATIONS,
        allowed_affiliations=[Affiliation.EMPLOYEE],
    )


@pytest.fixture
def area(db):
    return services.create_product_area(actor=None, name="Mobile app")


@pytest.fixture
def idea(customer, board):
    return make_idea(author=customer, board=board, title="Dark mode for the mobile app")


@pytest.fixture
def prospect(make_member):
    return make_member(username="petra", affiliation=Affiliation.PROSPECT)
