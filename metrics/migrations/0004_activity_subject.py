# ``Activity.subject``: the member an activity was addressed to. Its backfill is the next
# migration: on PostgreSQL, updating rows in the migration that adds a deferred foreign
# key would leave trigger events pending when the key's index is created at its end.

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('communities', '0004_notifications'),
        ('metrics', '0003_recognition_verbs'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddField(
            model_name='activity',
            name='subject',
            field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='activities_received', to=settings.AUTH_USER_MODEL),
        ),
        migrations.AddIndex(
            model_name='activity',
            index=models.Index(fields=['subject', 'verb', 'created_at'], name='metrics_act_subject_1a819e_idx'),
        ),
    ]
