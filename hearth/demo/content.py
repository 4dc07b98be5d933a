"""The demo community: Lumen, a smart lighting company, and the people who talk about it.

Lumen sells bulbs, LED strips, sensors and two hubs (Hub Mini for homes, Hub Pro for
businesses), an app, a web dashboard for businesses (Lumen Pro), and a cloud and local API.
Its customers are households and small businesses; certified installers sell and fit it.

Everything here is plain data; `load_demo` turns it into members, spaces and topics through
the services. Times are relative: `days_ago` for a topic's opening post, `hours` after the
previous post for a reply (a seeded random gap when left out).
"""

import textwrap
from dataclasses import dataclass, field

PASSWORD = "hearth-demo-1"
SEED = 20240611
MARKER_USERNAME = "manager"
MARKER_EMAIL = "maya.lindqvist@lumenhome.example"


def md(text: str) -> str:
    return textwrap.dedent(text).strip()


# --- Organizations -------------------------------------------------------------------------


@dataclass(frozen=True)
class Org:
    key: str
    name: str
    kind: str
    website: str

    @property
    def domain(self) -> str:
        return self.website.removeprefix("https://").rstrip("/")


ORGANIZATIONS = [
    Org("lumen", "Lumen Labs", "other", "https://lumenhome.example"),
    Org("northwind", "Northwind Hotels", "customer", "https://northwind-hotels.example"),
    Org("brightside", "Brightside Dental", "customer", "https://brightside-dental.example"),
    Org("fernfig", "Fern & Fig Kitchens", "customer", "https://fernandfig.example"),
    Org("oakridge", "Oakridge Coworking", "customer", "https://oakridge-cowork.example"),
    Org("voltwise", "Voltwise Installations", "partner", "https://voltwise.example"),
    Org("homegrid", "HomeGrid Integrators", "partner", "https://homegrid.example"),
    Org("arclight", "Arclight Components", "supplier", "https://arclight-components.example"),
    Org("cnr", "The Connected Home Review", "media", "https://connectedhomereview.example"),
]


_ASCII = str.maketrans({"á": "a"})


# --- Members -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Person:
    username: str
    display_name: str
    affiliation: str
    role: str = "member"
    org: str | None = None
    bio: str = ""
    expertise: str = ""

    @property
    def email(self) -> str:
        local = ".".join(self.display_name.lower().translate(_ASCII).split())
        org = next((o for o in ORGANIZATIONS if o.key == self.org), None)
        return f"{local}@{org.domain if org else 'example.net'}"


MEMBERS = [
    # Lumen staff
    Person(
        "manager",
        "Maya Lindqvist",
        "employee",
        role="manager",
        org="lumen",
        bio=md("""
            Community manager at **Lumen**. I look after this place: welcome threads, the
            code of conduct, and making sure good questions don't go unanswered.

            Ask me about the community, events and the partner programme.
        """),
        expertise="community, partner programme, events",
    ),
    Person(
        "moderator",
        "Tomás Reyes",
        "employee",
        role="moderator",
        org="lumen",
        bio=md("""
            Support team lead and moderator. Eight years in customer support, three of them
            at Lumen. If a thread needs tidying or a post has private details in it, that's me.
        """),
        expertise="support, accounts, billing",
    ),
    Person(
        "expert",
        "Priya Raman",
        "employee",
        role="expert",
        org="lumen",
        bio=md("""
            Platform engineer on the **Lumen Cloud API** and the hub firmware's scheduler.

            - API, webhooks and OAuth questions: mention `@expert`
            - I write the API changelog, so blame me for the typos
        """),
        expertise="api, webhooks, oauth, schedules, firmware",
    ),
    Person(
        "jonas",
        "Jonas Becker",
        "employee",
        role="expert",
        org="lumen",
        bio=md("""
            Hardware and installation engineer. Zigbee, Thread/Matter, wiring, dimmers and
            anything that flickers. Former electrician, still carries a multimeter.
        """),
        expertise="hardware, zigbee, matter, installation, dimming",
    ),
    Person(
        "lena",
        "Lena Hoffmann",
        "employee",
        org="lumen",
        bio=md("""
            Product manager for the Lumen app and Lumen Pro dashboard. I read every post in
            *Ideas & feedback*, even when I don't reply straight away.
        """),
        expertise="app, roadmap, lumen pro",
    ),
    # Customers: households and small businesses
    Person(
        "customer",
        "Sam Carter",
        "customer",
        bio=md("""
            Toronto. 34 bulbs, 6 strips, one very patient partner. I automate things that
            don't need automating.
        """),
    ),
    Person(
        "noor",
        "Noor Haddad",
        "customer",
        org="northwind",
        bio="Facilities manager at **Northwind Hotels**: four properties, 180 rooms, one hub each.",
    ),
    Person(
        "ravi",
        "Ravi Menon",
        "customer",
        bio=md("""
            Backend developer by day, home automation by night. Node-RED, openHAB, a
            Raspberry Pi cluster and too many webhooks. Code I post here is MIT-licensed.
        """),
    ),
    Person(
        "claire",
        "Claire Dubois",
        "customer",
        org="brightside",
        bio="Practice manager at Brightside Dental (3 clinics). Not technical, but I learn fast.",
    ),
    Person(
        "ben",
        "Ben Okafor",
        "customer",
        org="fernfig",
        bio="Operations at Fern & Fig Kitchens. Two restaurants where the lighting *is* the mood.",
    ),
    Person(
        "hannah",
        "Hannah Kim",
        "customer",
        bio="First-time homeowner, first smart home. Be gentle.",
    ),
    Person(
        "marco",
        "Marco Bianchi",
        "customer",
        bio=md("""
            Power user. Came from Hue + Zigbee2MQTT, stayed for the local API. Maintainer of
            [lumen2mqtt](https://github.com/example/lumen2mqtt).
        """),
    ),
    Person(
        "elif",
        "Elif Aksoy",
        "customer",
        org="oakridge",
        bio="IT at Oakridge Coworking. Three floors, 70 desks, one Hub Pro per floor.",
    ),
    Person(
        "george",
        "George Whitfield",
        "customer",
        bio=md("""
            Retired teacher. Low vision, so I care about big buttons and good screen-reader
            support. Lumen lets me light the stairs without hunting for switches.
        """),
    ),
    Person(
        "aisha",
        "Aisha Bello",
        "customer",
        bio="Renter in a one-bedroom flat. Everything I own has to come with me when I move.",
    ),
    # Everyone else
    Person(
        "prospect",
        "Daniel Novak",
        "prospect",
        bio="Partner at a 12-person architecture studio, shopping for office lighting.",
    ),
    Person(
        "partner",
        "Carlos Mendes",
        "partner",
        org="voltwise",
        bio=md("""
            Owner of **Voltwise Installations**, a Lumen certified installer since 2021.
            Homes, restaurants and small offices. Happy to help here; I won't sell to you
            in threads.
        """),
    ),
    Person(
        "fiona",
        "Fiona Walsh",
        "partner",
        org="homegrid",
        bio="Project lead at HomeGrid Integrators. Hotels, clinics and multi-site commissioning.",
    ),
    Person(
        "journalist",
        "Rachel Stone",
        "journalist",
        org="cnr",
        bio=md("""
            Senior writer at *The Connected Home Review*. I cover smart lighting, privacy and
            the people who live with it. Anything you tell me in a thread is on the record;
            e-mail me if you'd rather it wasn't.
        """),
    ),
    Person(
        "supplier",
        "Wei Zhang",
        "supplier",
        org="arclight",
        bio="Applications engineer at Arclight Components. We make LED drivers, including Lumen's.",
    ),
    Person(
        "advisor",
        "Helen Park",
        "advisor",
        bio=md("""
            Member of Lumen's customer advisory board. Twenty years in hospitality operations;
            now I advise companies on building products people actually use.
        """),
    ),
    Person(
        "olu",
        "Olu Adeyemi",
        "other",
        bio="Lighting design student. Here to learn how real people use light at home.",
    ),
]


# --- The log-ins printed at the end ----------------------------------------------------------


@dataclass(frozen=True)
class Login:
    label: str
    username: str
    note: str = ""


LOGINS = [
    Login("Community manager", "manager", "/admin/, roles, spaces, code of conduct"),
    Login("Moderator", "moderator", "pin, lock, edit and delete posts"),
    Login("Employee expert (API)", "expert"),
    Login("Employee expert (hardware)", "jonas"),
    Login("Employee (product manager)", "lena"),
    Login("Customer", "customer"),
    Login("Customer (hotel group)", "noor"),
    Login("Prospect", "prospect"),
    Login("Partner (installer)", "partner"),
    Login("Partner (installer)", "fiona"),
    Login("Journalist", "journalist"),
    Login("Supplier", "supplier"),
    Login("Advisor", "advisor"),
    Login("Other (student)", "olu"),
]
OTHER_CUSTOMERS = ["ravi", "claire", "ben", "hannah", "marco", "elif", "george", "aisha"]


