"""``python manage.py seed_demo``: a demo organisation to explore Cercle with.

Forty named people in six communities with their conversations, plus ``--members``
(default 300) generated colleagues of every motivation profile type with 90 days of
history in the communities one may join or ask to join, and four more
(:mod:`bench.generator`): posts, questions and answers, comments, reactions, polls,
events, kudos and the activity log the dashboards read.

Idempotent: people are found by email, communities by slug and posts by title, and the
generated colleagues (``<first>.<last>.<number>@acme.example``) are added only when
none exist yet, so running it again changes nothing.
"""

from datetime import time, timedelta

from django.contrib.auth.hashers import make_password
from django.contrib.sites.models import Site
from django.core.management.base import BaseCommand
from django.db import transaction
from django.utils import timezone

from bench.generator import CommunitySpec, generate
from communities.models import Comment, Community, Membership, NotificationLevel, Post
from communities.services.comments import answer_accept, comment_create
from communities.services.communities import community_create
from communities.services.events import rsvp_set
from communities.services.invitations import invitation_create
from communities.services.memberships import membership_add, membership_request
from communities.services.polls import poll_vote
from communities.services.posts import post_create
from communities.services.reactions import reaction_toggle
from metrics.profile_labels import profile_labels_evaluate, profile_types_enabled
from metrics.rollups import rollups_rebuild
from notifications.models import Conversation, NotificationSettings
from notifications.services.announcements import announcement_acknowledge
from notifications.services.conversations import conversation_start, message_send
from profiles.models import Follow, Kudos, User
from profiles.recognition.badges import badges_ensure_definitions
from profiles.recognition.kudos import kudos_give
from profiles.services import follow_create, user_profile_update
from profiles.tasks import badges_backfill

DEMO_PASSWORD = "cercle-demo-2026"
DEMO_DOMAIN = "acme.example"

DEPARTMENTS = {
    "Engineering": ["Software engineer", "Site reliability engineer", "Engineering manager"],
    "Sales": ["Account executive", "Sales director"],
    "Marketing": ["Content strategist", "Brand manager"],
    "Human Resources": ["HR business partner", "Talent acquisition lead"],
    "Finance": ["Controller", "Financial analyst"],
    "Operations": ["Operations manager", "Supply chain planner"],
    "Customer Success": ["Customer success manager", "Support specialist"],
}

PEOPLE = [
    "Camille Martin",
    "Lucas Bernard",
    "Léa Dubois",
    "Hugo Thomas",
    "Chloé Robert",
    "Louis Richard",
    "Emma Petit",
    "Gabriel Durand",
    "Manon Leroy",
    "Arthur Moreau",
    "Inès Simon",
    "Jules Laurent",
    "Sarah Lefebvre",
    "Adam Michel",
    "Jade Garcia",
    "Raphaël David",
    "Louise Bertrand",
    "Nathan Roux",
    "Alice Vincent",
    "Théo Fournier",
    "Zoé Morel",
    "Paul Girard",
    "Lina André",
    "Tom Mercier",
    "Eva Dupont",
    "Noah Lambert",
    "Rose Bonnet",
    "Ethan François",
    "Anna Martinez",
    "Sacha Legrand",
    "Mila Garnier",
    "Maël Faure",
    "Julia Rousseau",
    "Victor Blanc",
    "Nina Guerin",
    "Oscar Muller",
    "Clara Henry",
    "Malo Roussel",
    "Lou Nicolas",
    "Axel Perrin",
]

