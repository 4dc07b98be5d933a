"""What an organization is worth (ideas weigh votes by it): set by managers only, checked."""

from decimal import Decimal

import pytest

from hearth.accounts import services
from hearth.core.errors import NotAllowed, ValidationFailed
from hearth.core.models import Activity

pytestmark = pytest.mark.django_db


def test_an_organization_starts_with_an_optional_value():
    plain = services.create_organization(actor=None, name="Plain", kind="customer")
    valued = services.create_organization(
        actor=None, name="Valued", kind="customer", annual_value="1234.5"
    )

    assert plain.annual_value is None
    valued.refresh_from_db()
    assert valued.annual_value == Decimal("1234.50")


def test_managers_set_and_clear_the_value(manager):
    acme = services.create_organization(actor=None, name="Acme", kind="customer")

    services.set_organization_value(actor=manager, organization=acme, annual_value=Decimal(90000))
    acme.refresh_from_db()
    assert acme.annual_value == Decimal("90000.00")
    services.set_organization_value(actor=manager, organization=acme, annual_value=None)
    acme.refresh_from_db()
    assert acme.annual_value is None
    rows = Activity.objects.filter(verb="organization.value_changed").order_by("id")
    assert [row.payload for row in rows] == [
        {"from": None, "to": "90000.00"},
        {"from": "90000.00", "to": None},
    ]


@pytest.mark.parametrize("who", ["customer", "moderator", "employee"])
def test_only_managers_set_the_value(request, who):
    acme = services.create_organization(actor=None, name="Acme", kind="customer")

    with pytest.raises(NotAllowed):
        services.set_organization_value(
            actor=request.getfixturevalue(who), organization=acme, annual_value=Decimal(1)
        )


@pytest.mark.parametrize("value", ["-1", "abc", "NaN", "Infinity", "1e15", "10000000000000"])
def test_bad_values_are_refused(manager, value):
    acme = services.create_organization(actor=None, name="Acme", kind="customer")

    with pytest.raises(ValidationFailed) as caught:
        services.set_organization_value(actor=manager, organization=acme, annual_value=value)

    assert caught.value.field == "annual_value"