# --- Code of conduct -----------------------------------------------------------------------

CODE_OF_CONDUCT_TITLE = "Lumen community code of conduct"
CODE_OF_CONDUCT = md("""
    This is where Lumen customers, partners and the Lumen team help each other. These rules
    keep it useful and friendly. By joining you agree to them.

    ## 1. Be kind, assume good faith

    Everyone here was new once. Answer the question that was asked, explain jargon, and
    assume a blunt post was written in a hurry rather than in anger.

    ## 2. Criticise ideas, not people

    Disagree as much as you like about products, features and decisions. Personal attacks,
    insults, harassment and discrimination of any kind are not allowed, towards anyone,
    including Lumen staff.

    ## 3. Help others find things

    Search before you post, pick the right space, and write a title that says what the topic
    is about ("Hub Pro drops offline every evening", not "Help!!"). For problems, include
    your hub model, firmware version and what you already tried.

    ## 4. Competitors are fair game

    Comparing Lumen with other products is welcome, good or bad. Keep it factual, and don't
    organise pile-ons in other communities.

    ## 5. No spam, and say who you are

    No advertising, affiliate links or unsolicited offers. Partners and suppliers carry a
    badge; when you recommend your own services or products, say so. Helping is welcome,
    selling in threads is not.

    ## 6. Protect privacy: yours and others'

    Don't post serial numbers, home addresses, phone numbers, API keys or access tokens.
    Crop screenshots. Don't share private messages without permission. Moderators remove
    personal details when they see them, and say so in the post.

    ## 7. Staff answers and official support

    Employees have a badge and answer here as part of their job, on a best-effort basis.
    This community is not a support contract: for orders, billing and anything tied to your
    account, contact Lumen support.

    ## 8. Report security issues privately

    Found a vulnerability? E-mail **security@lumenhome.example** instead of posting it.
    We reply within two working days.

    ## 9. How moderation works

    Moderators are Lumen staff. They can edit posts to remove private details, move topics
    to the right space, lock threads that have run their course, and remove posts that
    break these rules. Edits are recorded in the post's history. Repeated or serious breaches
    lead to a warning, then a suspension.

    ## 10. Reporting a problem

    If a post breaks these rules, e-mail **community@lumenhome.example** with a link to it,
    or mention @moderator in the thread. Don't reply in kind: we'd rather handle it. A
    moderator looks at every report within one working day.

    ## 11. Changes to this code

    We publish each change as a new version and ask everyone to accept it again. Questions
    about the rules are welcome in *Ideas & feedback*.
""")


# --- Spaces --------------------------------------------------------------------------------


@dataclass(frozen=True)
class SpaceSpec:
    slug: str
    name: str
    description: str
    visibility: str = "public"
    allowed: tuple[str, ...] = ()
    starters: str = "members"


SPACES = [
    SpaceSpec(
        "announcements",
        "Announcements",
        "Releases, maintenance windows and community news from the Lumen team.",
        starters="staff",
    ),
    SpaceSpec(
        "getting-started",
        "Getting started",
        "New to Lumen? Choosing a hub, pairing bulbs and building your first scenes.",
    ),
    SpaceSpec(
        "troubleshooting",
        "Troubleshooting",
        "Something not working? Say which hub and firmware you have and what you tried.",
    ),
    SpaceSpec(
        "integrations-api",
        "Integrations & API",
        "The Lumen Cloud API, webhooks, the local API, and Node-RED, openHAB or MQTT setups.",
        visibility="members",
    ),
    SpaceSpec(
        "ideas-feedback",
        "Ideas & feedback",
        "Suggest features and tell the product team what works and what doesn't.",
    ),
    SpaceSpec(
        "partner-lounge",
        "Partner lounge",
        "For certified installers and dealers: commissioning, pricing and early firmware.",
        visibility="affiliations",
        allowed=("partner", "employee"),
    ),
    SpaceSpec(
        "team-room",
        "Team room",
        "Lumen staff only: community reviews, drafts and bug triage.",
        visibility="affiliations",
        allowed=("employee",),
        starters="employees",
    ),
    SpaceSpec(
        "off-topic",
        "Off-topic",
        "Everything else. The code of conduct still applies.",
        visibility="members",
    ),
]


# --- Topics and replies --------------------------------------------------------------------


@dataclass(frozen=True)
class Reply:
    author: str
    body: str
    hours: float | None = None
    helpful: bool = False


@dataclass(frozen=True)
class Edit:
    """A later edit of post number `position` (1 is the opening post)."""

    position: int
    editor: str
    hours: float
    append: str = ""
    replace: tuple[str, str] | None = None


@dataclass(frozen=True)
class Thread:
    space: str
    author: str
    title: str
    days_ago: float
    body: str
    kind: str = "question"
    replies: tuple[Reply, ...] = ()
    pinned: bool = False
    locked_by: str = ""
    edits: tuple[Edit, ...] = field(default_factory=tuple)
    # Other threads link to this one with "[text](topic:KEY)".
    key: str = ""


def R(author: str, body: str, hours: float | None = None, helpful: bool = False) -> Reply:
    return Reply(author, md(body), hours, helpful)


THREADS: list[Thread] = []

# The threads below are laid out by hand to read like the conversations they are.
# fmt: off

# Announcements ----------------------------------------------------------------------------

