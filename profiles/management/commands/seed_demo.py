"""``python manage.py seed_demo``: a demo organisation to explore Cercle with.

Idempotent: people are found by email, communities by slug and posts by title,
so running it again changes nothing.
"""

from django.contrib.sites.models import Site
from django.core.management.base import BaseCommand
from django.db import transaction

from communities.models import Community, Membership, Post
from communities.services.communities import community_create
from communities.services.memberships import membership_add
from communities.services.posts import post_create
from profiles.models import User

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

POSTS = {
    "general": [
        (
            "Welcome to Cercle",
            "Our conversations move here from email. **Join the communities** "
            "that matter to you and set your notifications so you only get what you need.",
        ),
        (
            "Where do I find the travel policy?",
            "I am flying to Lyon next month: is the 2026 "
            "travel policy published somewhere? #travel",
        ),
    ],
    "engineering-guild": [
        (
            "RFC: one logging format for all services",
            "Proposal: structured JSON logs "
            "everywhere.\n\n1. same field names\n2. request ids propagated\n3. no PII\n\n"
            "Comments welcome before Friday. #observability",
        ),
        (
            "Brown-bag: PostgreSQL indexing",
            "Thursday 12:30, room Ada and online. Bring your slow queries!",
        ),
    ],
    "customer-voice": [
        (
            "Top 5 requests this quarter",
            "From 212 calls: exports, SSO, mobile offline mode, bulk edit and audit logs. #roadmap",
        ),
    ],
    "people-managers": [
        (
            "Running better 1:1s",
            "What has worked for you? I now start with *what is on your "
            "mind* and keep status updates for the written stand-up.",
        ),
    ],
    "community-managers-circle": [
        (
            "Next meetup: measuring what we act on",
            "Agenda: the metrics task force shares its "
            "first dashboard. Reminder: what happens here stays here.",
        ),
    ],
    "project-aurora": [
        (
            "Due diligence checklist",
            "The checklist is in the data room. Owners please update your sections by Wednesday.",
        ),
    ],
}


class Command(BaseCommand):
    help = "Creates a demo organisation (people, communities, posts). Safe to run again."

    @transaction.atomic
    def handle(self, *args, **options):
        site = Site.objects.get_current()
        if site.domain == "example.com":
            site.domain, site.name = "127.0.0.1:8000", "Cercle"
            site.save()

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
            admin.set_password(DEMO_PASSWORD)
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
                user.set_password(DEMO_PASSWORD)
                user.save()
            people_by_department[department].append(user)

        everyone = [person for people in people_by_department.values() for person in people]
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
            for position, member in enumerate(members):
                role = Membership.Role.MANAGER if position == 1 else Membership.Role.MEMBER
                if not Membership.objects.filter(community=community, user=member).exists():
                    membership_add(community=community, user=member, role=role)
            for position, (title, body) in enumerate(POSTS.get(spec["slug"], [])):
                if not Post.objects.filter(community=community, title=title).exists():
                    author = members[position % len(members)]
                    post_create(author=author, community=community, title=title, body=body)

        self.stdout.write(self.style.SUCCESS("Demo organisation ready."))
        self.stdout.write(f"  Password for every demo account: {DEMO_PASSWORD}")
        self.stdout.write(f"  Administrator:      admin@{DEMO_DOMAIN}")
        self.stdout.write(f"  Community manager:  {people_by_department['Engineering'][1].email}")
        self.stdout.write(f"  Member:             {everyone[0].email}")
        self.stdout.write(
            f"  {User.objects.filter(email__endswith='@' + DEMO_DOMAIN).count()} people, "
            f"{Community.objects.count()} communities, {Post.objects.count()} posts."
        )


def _ascii(text: str) -> str:
    import unicodedata

    return (
        unicodedata.normalize("NFKD", text)
        .encode("ascii", "ignore")
        .decode("ascii")
        .replace(" ", "")
    )
