"""allauth hooks: who may sign up, and what a new account gets."""

from allauth.account.adapter import DefaultAccountAdapter
from allauth.socialaccount.adapter import DefaultSocialAccountAdapter
from django import forms
from django.conf import settings
from django.utils.translation import gettext as _


def email_domain_allowed(email: str) -> bool:
    """True when signup is open, or when the address is in one of the company's domains."""
    allowed = settings.CERCLE_SIGNUP_DOMAINS
    if not allowed:
        return True
    domain = email.rsplit("@", 1)[-1].strip().lower()
    return domain in allowed


def domain_error_message() -> str:
    return _("Sign up with your company email address (%(domains)s).") % {
        "domains": ", ".join(f"@{domain}" for domain in settings.CERCLE_SIGNUP_DOMAINS)
    }


class AccountAdapter(DefaultAccountAdapter):
    def clean_email(self, email: str) -> str:
        email = super().clean_email(email)
        if not email_domain_allowed(email):
            raise forms.ValidationError(domain_error_message())
        return email

    def populate_username(self, request, user):
        # There is no username: the email is the login.
        return None

    def save_user(self, request, user, form, commit=True):
        user = super().save_user(request, user, form, commit=False)
        if not user.display_name:
            data = getattr(form, "cleaned_data", {}) or {}
            user.display_name = data.get("display_name") or user.email.split("@", 1)[0]
        if commit:
            user.save()
        return user


class SocialAccountAdapter(DefaultSocialAccountAdapter):
    def is_open_for_signup(self, request, sociallogin) -> bool:
        email = sociallogin.user.email or ""
        return bool(email) and email_domain_allowed(email)

    def populate_user(self, request, sociallogin, data):
        user = super().populate_user(request, sociallogin, data)
        if not user.display_name:
            name = data.get("name") or " ".join(
                part for part in (data.get("first_name"), data.get("last_name")) if part
            )
            user.display_name = name or (user.email or "").split("@", 1)[0]
        return user