THREADS += [
    Thread(
        "announcements",
        "manager",
        "Welcome to the Lumen community: start here",
        42,
        md("""
            Hello and welcome! This is the place to get help with your Lumen lights, share
            what you've built, and tell us what we should build next.

            **How it works**

            - **Getting started** and **Troubleshooting** are for questions. Mark a reply as
              *helpful* when it solved your problem, so the next person finds it.
            - **Integrations & API** is for developers and tinkerers (sign in to see it).
            - **Ideas & feedback** goes straight to the product team. @lena reads all of it.
            - Lumen employees have a badge. @expert (API) and @jonas (hardware) are our
              resident experts; @moderator keeps things tidy.

            Please read the [code of conduct](/code-of-conduct/) before you post; the short
            version is *be kind, keep private details private, and competitors are fair game*.

            Introduce yourself below: where are you, and what's the first thing you lit up?
        """),
        kind="discussion",
        pinned=True,
        replies=(
            R("customer", """
                Sam from Toronto! Started with two bulbs in the living room, now at 34 bulbs
                and six strips. Glad there's finally a proper place for this instead of a
                subreddit.
            """, hours=3),
            R("noor", """
                Hi all, Noor from Northwind Hotels. We run Lumen Pro in four hotels and I'm
                mostly here to learn from other business users. And to nag about CSV exports.
            """),
            R("partner", """
                Carlos, Voltwise Installations. We've installed Lumen in about 300 homes and
                a few restaurants. I'll try to help where I can. Partner badge = I install
                this stuff for a living, so take my enthusiasm with a grain of salt.
            """),
            R("journalist", """
                Rachel Stone from *The Connected Home Review*. I'll mostly be reading, and I
                will always say when I'm asking something for an article.
            """),
            R("olu", """
                Olu, lighting design student. My flatmates let me turn our kitchen into a
                colour-temperature experiment. Looking forward to learning from you all.
            """),
            R("manager", """
                Welcome, everyone, and thanks for introducing yourselves!

                > I'm mostly here to learn from other business users

                @noor there are a few of you already; @claire and @elif run clinics and a
                coworking space. I'll set up a business users' meetup once we're a few more.
            """),
        ),
    ),
    Thread(
        "announcements",
        "manager",
        "Meet our experts: who answers what around here",
        35,
        md("""
            A few of us from Lumen are here every working day. When you're stuck, mentioning
            the right person gets you an answer faster:

            | Who | Ask about |
            | --- | --- |
            | @expert (Priya) | Cloud API, webhooks, OAuth, schedules |
            | @jonas | Hubs, pairing, Zigbee and Matter, dimmers, wiring |
            | @lena | The app, Lumen Pro and the roadmap |
            | @moderator (Tomás) | Accounts, orders and anything that needs support |

            Experts answer on a best-effort basis; for orders and billing, please contact
            support so we can look at your account.
        """),
        kind="discussion",
        replies=(
            R("expert", """
                Hi! I also write the API changelog, so if something there is unclear, tell me.
            """, hours=1),
            R("jonas", """
                And if you post a pairing problem, please say which hub and firmware you have.
                It saves us a round trip.
            """),
            R("customer", "Great idea to put names to topics. Thanks, all."),
        ),
    ),
    Thread(
        "announcements",
        "manager",
        "Hub firmware 4.2: Matter 1.3, faster scenes and no more 3 a.m. wake-ups",
        19,
        md("""
            Firmware **4.2.0** for Lumen Hub Mini and Hub Pro is rolling out over the next
            two weeks. Hubs update overnight; you can also update now from
            **Settings → Hub → Firmware**.

            **What's new**

            1. **Matter 1.3**: Lumen lights now show up in Apple Home, Google Home and
               SmartThings with colour temperature and transitions.
            2. **Scenes are up to three times faster** when they change more than 20 lights: the hub
               now sends one group command instead of one command per light.
            3. **Daylight mode** follows the sun's colour temperature through the day.

            **Fixed**

            - Schedules that fired hours early after a hub reset (the "3 a.m." bug, see
              [this thread](topic:3am)). The hub now keeps its timezone.
            - LED strips flickering below 10 % brightness on some drivers.
            - Motion sensors reporting low battery at 60 %.

            Please report problems in **Troubleshooting** with "4.2" in the title.
        """),
        kind="discussion",
        replies=(
            R("ravi", """
                Matter 1.3 is great news. Does the local API change at all? My Node-RED flows
                use `/api/local/v1/events`.
            """, hours=2),
            R("expert", """
                @ravi no breaking changes in the local API. There's one addition: events now
                carry a `source` field (`app`, `schedule`, `matter`, `api`), so you can tell
                who switched a light.

                ```json
                {"type": "light.state", "light": "lt_8f2a", "on": true, "source": "matter"}
                ```
            """, helpful=True),
            R("hannah", """
                Sorry if this is a silly question: do I need to do anything, or will it just
                update by itself?
            """),
            R("jonas", """
                @hannah not silly at all! It updates by itself overnight, as long as the hub
                is plugged in and online. Nothing to do.
            """, helpful=True),
            R("marco", """
                Scene switching is noticeably snappier here: 42 lights used to ripple across
                the room, now they change together. Nice work.
            """),
            R("journalist", """
                For an article (on the record): is the Matter support certified, or a beta?
            """),
            R("manager", """
                @journalist certified: the certificate is listed on the CSA site under Lumen
                Labs. Happy to send you the details by e-mail.
            """),
        ),
    ),
    Thread(
        "announcements",
        "moderator",
        "Scheduled maintenance: Lumen Cloud, Sunday 02:00 to 03:00 UTC",
        6,
        md("""
            We're upgrading the Lumen Cloud database this Sunday between **02:00 and 03:00
            UTC**.

            During that hour:

            - the app and Lumen Pro dashboard can't change settings or show history;
            - **schedules, sensors and switches keep working**, they run on your hub;
            - the Cloud API answers `503` with a `Retry-After` header.

            We'll post here when it's done.
        """),
        kind="discussion",
        replies=(
            R("elif", """
                Will the local API keep working? Our desk booking system switches lights
                through it at 7 a.m. on Mondays, but just in case.
            """, hours=5),
            R("moderator", """
                @elif yes, the local API talks to the hub directly and doesn't need the cloud.

                **Update:** maintenance finished at 02:41 UTC. Everything is back to normal.
            """, helpful=True),
        ),
    ),
]

# Getting started --------------------------------------------------------------------------

THREADS += [
    Thread(
        "getting-started",
        "prospect",
        "Hub Mini or Hub Pro for a 12-person architecture studio?",
        38,
        md("""
            We're moving into a new studio (one open-plan floor, two meeting rooms, about
            60 fittings) and I'm comparing Lumen with a couple of other systems.

            - Is a **Hub Mini** enough, or do we need the **Hub Pro**?
            - Can several people control the lights without sharing one account?
            - Does it still work if the internet goes down?

            We're not a tech company, so simple matters more than clever.
        """),
        replies=(
            R("partner", """
                Disclosure: I'm an installer. For 60 fittings I'd go **Hub Pro**, for three
                reasons:

                1. The Mini tops out at 50 devices, and you'll add sensors and switches.
                2. The Pro has wired Ethernet (and PoE), which is calmer in an office full of
                   Wi-Fi.
                3. Only the Pro works with the Lumen Pro dashboard, where you can give each
                   person their own log-in and limit them to rooms.
            """, hours=4, helpful=True),
            R("jonas", """
                Agree with @partner. And on your third question: yes, everything runs on the
                hub. Switches, sensors and schedules keep working without internet; only
                the remote app and the dashboard need it.
            """, helpful=True),
            R("customer", """
                Home user, not business, but one tip: buy a couple of **Lumen Switches** for
                the meeting rooms. People don't want to open an app to turn on a light.
            """),
            R("prospect", """
                Thanks all, this is really helpful. What does "limit them to rooms" look like
                in practice? Could interns control the open-plan lights but not the
                boardroom?
            """, hours=20),
            R("lena", """
                @prospect exactly that. In Lumen Pro you create *zones* (say "Studio" and
                "Boardroom") and give each person or group access to zones. Interns get
                "Studio", partners get both.
            """),
            R("partner", """
                We did this for a design agency last month; took about a day including
                training. Happy to talk if you want a quote, just message me, I won't pitch
                here.
            """),
        ),
    ),
    Thread(
        "getting-started",
        "manager",
        "Share your first scene: what did you set up first?",
        40,
        md("""
            Everyone's first scene says something about them. Mine was **"Sunday pancakes"**:
            kitchen at 100 %, warm white, everything else off.

            What was yours, and which one do you actually use every day?
        """),
        kind="discussion",
        replies=(
            R("customer", """
                "Movie night": living room strips at 10 % deep blue, ceiling off, hallway at
                5 % so nobody trips on the way to the kitchen. Used daily, by my partner
                mostly.
            """, hours=2),
            R("hannah", """
                Mine is embarrassingly simple: "Home", which turns on the hallway and kitchen
                when I arrive. But it changed how the house feels in winter.
            """),
            R("george", """
                "Stairs": every light on the stairs at full brightness, triggered by the
                motion sensor at night. With my eyesight, this one is not a gimmick.
            """),
            R("manager", """
                @george that's exactly the kind of story I love hearing. Thanks for sharing.
            """),
            R("marco", """
                "Focus": desk at 5000 K, 80 %, everything else in the room at 20 %. Triggered
                from my calendar through the API when a meeting starts.
            """),
            R("aisha", "\"Lazy Sunday\": bedroom at 30 % and amber. No further questions."),
            R("olu", """
                "Golden hour": kitchen at 2700 K, 60 %, fading to 2200 K over 45 minutes. I'm
                trying to convince my flatmates it improves the food.
            """),
            R("ben", """
                Business answer: "Service" and "Close" at both restaurants. The dining room
                dims over 20 minutes when the kitchen closes, so guests get the hint politely.
            """),
        ),
    ),
    Thread(
        "getting-started",
        "hannah",
        "Bulbs won't pair after moving house",
        29,
        md("""
            I moved last weekend and took my Lumen bulbs and Hub Mini with me. The hub is
            online in the app, but none of the bulbs show up. I've tried "Add device"
            three times.

            What am I doing wrong?
        """),
        replies=(
            R("jonas", """
                Nothing wrong! The bulbs still think they belong to the old setup. Reset each
                bulb, then add them again:

                1. Turn the bulb **off** and **on** five times at the wall switch, about one
                   second on and one second off.
                2. The bulb blinks twice: it's reset.
                3. In the app: **Add device → Bulb**, and keep the bulb within 5 m of the hub
                   for pairing.

                You'll need to redo rooms and scenes for the bulbs afterwards, sorry.
            """, hours=3, helpful=True),
            R("hannah", "It blinked! One bulb done. Is there a faster way for the other 11?"),
            R("jonas", """
                Yes: once one bulb is paired, use **Add device → Search for all** and reset the
                rest first. The hub picks up every reset bulb in range in one go.
            """),
            R("hannah", """
                > Search for all

                All eleven found in about a minute. Thank you so much, @jonas!
            """),
            R("aisha", """
                Bookmarking this. I move every year and this was going to be my next
                question.
            """),
        ),
    ),
    Thread(
        "getting-started",
        "aisha",
        "Can I use Lumen without a cloud account?",
        24,
        md("""
            I'd rather not have my lights depend on a server somewhere. Is there a way to
            set up a Hub Mini without an account, or at least keep everything local?
        """),
        replies=(
            R("expert", """
                Partly. You need an account **once**, to set up the hub and download its
                firmware. After that you can switch on **Local only** (Settings → Privacy):

                - the hub stops sending state and history to the cloud;
                - the app talks to the hub over your Wi-Fi only;
                - remote control, voice control and the Cloud API stop working.

                Schedules, sensors and switches carry on, because they run on the hub.
            """, hours=5, helpful=True),
            R("aisha", "That's a good compromise. Can I turn it back on later without resetting?"),
            R("expert", "@aisha yes, it's just a switch. Your rooms and scenes stay as they are."),
            R("ravi", """
                I run in Local only mode with Node-RED talking to the local API. Works fine;
                the only thing I miss is turning lights off from work when I forget.
            """),
        ),
    ),
    Thread(
        "getting-started",
        "george",
        "Do Lumen bulbs work with my old dimmer switches?",
        21,
        md("""
            My house has old rotary dimmer switches in most rooms. Can I just screw Lumen
            bulbs into those fittings, or do the switches need changing?
        """),
        replies=(
            R("fiona", """
                Installer here. Short answer: set the dimmer to **full** and leave it there.
                Smart bulbs need constant power: a dimmer chops the power and the bulb will
                flicker or drop off the network.

                If you want a switch on the wall, the **Lumen Switch** is battery-powered and
                sticks on top of the old switch plate, no electrician needed.
            """, hours=6, helpful=True),
            R("george", """
                Thank you, @fiona. My wife keeps turning the dimmer down "to save power", so
                that explains a lot.
            """),
            R("jonas", """
                Everything @fiona said. One more option if you'd like to keep the rotary feel:
                an electrician can replace the dimmer with a plain switch and you put a Lumen
                Switch next to it.
            """),
            R("george", "Ordered two Lumen Switches. I'll report back."),
        ),
        edits=(
            Edit(
                1,
                "george",
                hours=2,
                append=md("""
                    **Edit:** the switches are the "Classic 400" rotary type, if that matters.
                """),
            ),
        ),
    ),
    Thread(
        "getting-started",
        "noor",
        "Rolling out Lumen Pro across 40 hotel rooms: where do we start?",
        27,
        md("""
            We're adding our newest hotel (40 rooms, lobby, restaurant) to Lumen Pro. Last
            time we set up rooms one by one in the app and it took our team a week.

            Is there a way to set up one room as a **template** and copy it 40 times? And
            how do other hotels handle guests changing the lights?
        """),
        replies=(
            R("fiona", """
                We commission hotels this way:

                1. Build one "golden" room in Lumen Pro: lights, scenes, the bedside switch.
                2. **Zones → Duplicate** it, and import a CSV mapping device IDs to room
                   numbers.
                3. Pair bulbs floor by floor with the Hub Pro's bulk pairing.

                40 rooms is about two days for two people.
            """, hours=2, helpful=True),
            R("lena", """
                @fiona's workflow is the one we recommend. The CSV import is under **Zones →
                Import** and takes `room,device_id,role` columns.
            """),
            R("noor", "Two days instead of a week sounds great. What about guests?"),
            R("advisor", """
                From twenty years of hotel operations: give guests **three scenes** on the
                bedside switch (bright, relax, night) and reset the room on checkout. Every
                extra option becomes a call to reception.
            """, helpful=True),
            R("noor", """
                > Every extra option becomes a call to reception

                Ha, this is painfully true. Can the reset on checkout be automatic?
            """),
            R("lena", """
                @noor yes: Lumen Pro has a "Room reset" action you can call from your property
                management system through the API. @expert can point you at the endpoint.
            """),
        ),
    ),
    Thread(
        "getting-started",
        "ben",
        "Can staff get an app log-in that only controls the dining room?",
        2,
        md("""
            At our restaurants the floor staff use a shared tablet to run the lights. I'd
            like each shift lead to have their own log-in, limited to the dining room and
            bar, without access to the kitchen or the office.

            We're on Hub Mini at one site and Hub Pro at the other. Is that possible on both?
        """),
    ),
]

