"""Reads of members and profiles."""

from django.http import Http404

from hearth.accounts.models import Member


def access_member(username: str) -> Member:
    member = (
        Member.objects.select_related("organization")
        .prefetch_related("expertise")
        .filter(username__iexact=username, is_active=True)
        .first()
    )
    if member is None:
        raise Http404("No such member.")
    return member
