"""`manage.py apitoken USERNAME`: print a new bearer token for that user on the last line."""

from typing import Any

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError, CommandParser

from identity.services import apitoken_create


class Command(BaseCommand):
    help = "Create a bearer token for USERNAME and print it (shown once)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("username")
        parser.add_argument("--name", default="cli", help="A label for the token.")

    def handle(self, *args: Any, **options: Any) -> None:
        User = get_user_model()
        try:
            user = User.objects.get(username=options["username"])
        except User.DoesNotExist as exc:
            raise CommandError(f"No user named {options['username']!r}.") from exc
        token = apitoken_create(user=user, name=options["name"])
        self.stderr.write(f"A new token for {user.get_username()} (shown once):")
        self.stdout.write(token)