COMMUNITIES = [
    {
        "slug": "general",
        "name": "General",
        "description": "Company-wide news, questions and conversations. Everyone is here.",
        "visibility": Community.Visibility.PUBLIC,
        "join_policy": Community.JoinPolicy.OPEN,
        "members": "all",
    },
    {
        "slug": "engineering-guild",
        # A tight-knit guild: members hear of every new post.
        "default_notification_level": NotificationLevel.ALL,
        "name": "Engineering Guild",
        "description": "Architecture, tooling and practices shared across all product teams.",
        "visibility": Community.Visibility.PUBLIC,
        "join_policy": Community.JoinPolicy.OPEN,
        "members": ["Engineering", "Operations"],
    },
    {
        "slug": "customer-voice",
        "name": "Customer Voice",
        "description": "What customers tell us, and what we do about it.",
        "visibility": Community.Visibility.PUBLIC,
        "join_policy": Community.JoinPolicy.OPEN,
        "members": ["Sales", "Customer Success", "Marketing"],
    },
    {
        "slug": "people-managers",
        "name": "People Managers",
        "description": "A private circle for managers: hiring, feedback, team rituals.",
        "visibility": Community.Visibility.PRIVATE,
        "join_policy": Community.JoinPolicy.REQUEST,
        "members": ["Human Resources"],
    },
    {
        "slug": "community-managers-circle",
        "name": "Community Managers Circle",
        "description": "What happens here stays here. Monthly meetups, quarterly summits.",
        "visibility": Community.Visibility.PRIVATE,
        "join_policy": Community.JoinPolicy.INVITATION,
        "members": ["Marketing", "Human Resources"],
    },
    {
        "slug": "project-aurora",
        "name": "Project Aurora",
        "description": "Confidential: the acquisition working group.",
        "visibility": Community.Visibility.SECRET,
        "join_policy": Community.JoinPolicy.INVITATION,
        "members": ["Finance"],
    },
]

LOCATIONS = [
    ("Paris", "Europe/Paris", ["fr", "en"]),
    ("Lyon", "Europe/Paris", ["fr", "en"]),
    ("Montréal", "America/Toronto", ["fr", "en"]),
    ("London", "Europe/London", ["en"]),
    ("Barcelona", "Europe/Madrid", ["es", "en", "fr"]),
]
SKILLS = {
    "Engineering": ["Python", "PostgreSQL", "Kubernetes", "Observability", "Django"],
    "Sales": ["Negotiation", "Salesforce", "Key accounts"],
    "Marketing": ["Copywriting", "SEO", "Brand strategy"],
    "Human Resources": ["Recruiting", "Coaching", "Labour law"],
    "Finance": ["Controlling", "IFRS", "Excel modelling"],
    "Operations": ["Lean", "Supply chain", "PostgreSQL"],
    "Customer Success": ["Onboarding", "Customer training", "Zendesk"],
}
# Communities the generated colleagues gather in besides the six above.
GENERATED_COMMUNITIES = [
    CommunitySpec(
        "data-analytics",
        "Data & Analytics",
        "Dashboards, SQL and models: ask, share, review.",
        departments=("Data", "Finance", "Engineering"),
    ),
    CommunitySpec(
        "green-team",
        "Green Team",
        "Less waste, fewer flights, more bikes. Ideas and small wins.",
    ),
    CommunitySpec(
        "new-joiners",
        "New Joiners",
        "Welcome! Questions about tools, processes and who does what.",
        departments=("Human Resources",),
    ),
    CommunitySpec(
        "sales-enablement",
        "Sales Enablement",
        "Pitches, objections and wins from the field.",
        Community.Visibility.PRIVATE,
        Community.JoinPolicy.REQUEST,
        departments=("Sales", "Marketing", "Customer Success"),
    ),
]
GENERATED_EMAIL = r"\.[0-9]{6}@" + DEMO_DOMAIN.replace(".", r"\.") + "$"
INTERESTS = ["Running", "Photography", "Jazz", "Climbing", "Cooking", "Chess", "Gardening"]


