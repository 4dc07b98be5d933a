"""The demo's idea boards: what Lumen's customers and partners asked for, and where it stands.

Everything goes through the ideas services (and the organization values through accounts), as
members and staff would do it; only the dates are moved back afterwards, so the ideas look
as old as the rest of the demo.
"""

from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal

from hearth.accounts import services as accounts
from hearth.accounts.models import Member, Organization
from hearth.demo.content import md
from hearth.ideas import services as ideas
from hearth.ideas.models import Idea, IdeaBoard, IdeaStatus, IdeaStatusChange, IdeaVote

# What each customer account is worth a year (the weighted score adds these up).
ORGANIZATION_VALUES = {
    "northwind": Decimal("480000"),
    "brightside": Decimal("96000"),
    "fernfig": Decimal("60000"),
    "oakridge": Decimal("72000"),
    "voltwise": Decimal("150000"),
    "homegrid": Decimal("210000"),
}

BOARDS = [
    (
        "product-ideas",
        "Product ideas",
        "What would make Lumen better for you? Suggest it, vote for what matters to you, and "
        "hear back as it moves along.",
        IdeaBoard.Visibility.PUBLIC,
        [],
    ),
    (
        "partner-ideas",
        "Partner programme ideas",
        "Tools and programme changes for certified installers and integrators.",
        IdeaBoard.Visibility.AFFILIATIONS,
        ["partner", "employee"],
    ),
]
AREAS = ["Lumen app", "Hub & firmware", "Lumen Pro dashboard", "Cloud API", "Installer tools"]


@dataclass(frozen=True)
class Step:
    status: str
    by: str
    note: str = ""
    days_ago: float = 0
    announcement: tuple[str, str] | None = None


@dataclass(frozen=True)
class DemoIdea:
    key: str
    board: str
    author: str
    title: str
    description: str
    area: str
    days_ago: float
    voters: tuple[str, ...] = ()
    # (voter, channel, note, recorded by): votes staff recorded for people who asked elsewhere.
    proxies: tuple[tuple[str, str, str, str], ...] = ()
    steps: tuple[Step, ...] = ()
    tracker: tuple[str, str] | None = None
    comments: tuple[tuple[str, str], ...] = ()
    merge_into: str = ""


IDEAS = [
    DemoIdea(
        "dark-mode",
        "product-ideas",
        "hannah",
        "Dark mode in the Lumen app",
        md("""
            I check the app last thing at night to turn everything off, and the white screen
            is blinding. A dark theme (or one that follows the phone's setting) would be lovely.
        """),
        "Lumen app",
        38,
        voters=(
            "customer",
            "ravi",
            "marco",
            "aisha",
            "george",
            "claire",
            "noor",
            "partner",
            "olu",
            "journalist",
        ),
        steps=(
            Step("under-review", "manager", "Thanks all, the app team is looking at it.", 30),
            Step(
                "planned",
                "manager",
                "Planned for the **4.2** app release. It will follow your phone's setting, "
                "with a switch to override it.",
                12,
            ),
        ),
        tracker=("lena", "APP-1423"),
        comments=(
            ("george", "Please keep the contrast high: low-contrast dark themes are hard for me."),
            ("lena", "Noted, George: we are testing the palette against WCAG AA."),
        ),
    ),
    DemoIdea(
        "sunrise",
        "product-ideas",
        "claire",
        "Sunrise alarm that fades the lights up slowly",
        md("""
            Our clinic's staff room has no windows. A 20-minute fade-in before opening would be
            a much nicer start than lights snapping on at full brightness.
        """),
        "Hub & firmware",
        36,
        voters=("hannah", "aisha", "ben", "customer", "elif"),
        proxies=(("prospect", "event", "Asked at the Toronto home show", "manager"),),
        steps=(
            Step("planned", "manager", "Good one: it is on the firmware plan.", 28),
            Step("in-progress", "moderator", "Firmware 3.8 beta has it; release soon.", 15),
            Step(
                "shipped",
                "manager",
                "Out in firmware **3.8**: *Scenes → Wake up* in the app.",
                4,
                ("https://lumenhome.example/blog/firmware-3-8", "Firmware 3.8: wake-up scenes"),
            ),
        ),
        tracker=("jonas", "https://tracker.lumenhome.example/FW-311"),
    ),
    DemoIdea(
        "csv-export",
        "product-ideas",
        "elif",
        "Export energy usage per room as CSV",
        md("""
            We bill tenants for shared areas. A monthly CSV of energy use per room (or per
            floor) from Lumen Pro would save me an afternoon of copying numbers.
        """),
        "Lumen Pro dashboard",
        33,
        voters=("noor", "ben", "claire", "ravi", "fiona"),
        steps=(
            Step("under-review", "moderator", "", 25),
            Step("in-progress", "manager", "Being built: monthly and custom ranges.", 9),
        ),
        tracker=("expert", "PRO-877"),
        comments=(("ravi", "An API endpoint for the same data would be great too."),),
    ),
    DemoIdea(
        "bulk-schedules",
        "product-ideas",
        "noor",
        "Edit schedules for many rooms at once",
        md("""
            With 180 rooms across four hotels, changing the evening scene means 180 edits.
            Let me pick rooms (or a floor, or a property) and change their schedule in one go.
        """),
        "Lumen Pro dashboard",
        21,
        voters=("elif", "fiona", "partner", "ben"),
        proxies=(
            ("claire", "support_ticket", "Ticket 4821: three clinics, one schedule", "moderator"),
        ),
        steps=(Step("under-review", "manager", "We are talking to a few hotel customers.", 10),),
    ),
    DemoIdea(
        "larger-text",
        "product-ideas",
        "george",
        "Honour the phone's larger text setting everywhere in the app",
        md("""
            Some screens grow with my phone's text size, the schedule editor does not. It is
            the screen I need most.
        """),
        "Lumen app",
        18,
        voters=("hannah", "aisha", "advisor"),
        steps=(Step("planned", "manager", "Part of the accessibility pass in 4.2.", 6),),
    ),
    DemoIdea(
        "watch",
        "product-ideas",
        "marco",
        "Apple Watch complication for scenes",
        "A complication to run my favourite scene from the watch face.",
        "Lumen app",
        26,
        voters=("ravi",),
        steps=(
            Step(
                "declined",
                "manager",
                "Not for now: few of you use a watch with Lumen, and Siri shortcuts already "
                "run scenes from the watch. We will look again next year.",
                14,
            ),
        ),
    ),
    DemoIdea(
        "guest-access",
        "product-ideas",
        "aisha",
        "Guest access that expires",
        md("""
            When friends stay over I'd like to give them the lights for the weekend, without
            handing over my account, and have it end by itself.
        """),
        "Lumen app",
        16,
        voters=("hannah", "customer", "claire"),
    ),
    DemoIdea(
        "guest-duplicate",
        "product-ideas",
        "ben",
        "Temporary access for staff and guests",
        "Give a temp worker control of the dining room lights for a week.",
        "Lumen app",
        11,
        voters=("customer", "fiona"),
        merge_into="guest-access",
    ),
    DemoIdea(
        "matter-bridge",
        "product-ideas",
        "ravi",
        "Matter bridge for older Zigbee bulbs",
        "Expose my first-generation Zigbee bulbs to other Matter controllers through the hub.",
        "Hub & firmware",
        5,
        voters=("marco",),
    ),
    DemoIdea(
        "commissioning",
        "partner-ideas",
        "partner",
        "Bulk commissioning from a floor plan",
        md("""
            On a 40-room job I pair every fixture by hand. Let me import the fixture list with
            room names from the floor plan and commission in one pass.
        """),
        "Installer tools",
        27,
        voters=("fiona", "jonas"),
        steps=(Step("planned", "manager", "Planned for the installer app this summer.", 8),),
        tracker=("jonas", "INST-52"),
    ),
]