# Troubleshooting --------------------------------------------------------------------------

THREADS += [
    Thread(
        "troubleshooting",
        "customer",
        "Lights turn on at 3 a.m. by themselves",
        33,
        md("""
            For the last four nights the bedroom lights have come on at around **3 a.m.**
            My partner is not amused.

            - Hub Mini, firmware 4.1.3
            - The only schedule in that room is "Morning": sunrise minus 30 minutes
            - I reset the hub last week after a power cut

            Here's the schedule as the API returns it:

            ```json
            {
              "id": "sch_71c",
              "name": "Morning",
              "trigger": {"type": "sunrise", "offset_minutes": -30},
              "timezone": "UTC",
              "actions": [{"scene": "scn_wake", "transition_s": 900}]
            }
            ```

            Is someone in my house pranking me?
        """),
        key="3am",
        replies=(
            R("marco", """
                Not a prank: look at `"timezone": "UTC"`. Unless you live in Reykjavík, that's
                your problem.
            """, hours=1.5),
            R("expert", """
                @marco is right, and it's a bug on our side, not a setting you got wrong.

                After a reset, 4.1.3 hubs can lose their timezone if the app didn't have
                location permission during setup. Your hub works out sunrise for Toronto
                (06:58), subtracts 30 minutes, and then fires at 06:28 **UTC**, which is
                02:28 your time.

                Workaround until the fix ships:

                1. Open **Settings → Hub → Time zone**.
                2. Pick *America/Toronto* and save.
                3. Check the schedule: `timezone` should now say `America/Toronto`.
            """, hours=3, helpful=True),
            R("customer", """
                > fires at 06:28 UTC, which is 02:28 your time

                That matches exactly. Timezone fixed, let's see what tonight brings.
            """),
            R("claire", """
                Same thing at one of our clinics. The cleaners found all the lights on at
                4 a.m. Thanks for explaining, I'll check all three hubs.
            """),
            R("customer", "Slept through the night. Thank you, @expert!", hours=14),
            R("expert", """
                Glad to hear it. The fix is scheduled for firmware 4.2: the hub will keep its
                timezone through a reset and warn you in the app if it's still on UTC.
            """),
            R("george", "Found the same on my hub; it was set to UTC too. Fixed now, thanks."),
            R("moderator", """
                Marking this as solved. If it happens again on 4.2, please start a new topic
                with your hub model and firmware.
            """),
        ),
        edits=(
            Edit(
                1,
                "customer",
                hours=14 * 24 + 6,
                append=md("""
                    **Update:** solved. It was the hub's timezone; see @expert's reply below.
                    Fixed for good in firmware 4.2.
                """),
            ),
        ),
    ),
    Thread(
        "troubleshooting",
        "elif",
        "Hub Pro drops offline every evening around 7 p.m.",
        16,
        md("""
            One of our three Hub Pros (second floor) goes offline in the app almost every
            evening between 7 and 8 p.m., then comes back by itself an hour later. Lights
            keep working locally, but the dashboard shows it as offline.

            - Hub Pro, firmware 4.2.0, on **Wi-Fi** (no Ethernet on that floor yet)
            - The other two hubs are wired and never drop

            What should I look at first?
        """),
        replies=(
            R("partner", """
                7 p.m. in a coworking space: that's when everyone's phones and laptops are on
                the guest Wi-Fi at once. My first guess is 2.4 GHz congestion. Which channel
                is the hub's access point on?
            """, hours=2),
            R("elif", "Channel 6, same as the guest network. Should I move it?"),
            R("jonas", """
                Yes, and check the Zigbee channel too. Zigbee and 2.4 GHz Wi-Fi share the same
                radio band. Good combinations:

                | Wi-Fi channel | Zigbee channel |
                | --- | --- |
                | 1 | 20 or 25 |
                | 6 | 25 |
                | 11 | 15 |

                You can see the hub's Zigbee channel under **Hub → Diagnostics**.
            """, helpful=True),
            R("elif", """
                Zigbee was on 15, Wi-Fi on 6. Moved the hub's access point to channel 1 and
                Zigbee to 25. Let's see tonight.
            """),
            R("partner", """
                Longer term, a PoE injector and a cable run would take Wi-Fi out of the
                picture entirely. The Hub Pro is happiest on Ethernet.
            """),
            R("elif", """
                Three evenings without a drop. A cable is in next quarter's budget anyway.
                Thanks @partner and @jonas!
            """, hours=72),
            R("hannah", """
                Not a Pro user, but my Hub Mini did something similar and changing the Wi-Fi
                channel fixed it too. Wish I'd found this thread earlier.
            """),
        ),
    ),
    Thread(
        "troubleshooting",
        "moderator",
        "[Resolved] App sign-in failing for some accounts",
        12,
        md("""
            Some of you can't sign in to the Lumen app or the Lumen Pro dashboard since
            about 18:10 UTC: you see *"Something went wrong (E-401)"*.

            **Your lights, schedules and sensors are not affected**: they run on your hub.

            We're on it and will update this post every 30 minutes.
        """),
        kind="discussion",
        locked_by="moderator",
        replies=(
            R("noor", """
                Confirming from Northwind: the dashboard is down for our front desk team at
                all four hotels. Guests are fine.
            """, hours=0.3),
            R("aisha", "Same here on Android. Good to know the lights keep working."),
            R("moderator", """
                **18:55 UTC:** we found the cause: a certificate rotation on our sign-in
                service went wrong for accounts created before 2022. Rolling back now.
            """, hours=0.6),
            R("ravi", """
                API tokens still work, for what it's worth. My scripts haven't noticed
                anything.
            """),
            R("moderator", """
                **19:32 UTC:** fixed. Everyone should be able to sign in again; you may need
                to sign out and back in once. We'll post a short write-up in *Announcements*
                next week. Sorry for the trouble.
            """, hours=0.7),
            R("noor", "All four hotels back in. Thanks for the quick updates, @moderator."),
            R("moderator", """
                Locking this now that it's resolved. If you still can't sign in, please start
                a new topic or contact support.
            """, hours=20),
        ),
    ),
    Thread(
        "troubleshooting",
        "ben",
        "Flicker on dimmed LED strips below 10 % brightness",
        14,
        md("""
            In the dining room we run Lumen Strips under the banquettes at 5 to 8 % during
            dinner service. Since last month they flicker visibly, especially on camera,
            and guests have started filming it. Not the ambience we're going for.

            Two Hub Pros, firmware 4.1.3 at the time I'm writing. The strips were installed
            by @partner last year.
        """),
        replies=(
            R("partner", """
                I remember that job. Those are the 5 m strips on the 24 V drivers. Ben, did
                the flicker start after a firmware update, or after anything was changed
                electrically?
            """, hours=3),
            R("ben", "No electrical changes. I think it started roughly when the hub updated."),
            R("supplier", """
                Applications engineer at Arclight here; we make the drivers in Lumen Strips.
                At very low levels our drivers switch from constant current to PWM dimming.
                If the PWM frequency is low, phone cameras pick it up even when eyes don't.
            """),
            R("jonas", """
                Thanks @supplier, that's exactly it. Firmware 4.1.x set the PWM frequency to
                1 kHz for some driver batches. 4.2.0 raises it to 4 kHz, which cameras don't
                catch. If you can't update yet, this works on the local API:

                ```bash
                curl -X PATCH http://HUB-IP/api/local/v1/lights/lt_3c9e/config \\
                  -H "Authorization: Bearer $LUMEN_LOCAL_KEY" \\
                  -d '{"pwm_frequency_hz": 4000}'
                ```
            """, helpful=True),
            R("ben", """
                Updated both hubs to 4.2 this morning and filmed the strips at 5 %: no flicker
                at all. Thanks, everyone.
            """, hours=30),
            R("supplier", """
                Great. For anyone reading later: any strip driver batch starting **AC-22** is
                affected; the batch number is on the label next to the barcode.
            """),
        ),
    ),
    Thread(
        "troubleshooting",
        "george",
        "Firmware update stuck at 87 %",
        9,
        md("""
            The app has said "Updating hub… 87 %" for two hours. The hub's light is
            pulsing blue. Should I unplug it? I'm worried I'll break it.
        """),
        replies=(
            R("jonas", """
                Please don't unplug it yet! Pulsing blue means it's still writing. 87 % is the
                step where the hub updates the bulbs' firmware, one by one, and that can take
                a while with many bulbs. How many do you have?
            """, hours=0.5),
            R("george", """
                About 25. It's at 94 % now. My serial is LH-MINI-2291-44817 and my phone is
                555-0147 if someone wants to call.
            """),
            R("moderator", """
                Hi George, I've edited your post to take out your serial and phone number:
                this is a public forum. Support can call you; I've sent you their details by
                e-mail.
            """),
            R("george", "Finished at last: 100 % and all lights working. Thank you both."),
            R("jonas", """
                Good news. For next time: with 20+ bulbs, allow about an hour. The bulbs
                update in the background and keep working while they do.
            """, helpful=True),
        ),
        edits=(
            Edit(
                3,
                "moderator",
                hours=0.4,
                replace=(
                    "My serial is LH-MINI-2291-44817 and my phone is\n555-0147 if someone "
                    "wants to call.",
                    "*[Serial number and phone number removed by a moderator.]*",
                ),
            ),
        ),
    ),
    Thread(
        "troubleshooting",
        "hannah",
        "Motion sensor switches the hallway on too late",
        7,
        md("""
            When I come in the front door at night, the hallway light comes on when I'm
            already halfway down the hall. The motion sensor is on the wall opposite the
            door, about 1.5 m high.

            Is there a sensitivity setting I'm missing?
        """),
        replies=(
            R("jonas", """
                Two things usually help:

                - Mount the sensor **higher** (2 to 2.2 m) and angled down: it sees you sooner.
                - In the app, **Sensor → Sensitivity → High** and **Response → Fast**. Fast
                  uses a bit more battery (about 10 months instead of 14).
            """, hours=5, helpful=True),
            R("customer", """
                Also check it isn't looking at a radiator. Mine ignored me all winter
                because the radiator was "warm movement" to it.
            """),
            R("hannah", """
                Moved it up and switched to Fast. It now turns on as the door opens. Perfect.
            """),
            R("aisha", "Adding \"is it facing a radiator\" to my checklist, thanks @customer."),
        ),
    ),
    Thread(
        "troubleshooting",
        "aisha",
        "Error E-104 \"Hub not reachable\" but only on mobile data",
        4,
        md("""
            At home on Wi-Fi everything works. On mobile data the app says **E-104 Hub not
            reachable**. Remote access is on. Android 14, Hub Mini on 4.2.0.

            (Not in Local only mode anymore; I turned it off again after the thread about
            it.)
        """),
        replies=(
            R("moderator", """
                E-104 on mobile data only usually means the app is still using a cached local
                address for the hub. Could you try **Settings → Hub → Reconnect remote
                access**, then force-close the app?
            """, hours=3),
            R("aisha", "No change, unfortunately. Still E-104 on mobile data."),
            R("marco", """
                Some mobile carriers block the relay port. Does it work on a different
                network, say a friend's Wi-Fi? That would tell you whether it's the carrier.
            """),
        ),
    ),
    Thread(
        "troubleshooting",
        "claire",
        "Colour temperature drifts warmer after an hour at full brightness",
        1.5,
        md("""
            In our treatment rooms we run the ceiling lights at 100 %, 5000 K all day. After
            about an hour they look noticeably warmer, more like 4000 K. Our hygienists
            notice it when matching tooth shades.

            Hub Pro, firmware 4.2.0, GU10 bulbs bought last year. Is this normal, or are the
            bulbs faulty?
        """),
    ),
]