# Each post: (title, body, extras). Extras may hold a kind, a poll or an event, the
# comments (author index in the community, body, replies) and reactions.
POSTS = {
    "general": [
        (
            "Welcome to Cercle",
            "Our conversations move here from email. **Join the communities** that matter to "
            "you and set your notifications so you only get what you need. #onboarding",
            {
                "kind": Post.Kind.ANNOUNCEMENT,
                "requires_acknowledgement": True,
                "acknowledged_by": 14,
                "author": 1,
                "reactions": {"like": 12, "celebrate": 6},
                "comments": [
                    (5, "Great news, my inbox thanks you!", [(1, "That is the idea :)")]),
                    (9, "Is there a mobile app?", [(1, "Yes, it uses the same API.")]),
                ],
            },
        ),
        (
            "Where do I find the travel policy?",
            "I am flying to Lyon next month: is the 2026 travel policy published somewhere? "
            "#travel",
            {
                "kind": Post.Kind.QUESTION,
                "author": 7,
                "comments": [
                    (12, "Finance keeps it on the intranet, section *Expenses*.", []),
                    (4, "Here: the 2026 version is in the Finance community files.", []),
                ],
                "accept": 1,
                "reactions": {"helpful": 4},
            },
        ),
        (
            "Which day for the summer party?",
            "Help us pick the date of the summer party. #events",
            {
                "kind": Post.Kind.POLL,
                "author": 1,
                "poll": {"options": ["Thursday 2 July", "Friday 3 July", "Friday 10 July"]},
                "votes": [0, 1, 1, 2, 1, 0, 1, 1, 2, 1],
            },
        ),
    ],
    "engineering-guild": [
        (
            "RFC: one logging format for all services",
            "Proposal: structured JSON logs everywhere.\n\n1. same field names\n2. request ids "
            "propagated\n3. no PII\n\nComments welcome before Friday. #observability",
            {
                "comments": [
                    (2, "+1, and let us agree on the level names too.", [(0, "Good point.")]),
                    (3, "Can we keep plain text for local development?", []),
                    (4, "We did this in billing last year, happy to share the config.", []),
                ],
                "reactions": {"insightful": 5, "like": 3},
            },
        ),
        (
            "Brown-bag: PostgreSQL indexing",
            "Bring your slow queries! Room Ada and online. #postgresql",
            {
                "kind": Post.Kind.EVENT,
                "author": 1,
                "event": {
                    "starts_in_days": 6,
                    "hours": 1,
                    "location": "Room Ada, 3rd floor",
                    "online_url": "https://meet.acme.example/brown-bag",
                    "capacity": 8,
                },
                "rsvps": ["yes", "yes", "maybe", "yes", "no", "yes"],
            },
        ),
    ],
    "customer-voice": [
        (
            "Top 5 requests this quarter",
            "From 212 calls: exports, SSO, mobile offline mode, bulk edit and audit logs. #roadmap",
            {
                "comments": [(2, "Offline mode keeps coming back in retail accounts.", [])],
                "reactions": {"insightful": 4},
            },
        ),
    ],
    "people-managers": [
        (
            "Running better 1:1s",
            "What has worked for you? I now start with *what is on your mind* and keep status "
            "updates for the written stand-up. #management",
            {"comments": [(2, "A shared running doc changed everything for my team.", [])]},
        ),
    ],
    "community-managers-circle": [
        (
            "Next meetup: measuring what we act on",
            "Agenda: the metrics task force shares its first dashboard. Reminder: what happens "
            "here stays here. #metrics",
            {"reactions": {"like": 3}},
        ),
    ],
    "project-aurora": [
        (
            "Due diligence checklist",
            "The checklist is in the data room. Owners please update your sections by Wednesday.",
            {"comments": [(1, "Legal section updated.", [])]},
        ),
    ],
}


