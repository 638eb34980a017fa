from django.shortcuts import render

from communities.selectors import community_list_for_member, post_stream_for


def home(request):
    """The member's home: their communities and the latest conversations they may read."""
    if not request.user.is_authenticated:
        return render(request, "home_anonymous.html")
    context = {
        "my_communities": community_list_for_member(user=request.user),
        "stream": post_stream_for(user=request.user)[:20],
    }
    return render(request, "home.html", context)