# Integrations & API -----------------------------------------------------------------------

THREADS += [
    Thread(
        "integrations-api",
        "ravi",
        "How do I verify the X-Lumen-Signature header on webhooks?",
        31,
        md("""
            I'm receiving `light.state` webhooks in an Express app, but my signature check
            fails on every request. The header looks like this:

            ```
            X-Lumen-Signature: t=1718090412,v1=5f2c8e0a9b...
            ```

            and my check is:

            ```js
            const expected = crypto
              .createHmac("sha256", process.env.LUMEN_WEBHOOK_SECRET)
              .update(JSON.stringify(req.body))
              .digest("hex");
            ```

            What am I missing?
        """),
        replies=(
            R("expert", """
                Two things:

                1. The signed payload is `"{t}.{raw body}"`: the timestamp, a dot, then the
                   body **exactly as we sent it**.
                2. `JSON.stringify(req.body)` re-serialises the JSON, which changes spacing
                   and key order, so the HMAC never matches.

                Here's the reference check in Python:

                ```python
                import hashlib
                import hmac
                import time


                def verify(secret: str, header: str, body: bytes, tolerance: int = 300) -> bool:
                    parts = dict(item.split("=", 1) for item in header.split(","))
                    if abs(time.time() - int(parts["t"])) > tolerance:
                        return False  # too old: possibly a replay
                    signed = parts["t"].encode() + b"." + body
                    expected = hmac.new(secret.encode(), signed, hashlib.sha256).hexdigest()
                    return hmac.compare_digest(expected, parts["v1"])
                ```
            """, hours=2, helpful=True),
            R("ravi", """
                > the body **exactly as we sent it**

                That was it. For other Express users, use the raw body on that route:

                ```js
                app.post("/lumen", express.raw({ type: "application/json" }), (req, res) => {
                  const { t, v1 } = Object.fromEntries(
                    req.get("X-Lumen-Signature").split(",").map((p) => p.split("="))
                  );
                  const expected = crypto
                    .createHmac("sha256", process.env.LUMEN_WEBHOOK_SECRET)
                    .update(`${t}.`)
                    .update(req.body)
                    .digest("hex");
                  if (!crypto.timingSafeEqual(Buffer.from(expected), Buffer.from(v1))) {
                    return res.sendStatus(401);
                  }
                  res.sendStatus(204);
                });
                ```
            """),
            R("marco", """
                Thanks both. Worth adding the Express example to the docs, @expert? Half the
                webhook questions I've seen elsewhere are this exact mistake.
            """),
            R("expert", """
                Good idea: added to the webhook docs today, with Python, Node and Go examples.
            """),
            R("elif", "The Go example saved me an afternoon. Thanks!"),
            R("ravi", "Marking Priya's answer as helpful for the next person. Works perfectly."),
        ),
    ),
    Thread(
        "integrations-api",
        "marco",
        "Getting 429s when syncing 60 bulbs through /v2/lights",
        22,
        md("""
            My sync script updates 60 lights every time a scene changes, one request per
            light:

            ```bash
            for id in $(cat lights.txt); do
              curl -s -X PUT "https://api.lumenhome.example/v2/lights/$id/state" \\
                -H "Authorization: Bearer $LUMEN_TOKEN" \\
                -d '{"on": true, "brightness": 60}'
            done
            ```

            After about 20 requests I get `429 Too Many Requests`. What are the actual
            limits?
        """),
        replies=(
            R("expert", """
                The Cloud API allows **10 requests per second per token**, with bursts up to
                20. Every response tells you where you stand:

                ```
                X-RateLimit-Limit: 10
                X-RateLimit-Remaining: 0
                Retry-After: 2
                ```

                For many lights at once, use the batch endpoint instead: up to 100 changes in
                one request, and it counts as one.
            """, hours=1),
            R("expert", r"""
                Example:

                ```bash
                curl -X POST https://api.lumenhome.example/v2/batch \
                  -H "Authorization: Bearer $LUMEN_TOKEN" \
                  -H "Content-Type: application/json" \
                  -d @- <<'JSON'
                {
                  "operations": [
                    {"light": "lt_8f2a", "state": {"on": true, "brightness": 60}},
                    {"light": "lt_8f2b", "state": {"on": true, "brightness": 60}}
                  ]
                }
                JSON
                ```

                The response lists each operation's result, so one offline bulb doesn't fail
                the rest:

                ```json
                {"results": [{"light": "lt_8f2a", "status": 200},
                             {"light": "lt_8f2b", "status": 504, "error": "light_offline"}]}
                ```
            """, hours=0.2, helpful=True),
            R("marco", """
                60 requests down to 1. No more 429s. I didn't know `/v2/batch` existed; it's
                not in the quick-start.
            """),
            R("ravi", """
                If you're on the same network as the hub, the local API has no rate limit at
                all. I only use the cloud for things that need to work away from home.
            """),
            R("expert", """
                > it's not in the quick-start

                Fair point, @marco. It will be by the end of the week.
            """),
            R("marco", "Also: the scene endpoint would have done this in one call. Oh well."),
            R("jonas", """
                And it's gentler on the Zigbee network: a batch goes out as one group command
                instead of 60 individual messages.
            """),
        ),
    ),
    Thread(
        "integrations-api",
        "ravi",
        "Node-RED and openHAB: local push or cloud polling?",
        26,
        md("""
            I see two ways to connect Lumen to a home automation controller:

            1. **Cloud API** polling (or webhooks, if you have a public endpoint)
            2. **Local API** with the `/events` stream from the hub

            I'm on local push in Node-RED and latency is ~50 ms. What do the rest of you
            use, and why?
        """),
        kind="discussion",
        replies=(
            R("marco", """
                Local push, via my own bridge that republishes hub events to MQTT. Config is
                small:

                ```yaml
                hub:
                  host: 192.168.1.40
                  local_key: !secret lumen_local_key
                mqtt:
                  server: mqtt://192.168.1.10:1883
                  base_topic: lumen
                events:
                  poll_interval: 0  # 0 = use the hub's /events stream
                ```

                Anything that speaks MQTT (openHAB included) can then use Lumen.
            """, hours=3),
            R("elif", """
                Cloud, at work: our booking system runs in a data centre and can't reach the
                hubs' network. Webhooks in, batch calls out. Works fine for us.
            """),
            R("ravi", """
                > Cloud, at work

                Makes sense for multi-site. At home I don't want my hallway light to depend on
                my ISP.
            """),
            R("fiona", """
                Installer view: we set up most business customers on cloud plus webhooks,
                because they want one integration for all sites. Homes with a tinkerer in
                residence get local.
            """),
            R("expert", """
                Both are supported and neither is going away. Two tips for local push:

                - The `/events` stream sends a `ping` every 30 s; reconnect if you miss two.
                - After reconnecting, fetch `/api/local/v1/lights` once: events sent while
                  you were away are not replayed.
            """, helpful=True),
            R("customer", """
                I'm on openHAB with @marco's bridge. Setup took an evening, most of it
                reading the openHAB docs rather than anything Lumen-related.
            """),
            R("olu", """
                Student question: why is local so much faster? Isn't the cloud just a few
                hundred milliseconds away?
            """),
            R("ravi", """
                @olu cloud means phone → internet → Lumen's servers → back to your house →
                hub → bulb. Local is controller → hub → bulb, all in your flat. Each hop adds
                latency and a way to fail.
            """),
            R("olu", "That's a great explanation, thank you."),
        ),
    ),
    Thread(
        "integrations-api",
        "elif",
        "OAuth refresh tokens stop working after about 30 days?",
        11,
        md("""
            Our integration uses OAuth with the Lumen Cloud API. Roughly once a month the
            refresh fails with:

            ```json
            {"error": "invalid_grant", "error_description": "refresh token revoked"}
            ```

            and someone has to log in again. Are refresh tokens limited to 30 days?
        """),
        replies=(
            R("expert", """
                Refresh tokens **rotate**: every refresh returns a *new* refresh token and
                revokes the old one. If you keep using the first one, it works until it's
                older than 30 days, then fails.

                Store the `refresh_token` from each response:

                ```python
                tokens = lumen.refresh(stored["refresh_token"])
                stored.update(
                    access_token=tokens["access_token"],
                    refresh_token=tokens["refresh_token"],  # the new one!
                )
                ```

                As long as you refresh at least once every 30 days, it never expires.
            """, hours=4, helpful=True),
            R("elif", """
                That's it: our job saved the access token but never the new refresh token.
                Embarrassing, but fixed. Thank you!
            """),
            R("ravi", """
                Not embarrassing at all; the Spotify and Google APIs behave differently, so
                everyone gets caught by this once.
            """),
            R("expert", """
                We're adding a warning to the token response when a refresh token is used a
                second time, so this shows up in logs sooner.
            """),
        ),
    ),
    Thread(
        "integrations-api",
        "marco",
        "MQTT bridge: any official plans? (coming from Hue and Zigbee2MQTT)",
        17,
        md("""
            Before Lumen I ran Hue bulbs through Zigbee2MQTT. Honestly, the one thing I miss
            is native MQTT: everything in my house speaks it. My bridge works, but an
            official one would be better.

            Any plans? And for those who've used both: how do you find Lumen vs Hue for
            automation?
        """),
        replies=(
            R("ravi", """
                Used both. Hue's ecosystem is bigger, no question. Lumen's local API is
                better documented and the events stream beats polling the Hue bridge. For me
                it's a draw, slightly in Lumen's favour because of Matter.
            """, hours=5),
            R("customer", """
                Hue has more bulb shapes. Lumen's app is nicer for scenes. Both are fine;
                pick whichever your walls already have.
            """),
            R("lena", """
                Honest answer: native MQTT is on our list for the hub, but not in the next
                two releases. Matter came first because it helps more people. Until then,
                @marco's bridge is what we point people to.
            """),
            R("marco", """
                Fair, and thanks for being straight. I'll keep maintaining the bridge. PRs
                welcome, everyone.
            """),
            R("partner", """
                For what it's worth, half my installs are people switching *from* Hue for
                the hub's local features. Different needs, different products.
            """),
        ),
    ),
    Thread(
        "integrations-api",
        "olu",
        "Example for the scenes endpoint in Go?",
        3,
        md("""
            For a university project I'm writing a small Go service that switches scenes by
            time of day. I can list scenes with `GET /v2/scenes`, but activating one returns
            `400`:

            ```go
            req, _ := http.NewRequest("POST", base+"/v2/scenes/"+id+"/activate", nil)
            req.Header.Set("Authorization", "Bearer "+token)
            ```

            ```json
            {"error": "invalid_request", "error_description": "body required"}
            ```

            What should the body be? Is there a Go example somewhere?
        """),
    ),
]