class Command(BaseCommand):
    help = "Creates a demo organisation (people, communities, posts). Safe to run again."

    def add_arguments(self, parser):
        parser.add_argument(
            "--members",
            type=int,
            default=300,
            help="Generated colleagues with 90 days of history (0: the named people only).",
        )
        parser.add_argument("--seed", type=int, default=2026, help="Seed of the generated history.")

    def _seed_metrics(self) -> None:
        """The participation rollups over the 90 days of history and the profile types of
        the last five weeks (those with at least 60 days of history behind them), as the
        beat tasks would have computed them week after week, so that the dashboards open
        on real patterns and month-over-month transitions."""
        today = timezone.now().date()
        rollups_rebuild(since=today - timedelta(days=91))
        if not profile_types_enabled():
            return
        last = timezone.now() - timedelta(days=1)
        sunday = last.date() - timedelta(days=(last.weekday() + 1) % 7)
        for weeks_ago in reversed(range(5)):
            profile_labels_evaluate(as_of=sunday - timedelta(weeks=weeks_ago))

    def _seed_generated(self, *, members: int, seed: int, password_hash: str) -> None:
        """``members`` colleagues behaving like each profile type, with 90 days of history
        ending today, in the communities above that one may join or ask to join and a few
        more; once."""
        if members <= 0 or User.objects.filter(email__regex=GENERATED_EMAIL).exists():
            return
        specs = [
            CommunitySpec(
                spec["slug"],
                spec["name"],
                spec["description"],
                spec["visibility"],
                spec["join_policy"],
                () if spec["members"] == "all" else tuple(spec["members"]),
            )
            for spec in COMMUNITIES
            # Invitation-only circles stay small: the generated crowd is not invited.
            if spec["join_policy"] != Community.JoinPolicy.INVITATION
        ]
        truth = generate(
            size=members,
            days=90,
            seed=seed,
            communities=specs + GENERATED_COMMUNITIES,
            email_domain=DEMO_DOMAIN,
            password=password_hash,
        )
        shares = truth.participation
        self.stdout.write(
            f"  {members} generated colleagues in {truth.seconds:.1f} s: "
            f"{truth.counts['communities.Post']} posts, "
            f"{truth.counts['communities.Comment']} comments, "
            f"{truth.counts['metrics.Activity']} activities; "
            f"{shares.posters_share:.0%} of them wrote, the top 1% wrote "
            f"{shares.top_share:.0%} of it."
        )

    def _seed_profiles(self, people_by_department, everyone) -> None:
        """Profiles filled in, and a web of follows (only for people not seeded yet)."""
        for index, person in enumerate(everyone):
            if person.location:
                continue
            city, zone, languages = LOCATIONS[index % len(LOCATIONS)]
            skills = SKILLS[person.department]
            user_profile_update(
                user=person,
                location=city,
                time_zone=zone,
                languages=languages,
                skills=[skills[index % len(skills)], skills[(index + 1) % len(skills)]],
                interests=[INTERESTS[index % len(INTERESTS)], INTERESTS[(index + 3) % 7]],
                bio=f"{person.job_title} in {person.department}, based in {city}.",
            )
        if Follow.objects.filter(follower__in=everyone).exists():
            return
        for index, person in enumerate(everyone):
            for step in (1, 7, 13):
                followed = everyone[(index + step) % len(everyone)]
                if index % 3 == 0 or step == 1:
                    follow_create(follower=person, followed=followed)

    def _seed_recognition(self, everyone) -> None:
        """Kudos between colleagues (one shared in General), then the badges they earned."""
        badges_ensure_definitions()
        if not Kudos.objects.filter(giver__in=everyone).exists():
            general = Community.objects.get(slug="general")
            praise = [
                (0, [4], "helpful", "Thanks for the travel policy answer, saved my week.", None),
                (1, [0, 2], "teamwork", "The launch went smoothly thanks to you both.", general),
                (3, [1], "innovation", "The new logging format is a real step up.", None),
                (5, [4], "helpful", "Your PostgreSQL tips cut our report time in half.", None),
                (7, [9], "thank_you", "Thanks for onboarding me so warmly.", None),
                (8, [4], "customer_first", "Great call with the retail accounts.", None),
            ]
            for giver, recipients, value, message, community in praise:
                kudos_give(
                    giver=everyone[giver],
                    recipients=[everyone[index] for index in recipients],
                    value=value,
                    message=message,
                    community=community,
                )
        badges_backfill()

    def _seed_membership_flows(self, people_by_department, everyone) -> None:
        """A pending request and invitations, so managers have something to act on."""
        managers = Community.objects.get(slug="people-managers")
        requester = people_by_department["Engineering"][2]
        if not Membership.objects.filter(community=managers, user=requester).exists():
            membership_request(
                user=requester,
                community=managers,
                message="I lead the platform team since March.",
            )
        circle = Community.objects.get(slug="community-managers-circle")
        owner = circle.memberships.get(role=Membership.Role.OWNER).user
        if not circle.invitations.exists():
            invitation_create(
                inviter=owner,
                community=circle,
                emails=[people_by_department["Sales"][0].email, f"new.colleague@{DEMO_DOMAIN}"],
            )

    @transaction.atomic
    def _seed_conversations(self, everyone) -> None:
        """A 1:1 conversation and a group one for the demo member, once."""
        member = everyone[0]
        if Conversation.objects.filter(participants__user=member).exists():
            return
        colleague, *group = everyone[1], everyone[2], everyone[3], everyone[4]
        for author, body in (
            (colleague, "Hi! Do you have the slides from Tuesday's review?"),
            (member, "Sure, they are in the Engineering guild's last post."),
            (colleague, "Found them, thanks :)"),
        ):
            other = member if author == colleague else colleague
            conversation_start(creator=author, participant_ids=[other.pk], body=body)
        offsite = conversation_start(
            creator=group[0],
            participant_ids=[member.pk, *(person.pk for person in group[1:])],
            title="Offsite planning",
            body="Shall we book the venue in Lyon for the **spring offsite**?",
        ).conversation
        message_send(author=group[1], conversation=offsite, body="Yes, mid-April works for me.")

    def _seed_notification_settings(self, everyone) -> None:
        """The demo member keeps quiet evenings and weekends and reads a daily digest."""
        NotificationSettings.objects.get_or_create(
            user=everyone[0],
            defaults={
                "quiet_hours_start": time(20, 0),
                "quiet_hours_end": time(8, 0),
                "quiet_weekends": True,
                "digest_frequency": NotificationSettings.DigestFrequency.DAILY,
            },
        )

    def handle(self, *args, **options):
        site = Site.objects.get_current()
        if site.domain == "example.com":
            site.domain, site.name = "127.0.0.1:8000", "Cercle"
            site.save()

        # Hashing is deliberately slow; every demo account shares the one password, so
        # hash it once rather than forty times.
        demo_password_hash = make_password(DEMO_PASSWORD)
        admin, created = User.objects.get_or_create(
            email=f"admin@{DEMO_DOMAIN}",
            defaults={
                "display_name": "Ada Admin",
                "job_title": "Platform administrator",
                "department": "Operations",
                "is_staff": True,
                "is_superuser": True,
            },
        )
        if created:
            admin.password = demo_password_hash
            admin.save()

        people_by_department: dict[str, list[User]] = {name: [] for name in DEPARTMENTS}
        department_names = list(DEPARTMENTS)
        for index, name in enumerate(PEOPLE):
            department = department_names[index % len(department_names)]
            titles = DEPARTMENTS[department]
            first, last = name.split(" ", 1)
            email = f"{_ascii(first)}.{_ascii(last)}@{DEMO_DOMAIN}".lower()
            user, created = User.objects.get_or_create(
                email=email,
                defaults={
                    "display_name": name,
                    "department": department,
                    "job_title": titles[index % len(titles)],
                },
            )
            if created:
                user.password = demo_password_hash
                user.save()
            people_by_department[department].append(user)

        everyone = [person for people in people_by_department.values() for person in people]
        self._seed_profiles(people_by_department, everyone)
        for spec in COMMUNITIES:
            if spec["members"] == "all":
                members = everyone
            else:
                members = [p for dept in spec["members"] for p in people_by_department[dept]]
            community = Community.objects.filter(slug=spec["slug"]).first()
            if community is None:
                community = community_create(
                    creator=members[0],
                    name=spec["name"],
                    slug=spec["slug"],
                    description=spec["description"],
                    visibility=spec["visibility"],
                    join_policy=spec["join_policy"],
                )
            level = spec.get("default_notification_level")
            if level and community.default_notification_level != level:
                community.default_notification_level = level
                community.save(update_fields=["default_notification_level"])
            for position, member in enumerate(members):
                role = Membership.Role.MANAGER if position == 1 else Membership.Role.MEMBER
                if not Membership.objects.filter(community=community, user=member).exists():
                    membership_add(community=community, user=member, role=role)
            for position, (title, body, extras) in enumerate(POSTS.get(spec["slug"], [])):
                if Post.objects.filter(community=community, title=title).exists():
                    continue
                _seed_conversation(community, members, position, title, body, extras)

        self._seed_membership_flows(people_by_department, everyone)
        self._seed_generated(
            members=options["members"], seed=options["seed"], password_hash=demo_password_hash
        )
        self._seed_recognition(everyone)
        self._seed_conversations(everyone)
        self._seed_notification_settings(everyone)
        # Owners and community managers run their communities from the admin.
        User.objects.filter(
            email__endswith=f"@{DEMO_DOMAIN}",
            memberships__role__in=Membership.MANAGING_ROLES,
            memberships__status=Membership.Status.ACTIVE,
        ).update(is_staff=True)
        self._seed_metrics()

        self.stdout.write(self.style.SUCCESS("Demo organisation ready."))
        self.stdout.write(f"  Password for every demo account: {DEMO_PASSWORD}")
        self.stdout.write(f"  Administrator:      admin@{DEMO_DOMAIN}")
        self.stdout.write(f"  Community manager:  {people_by_department['Engineering'][1].email}")
        self.stdout.write(f"  Member:             {everyone[0].email}")
        self.stdout.write(
            f"  {User.objects.filter(email__endswith='@' + DEMO_DOMAIN).count()} people, "
            f"{Community.objects.count()} communities, {Post.objects.count()} posts."
        )


