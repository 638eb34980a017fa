from rest_framework import serializers

from profiles.models import User


class MeSerializer(serializers.ModelSerializer):
    """The member's own account, as the apps show it."""

    class Meta:
        model = User
        fields = [
            "id",
            "email",
            "display_name",
            "job_title",
            "department",
            "is_staff",
            "date_joined",
        ]
        read_only_fields = fields


class MeUpdateSerializer(serializers.Serializer):
    display_name = serializers.CharField(
        max_length=120, required=False, help_text="How colleagues see this member."
    )
    job_title = serializers.CharField(max_length=120, required=False, allow_blank=True)
    department = serializers.CharField(max_length=120, required=False, allow_blank=True)