def load_ideas(
    *, members: dict[str, Member], orgs: dict[str, Organization], now: datetime
) -> dict[str, int]:
    """Create the boards, product areas and ideas; returns what was made."""
    manager = members["manager"]
    for key, value in ORGANIZATION_VALUES.items():
        accounts.set_organization_value(actor=manager, organization=orgs[key], annual_value=value)
    boards = {
        slug: ideas.create_board(
            actor=manager,
            name=name,
            slug=slug,
            description=description,
            visibility=visibility,
            allowed_affiliations=allowed,
            position=(number + 1) * 10,
        )
        for number, (slug, name, description, visibility, allowed) in enumerate(BOARDS)
    }
    areas = {
        name: ideas.create_product_area(actor=manager, name=name, position=(number + 1) * 10)
        for number, name in enumerate(AREAS)
    }
    statuses = {status.slug: status for status in IdeaStatus.objects.all()}
    made: dict[str, Idea] = {}
    votes = 0
    for spec in sorted(IDEAS, key=lambda spec: -spec.days_ago):
        created = now - timedelta(days=spec.days_ago)
        idea = ideas.create_idea(
            author=members[spec.author],
            board=boards[spec.board],
            title=spec.title,
            description=spec.description,
            area=areas[spec.area],
        )
        made[spec.key] = idea
        for number, username in enumerate(spec.voters):
            ideas.add_idea_vote(member=members[username], idea=idea)
            _date_vote(idea, members[username], created, number, len(spec.voters), now)
            votes += 1
        for username, channel, note, recorded_by in spec.proxies:
            ideas.record_proxy_vote(
                actor=members[recorded_by],
                idea=idea,
                voter=members[username],
                channel=channel,
                note=note,
            )
            votes += 1
        for username, body in spec.comments:
            ideas.add_idea_comment(author=members[username], idea=idea, body=body)
        if spec.tracker:
            employee, ref = spec.tracker
            ideas.link_idea_tracker(actor=members[employee], idea=idea, tracker_ref=ref)
        for step in spec.steps:
            url, title = step.announcement or ("", "")
            change = ideas.change_idea_status(
                actor=members[step.by],
                idea=idea,
                status=statuses[step.status],
                note=step.note,
                announcement_url=url,
                announcement_title=title,
            )
            when = now - timedelta(days=step.days_ago)
            IdeaStatusChange.objects.filter(pk=change.pk).update(created_at=when)
            Idea.objects.filter(pk=idea.pk).update(status_changed_at=when, updated_at=when)
        if not spec.steps:
            Idea.objects.filter(pk=idea.pk).update(updated_at=created)
        Idea.objects.filter(pk=idea.pk).update(created_at=created)
        if spec.merge_into:
            ideas.merge_ideas(actor=manager, source=idea, target=made[spec.merge_into])
    return {"ideas": len(made), "idea_votes": votes, "idea_boards": len(boards)}


def _date_vote(idea, voter, created, number: int, total: int, now) -> None:
    """Spread an idea's votes between when it was made and now, oldest first."""
    span = (now - created) * 0.9
    when = created + span * (number + 1) / (total + 1)
    IdeaVote.objects.filter(idea=idea, voter=voter).update(created_at=when)
