"""API shapes for members."""

from ninja import Schema


class MemberRef(Schema):
    """A member as shown next to what they wrote."""

    username: str
    display_name: str
    affiliation: str
    role: str


class MemberOut(MemberRef):
    bio_html: str
    organization: str | None
    expertise: list[str]
    post_count: int
    profile_url: str

    @staticmethod
    def resolve_organization(member) -> str | None:
        return member.organization.name if member.organization else None

    @staticmethod
    def resolve_expertise(member) -> list[str]:
        return [tag.name for tag in member.expertise.all()]

    @staticmethod
    def resolve_profile_url(member) -> str:
        return member.get_absolute_url()