# Ideas & feedback -------------------------------------------------------------------------

THREADS += [
    Thread(
        "ideas-feedback",
        "customer",
        "Idea: a vacation mode that replays our real evenings",
        37,
        md("""
            Random on/off timers are obvious to anyone watching the house: the bathroom
            light at 3 p.m., the bedroom light for 4 minutes at 9 p.m.

            **Idea:** the hub already knows when we actually switch lights. A *vacation
            mode* could replay the last two weeks of our real evenings, shifted by a few
            random minutes each day.
        """),
        kind="discussion",
        replies=(
            R("aisha", "+1. Would use this every time I visit family."),
            R("george", """
                Yes please. And it should be one button, not a schedule I have to build
                myself.
            """),
            R("ravi", """
                I built a rough version in Node-RED: record `light.state` events for 14 days,
                replay them with ±15 minutes of jitter. Happy to share the flow.
            """),
            R("lena", """
                Love this, thanks @customer. "Vacation mode" is already one of the most
                requested features, and the *replay your real evenings* angle is better than
                what we had in mind (a fixed random pattern).

                No date yet, but it's in discovery. Would any of you be up for a 30-minute
                call about how you'd use it?
            """, helpful=True),
            R("customer", "Count me in for the call."),
            R("aisha", "Me too!"),
            R("advisor", """
                One thought from the hotel world: let people exclude rooms. Nobody wants the
                "replay" to include the night they were up with a sick child at 4 a.m.
            """),
            R("lena", """
                > let people exclude rooms

                Great point, @advisor, noted. I've messaged everyone who offered to join a
                call.
            """),
        ),
    ),
    Thread(
        "ideas-feedback",
        "noor",
        "Export energy use per room as CSV",
        20,
        md("""
            Our sustainability report needs lighting energy per hotel, per floor, per month.
            Lumen Pro shows nice charts, but I end up copying numbers by hand.

            Could we get a **CSV export** with one row per room per day?

            ```
            date,site,zone,room,kwh
            2024-05-01,Northwind Harbour,Floor 2,201,0.42
            ```
        """),
        replies=(
            R("claire", "Same need for our three clinics. Monthly would be enough for us."),
            R("advisor", """
                Strongly agree. Finance teams live in spreadsheets; a chart they can't export
                is a chart they don't trust.
            """),
            R("lena", """
                Thanks @noor, the sample row is really useful. Quick question for both of you:
                would a monthly e-mailed report work, or do you need to pick the date range
                yourselves?
            """),
            R("noor", "Date range, please. Auditors always ask for odd periods."),
            R("claire", "Monthly e-mail would do for us, but a date range wouldn't hurt."),
            R("lena", """
                Understood. For the moment, the API's `/v2/energy` endpoint has this data
                per device; @expert can share a script that turns it into this CSV while we
                build the export.
            """),
        ),
    ),
    Thread(
        "ideas-feedback",
        "lena",
        "What's one thing you'd change about the app's home screen?",
        10,
        md("""
            We're redesigning the app's home screen this quarter. Before we draw anything,
            I'd like to hear from you: **what's the one thing you'd change?**

            Short answers are perfect. Screenshots of your current home screen welcome,
            but please crop out anything personal.
        """),
        kind="discussion",
        replies=(
            R("customer", """
                Let me pin my three favourite scenes to the top. I scroll past 12 rooms to
                get to "Movie night".
            """, hours=1),
            R("george", """
                Bigger text and buttons, and a mode that hides everything except rooms and an
                all-off button.
            """),
            R("hannah", """
                Show which lights are on *right now*. I leave the house and wonder if I left
                the bedroom on.
            """),
            R("prospect", """
                Not a user yet, but I tried the demo in the App Store and didn't understand
                the difference between a room and a zone.
            """),
            R("marco", """
                An "all off" button that actually turns everything off, including strips in
                rooms I've hidden.
            """),
            R("advisor", """
                @hannah's point is the big one: *what's on* is the question people open a
                lighting app to answer.
            """),
            R("aisha", "Dark mode that follows the phone's setting."),
            R("lena", """
                Thank you all, this is gold. Summary so far:

                1. Favourite scenes at the top (@customer)
                2. What's on right now (@hannah, @advisor)
                3. Simpler, larger mode (@george)
                4. Rooms vs zones is confusing (@prospect)

                I'll share the first sketches here in a couple of weeks.
            """, helpful=True),
        ),
    ),
    Thread(
        "ideas-feedback",
        "elif",
        "Dark mode for the Lumen Pro web dashboard",
        8,
        md("""
            Our night receptionists use the dashboard on a big monitor at 2 a.m. The white
            background is painful. A dark mode, or just following the system setting,
            would be much appreciated.
        """),
        replies=(
            R("noor", "Same request from our night staff at all four hotels."),
            R("lena", """
                Noted, and it's small enough to fit in soon. The app's redesign includes dark
                mode, and the dashboard will get it at the same time.
            """),
            R("elif", "Great, thanks @lena."),
        ),
    ),
    Thread(
        "ideas-feedback",
        "george",
        "Accessibility: bigger buttons and proper VoiceOver labels",
        15,
        md("""
            I use VoiceOver on my iPhone. In the Lumen app:

            - the brightness slider reads as *"slider, 47 percent"* with no room name;
            - scene buttons read as *"button"*, with no scene name at all;
            - the colour wheel can't be used without sight.

            Lighting matters more, not less, when you can't see well. Please fix these.
        """),
        replies=(
            R("lena", """
                Thank you for taking the time to list these, @george. You're right, and the
                missing scene names are a bug we should have caught. They're fixed in the
                next app release (two weeks).
            """, hours=3),
            R("advisor", """
                For the colour wheel: offer named presets ("warm white", "daylight", "red")
                as buttons. Better for everyone, not just screen-reader users.
            """, helpful=True),
            R("journalist", """
                I'm writing about accessibility in smart home apps. George, would you be
                willing to talk to me about your experience? On the record only if you
                agree; no pressure at all.
            """),
            R("george", "Happy to, Rachel. I'll send you an e-mail."),
            R("lena", """
                Update: the release with scene names and proper slider labels is out today.
                Named colour presets are next, thanks to @advisor's suggestion.
            """, hours=12 * 24),
        ),
    ),
]

