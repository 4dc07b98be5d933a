"""Bridges between service errors and forms."""

from django import forms

from hearth.core.errors import HearthError


def add_service_error(form: forms.Form, error: HearthError) -> None:
    """Show a service's error on the field it names, or at the top of the form."""
    field = getattr(error, "field", None)
    form.add_error(field if field in form.fields else None, error.message)
