"""Reads of members and profiles."""

from django.http import Http404

from hearth.accounts.models import ApiToken, Member


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


def api_token_list(member: Member):
    return ApiToken.objects.filter(member=member).order_by("revoked_at", "-created_at")


def access_api_token(member: Member, token_id: int) -> ApiToken:
    token = ApiToken.objects.filter(pk=token_id, member=member).first()
    if token is None:
        raise Http404("No such token.")
    return token