# Partner lounge ---------------------------------------------------------------------------

THREADS += [
    Thread(
        "partner-lounge",
        "manager",
        "Lumen Pro certification track opens next month",
        23,
        md("""
            Partners, a heads-up before we announce it publicly:

            - A new **Lumen Pro certification** (two days, remote) covers multi-site
              commissioning, zones and the CSV import.
            - Certified partners get listed first in the installer finder for business
              customers, and early access to Pro firmware.
            - The first cohort is limited to 20 places; partners in this lounge get first
              pick.

            Reply here if you'd like a place, and tell us what you'd want covered.
        """),
        kind="discussion",
        replies=(
            R("fiona", """
                Two places for HomeGrid, please. Could you cover troubleshooting Zigbee
                channel conflicts in buildings with many access points? That's most of our
                site visits.
            """, hours=4),
            R("partner", """
                One place for Voltwise. And please cover pricing conversations: customers
                ask what a Pro setup costs per room and we all make up different answers.
            """),
            R("jonas", """
                @fiona I'll run the Zigbee session myself; bring your worst war stories.
            """),
            R("manager", """
                Both noted. Places confirmed for HomeGrid (2) and Voltwise (1); details by
                e-mail this week.
            """),
        ),
    ),
    Thread(
        "partner-lounge",
        "fiona",
        "Commissioning 100+ bulbs on site: what's your workflow?",
        18,
        md("""
            We have a clinic group with 140 bulbs across two floors coming up. Last time
            something similar took three of us a full day, mostly walking around resetting
            and naming bulbs.

            How do you all do it? Any tricks for labelling?
        """),
        replies=(
            R("partner", """
                Our routine:

                1. Before the visit, print QR labels from the Lumen Pro import CSV, one per
                   fitting.
                2. On site: pair by floor with bulk pairing, then use **Identify** (the bulb
                   blinks) and scan the label in the installer app.
                3. Import the zones CSV at the end.

                About 150 bulbs a day for two people.
            """, hours=5, helpful=True),
            R("jonas", """
                One trick: pair with the hub in the middle of the floor, not in the comms
                room. Bulbs form the mesh around where they first joined.
            """, helpful=True),
            R("fiona", """
                > print QR labels from the Lumen Pro import CSV

                I didn't know the installer app could scan them. That alone saves hours.
            """),
            R("manager", "Worth a short video for all partners? I'll ask @jonas nicely."),
            R("jonas", "Recording it next week on the demo floor."),
            R("fiona", """
                Did 140 bulbs in one day with two people using this. Thanks @partner and
                @jonas!
            """, hours=8 * 24),
        ),
    ),
    Thread(
        "partner-lounge",
        "partner",
        "Customer wants a Hue-to-Lumen migration quote: how do you price it?",
        5,
        md("""
            A restaurant with about 60 Hue bulbs and a Hue bridge wants to move to Lumen
            for the local control. Do you quote per bulb, per room, or a day rate? And do
            you take the old bulbs back?
        """),
        kind="discussion",
        replies=(
            R("fiona", """
                Day rate for the work plus per-device commissioning. We don't take old bulbs;
                we suggest donating them to a local repair café.
            """, hours=6),
            R("manager", """
                Reminder that the **trade-in programme** gives the customer 15 % off new
                bulbs for each bulb they send back to us, whatever the brand. Partners can
                apply it on the order.
            """, helpful=True),
            R("partner", "Didn't know trade-in applied to other brands. That changes the quote."),
        ),
    ),
]

