"""#topics and @mentions found in Markdown bodies.

Only prose counts: text inside code spans, fenced or indented code blocks and links
is skipped, so ``#include`` in a snippet or ``@decorator`` in code never becomes a
topic or a mention.

- A topic is ``#`` followed by a word that starts with a letter and may contain
  letters, digits and dashes (``#remote-work``, ``#télétravail``). It is stored in
  lower case, at most 64 characters.
- A mention is ``@`` followed by the local part of a colleague's email address
  (``@camille.martin`` for camille.martin@acme.example). An email address written in
  the text is not a mention.
"""

import re
from collections.abc import Iterable, Iterator

from django.contrib.auth import get_user_model
from django.db.models import Q
from markdown_it import MarkdownIt

from communities.models import Community, Membership, Topic

TOPIC_MAX_LENGTH = 64

# Not preceded by a word character, "&" (HTML entities) or "/" (URL fragments).
TOPIC_PATTERN = re.compile(r"(?<![\w&/#])#([^\W\d_][\w-]*)")
# Not preceded by a word character, "." or "@": "camille@acme.example" is no mention.
MENTION_PATTERN = re.compile(r"(?<![\w.@])@([A-Za-z0-9][A-Za-z0-9._%+-]*)")

_parser = MarkdownIt("commonmark", {"linkify": False, "html": False}).enable("table")


def _prose(markdown: str) -> Iterator[str]:
    """The text runs of ``markdown`` outside code and links."""
    for block in _parser.parse(markdown or ""):
        if block.type != "inline" or not block.children:
            continue
        link_depth = 0
        for token in block.children:
            if token.type == "link_open":
                link_depth += 1
            elif token.type == "link_close":
                link_depth = max(link_depth - 1, 0)
            elif token.type == "text" and link_depth == 0:
                yield token.content
            elif token.type in ("softbreak", "hardbreak"):
                yield "\n"


def _unique(values: Iterable[str]) -> list[str]:
    return list(dict.fromkeys(values))


def extract_topics(markdown: str) -> list[str]:
    """Topic names (lower case, without ``#``, first occurrence order) in ``markdown``."""
    names = []
    for text in _prose(markdown):
        for match in TOPIC_PATTERN.finditer(text):
            name = match.group(1).strip("-").lower()
            if name and len(name) <= TOPIC_MAX_LENGTH:
                names.append(name)
    return _unique(names)


def extract_mentions(markdown: str) -> list[str]:
    """Mentioned email local parts (lower case, without ``@``) in ``markdown``."""
    local_parts = []
    for text in _prose(markdown):
        for match in MENTION_PATTERN.finditer(text):
            # A sentence may end right after the mention: "thanks @camille.martin."
            local_part = match.group(1).rstrip(".-").lower()
            if local_part:
                local_parts.append(local_part)
    return _unique(local_parts)


def topics_for(markdown: str) -> list[Topic]:
    """The :class:`Topic` rows for the topics in ``markdown``, created when new.

    Call inside the transaction that stores the post, so a rolled-back post leaves
    no new topic behind.
    """
    topics = []
    for name in extract_topics(markdown):
        topic, _created = Topic.objects.get_or_create(name=name)
        topics.append(topic)
    return topics


def mentioned_members(markdown: str, *, community: Community) -> list:
    """The members mentioned in ``markdown`` who may read ``community``.

    Public community: any active account whose email local part matches. Private and
    secret communities: only its active members, so a mention never reveals the
    content to someone who cannot read it. Banned members of the community are never
    returned. Unknown names are ignored.
    """
    local_parts = extract_mentions(markdown)
    if not local_parts:
        return []
    User = get_user_model()
    matching = Q()
    for local_part in local_parts:
        matching |= Q(email__istartswith=f"{local_part}@")
    users = User.objects.filter(matching, is_active=True)
    if community.visibility == Community.Visibility.PUBLIC:
        users = users.exclude(
            memberships__community=community, memberships__status=Membership.Status.BANNED
        )
    else:
        users = users.filter(
            memberships__community=community, memberships__status=Membership.Status.ACTIVE
        )
    wanted = set(local_parts)
    return [user for user in users.order_by("pk") if user.email.split("@", 1)[0].lower() in wanted]
