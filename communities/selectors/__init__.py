"""Reads for the communities app, scoped to what the asking member may see.

The one visibility rule is in :mod:`communities.selectors.visibility`; every other
selector builds on it.
"""

from communities.selectors.visibility import (
    communities_visible_to,
    community_list_for_member,
    community_visibility_q,
    post_stream_for,
    posts_visible_to,
)

__all__ = [
    "communities_visible_to",
    "community_list_for_member",
    "community_visibility_q",
    "post_stream_for",
    "posts_visible_to",
]