# Team room --------------------------------------------------------------------------------

THREADS += [
    Thread(
        "team-room",
        "expert",
        "Root cause: 3 a.m. wake-ups (timezone lost after hub reset)",
        30,
        md("""
            Summary of [the 3 a.m. thread](topic:3am) for everyone:

            - **Cause:** after a factory reset, 4.1.3 sets the hub's timezone from the
              phone's location during setup. No location permission → falls back to UTC.
            - **Effect:** sunrise/sunset schedules fire offset by the UTC difference.
            - **Affected:** about 2 % of hubs reset since 4.1.3 (~1,900 hubs).
            - **Fix:** timezone kept across resets, plus an in-app warning when it's UTC.
              Targeting 4.2.

            I'd like support to contact affected customers proactively. @moderator?
        """),
        kind="discussion",
        replies=(
            R("moderator", """
                Yes. Send me the list of hub IDs and I'll set up an e-mail with the
                workaround. The forum thread has already helped; three more customers found
                it this week.
            """, hours=2),
            R("lena", """
                Adding the in-app warning to the 4.2 release notes as a fix, not a feature.
            """),
            R("manager", """
                I'll post in the thread when 4.2 ships so the people there hear it first.
            """),
        ),
    ),
    Thread(
        "team-room",
        "manager",
        "Draft answers for The Connected Home Review's privacy questions",
        6,
        md("""
            @journalist sent us five questions for her article on smart lighting and
            privacy. Draft answers below; please correct anything that's wrong by Thursday.

            1. *What does Lumen collect?* Device state and history, to show it in the app.
               In **Local only** mode, nothing leaves the hub.
            2. *Do you sell data?* No, and our terms say so.
            3. *Can employees see when I'm home?* Support can see device state only with
               the customer's permission, for a limited time.
            4. *How long is history kept?* 90 days, then deleted.
            5. *What about Matter?* Matter control is local; no extra data goes to us.
        """),
        kind="discussion",
        replies=(
            R("expert", """
                Correction on 4: **history is kept for 90 days, but aggregated energy data
                is kept for 2 years** (customers asked for year-on-year charts). Let's say
                so plainly rather than have her find it.
            """, hours=3, helpful=True),
            R("moderator", """
                On 3: support access needs the customer's permission *each time* and expires
                after 72 hours. Worth being precise.
            """),
            R("lena", "Agree with both. Also link the privacy page in answer 1."),
            R("manager", "Updated with all three. Sending to Rachel tomorrow morning."),
        ),
    ),
    Thread(
        "team-room",
        "manager",
        "Community review, week 6: unanswered questions and themes",
        0.8,
        md("""
            Quick weekly review:

            - **Unanswered:** a colour temperature drift question from Brightside Dental
              (@claire), a Go example for scenes, and restaurant staff log-ins from Fern &
              Fig (@ben). @jonas, @expert, @lena, could you each take one?
            - **Theme:** business customers want per-person access and exports (CSV, dark
              mode on the dashboard). @lena, worth a section in the roadmap update?
            - **Good news:** two partners now answer beginners' questions in *Getting
              started*, and the accessibility release landed well.
        """),
        kind="discussion",
        replies=(
            R("jonas", """
                I'll take the colour drift one. It's thermal: GU10s in enclosed fittings run
                hot and the phosphor shifts. I'll ask Claire about the fittings.
            """, hours=1),
            R("expert", "Go example: on it, I'll post a full program.", hours=0.5),
            R("lena", """
                I'll answer Ben: per-person access needs a Hub Pro and Lumen Pro. And yes to
                a roadmap section for business customers.
            """, hours=2),
            R("manager", "Thanks all. I'll check back on Friday.", hours=1),
        ),
    ),
]

# Off-topic --------------------------------------------------------------------------------

THREADS += [
    Thread(
        "off-topic",
        "marco",
        "Show us your setup",
        28,
        md("""
            Let's see them. Mine: 42 lights, 6 strips, a Hub Mini and a Raspberry Pi
            running the MQTT bridge, all in a 1930s flat with terrible wiring. The strip
            behind the bookshelf is my favourite thing in the house.

            Describe yours, or post a photo (crop out anything personal, please).
        """),
        kind="discussion",
        replies=(
            R("customer", """
                Three floors, 34 bulbs, 6 strips. The basement home cinema has a strip behind
                the screen that follows the film's colours through the API. My proudest and
                most pointless achievement.
            """, hours=3),
            R("olu", """
                A shared kitchen with four bulbs and a strip under the cabinets. Small, but I
                run a different colour-temperature experiment every week.
            """),
            R("ben", """
                Two restaurants, 180 lights. The best part is the bar: strips under the
                counter at 3 % during service. Guests think it's candles.
            """),
            R("journalist", """
                These are great. Would any of you be willing to have your setup featured in
                a photo story? I'd credit you however you like, or not at all.
            """),
            R("customer", "Sure, happy to. The cinema is ready for its close-up."),
        ),
    ),
    Thread(
        "off-topic",
        "journalist",
        "Journalist here: talking to people who use smart lighting at work",
        13,
        md("""
            Hi all, Rachel from *The Connected Home Review*. I'm writing about smart
            lighting in small businesses: restaurants, clinics, offices. What works, what
            doesn't, what you wish you'd known.

            If you'd like to talk, reply here or e-mail me. To be clear: this is for an
            article, and I'll always ask before quoting anything from this community.
        """),
        kind="discussion",
        replies=(
            R("ben", """
                Happy to talk. Lighting is half of a restaurant's atmosphere and nobody
                writes about it.
            """, hours=4),
            R("claire", "I could talk about dental clinics, if that's useful."),
            R("moderator", """
                Thanks for being upfront about it, @journalist. A reminder for everyone: please
                arrange interviews by e-mail rather than posting phone numbers here.
            """),
            R("journalist", "Thank you both, e-mails sent."),
        ),
    ),
    Thread(
        "off-topic",
        "customer",
        "What are you reading or listening to this month?",
        9,
        md("""
            Non-lighting chat. I'm halfway through *The Design of Everyday Things* (again)
            and listening to far too many podcasts about bridges.
        """),
        kind="discussion",
        replies=(
            R("olu", """
                *Interior Lighting for Designers*, for class. More fun than it sounds, I
                promise.
            """),
            R("hannah", "A book on fixing up old houses. Relevant, sadly."),
            R("ravi", "*Designing Data-Intensive Applications*. Not relaxing, but good."),
            R("aisha", "Audiobooks while I pack for my next move. Current one is a thriller."),
            R("customer", """
                > Interior Lighting for Designers

                @olu adding this to my list. Any chapter you'd start with?
            """),
        ),
    ),
]
# fmt: on
