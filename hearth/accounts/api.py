"""API for members: who am I, and public profiles."""

from django.http import HttpRequest
from ninja import Path, Router

from hearth.accounts.api_auth import ANYONE, MEMBER
from hearth.accounts.schemas import MemberOut
from hearth.accounts.selectors import access_member
from hearth.core.schemas import ERRORS

router = Router(tags=["members"])


@router.get(
    "/me", response={200: MemberOut, **ERRORS}, auth=MEMBER, summary="The member making the call"
)
def me(request: HttpRequest):
    return access_member(request.user.username)


@router.get(
    "/members/{username}",
    response={200: MemberOut, **ERRORS},
    auth=ANYONE,
    summary="A member's profile",
)
def member_detail(request: HttpRequest, username: str = Path(..., max_length=150)):
    return access_member(username)
