"""Framework hooks for communities (no business rules here: they live in services)."""

from allauth.account.signals import user_signed_up
from django.dispatch import receiver

from communities.services.invitations import invitations_claim


@receiver(user_signed_up, dispatch_uid="communities.invitations_claim_at_signup")
def claim_invitations_at_signup(sender, request, user, **kwargs) -> None:
    """Invitations sent to a new member's address before they had an account become theirs."""
    invitations_claim(user=user)