def _seed_conversation(community, members, position, title, body, extras) -> None:
    author = members[extras.get("author", position) % len(members)]
    kind = extras.get("kind", Post.Kind.DISCUSSION)
    event = None
    if "event" in extras:
        spec = extras["event"]
        starts_at = (timezone.now() + timedelta(days=spec["starts_in_days"])).replace(
            hour=12, minute=30, second=0, microsecond=0
        )
        event = {
            "starts_at": starts_at,
            "ends_at": starts_at + timedelta(hours=spec["hours"]),
            "timezone": "Europe/Paris",
            "location": spec["location"],
            "online_url": spec["online_url"],
            "capacity": spec["capacity"],
        }
    post = post_create(
        author=author,
        community=community,
        title=title,
        body=body,
        kind=kind,
        poll=extras.get("poll"),
        event=event,
        requires_acknowledgement=extras.get("requires_acknowledgement", False),
    )
    for reader in members[2 : 2 + extras.get("acknowledged_by", 0)]:
        announcement_acknowledge(user=reader, post=post)
    comments = []
    for author_index, text, replies in extras.get("comments", []):
        comment = comment_create(author=members[author_index % len(members)], post=post, body=text)
        comments.append(comment)
        for reply_author, reply_text in replies:
            comment_create(
                author=members[reply_author % len(members)],
                post=post,
                body=reply_text,
                parent=comment,
            )
    if "accept" in extras:
        answer_accept(actor=author, post=post, comment=comments[extras["accept"]])
    for kind_name, count in extras.get("reactions", {}).items():
        for reactor in members[1 : count + 1]:
            reaction_toggle(user=reactor, kind=kind_name, post=post)
    if "votes" in extras:
        options = list(post.poll.options.all())
        for voter, choice in zip(members[2:], extras["votes"], strict=False):
            poll_vote(voter=voter, poll=post.poll, option_ids=[options[choice].pk])
    for attendee, answer in zip(members[2:], extras.get("rsvps", []), strict=False):
        rsvp_set(user=attendee, event=post.event, answer=answer)
    # Spread the conversation over the past days, so the stream reads like a real one.
    age = timedelta(days=position * 2 + 1, hours=len(community.name))
    Post.objects.filter(pk=post.pk).update(created_at=timezone.now() - age)
    Comment.objects.filter(post=post).update(created_at=timezone.now() - age + timedelta(hours=2))


def _ascii(text: str) -> str:
    import unicodedata

    return (
        unicodedata.normalize("NFKD", text)
        .encode("ascii", "ignore")
        .decode("ascii")
        .replace(" ", "")
    )
