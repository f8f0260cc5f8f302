"""`manage.py grantrole USERNAME ROLE [--revoke]`: give or take a role (viewer, builder, approver, admin)."""

from typing import Any

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError, CommandParser

from identity.models import Role
from identity.services import role_grant, role_revoke


class Command(BaseCommand):
    help = "Grant (or with --revoke, take away) a role."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("username")
        parser.add_argument("role", choices=[r.value for r in Role])
        parser.add_argument("--revoke", action="store_true")

    def handle(self, *args: Any, **options: Any) -> None:
        User = get_user_model()
        try:
            user = User.objects.get(username=options["username"])
        except User.DoesNotExist as exc:
            raise CommandError(f"No user named {options['username']!r}.") from exc
        if options["revoke"]:
            role_revoke(user=user, role=options["role"])
            self.stdout.write(f"{user.get_username()} no longer holds {options['role']}.")
        else:
            role_grant(user=user, role=options["role"])
            self.stdout.write(f"{user.get_username()} now holds {options['role']}.")
