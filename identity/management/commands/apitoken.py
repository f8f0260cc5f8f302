"""`manage.py apitoken USERNAME`: print a new bearer token for that user on the last line (CONTRACT §1).

The way to the first token, before anyone can use the API's tokens page; scripts read the last line."""

from datetime import timedelta
from typing import Any

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from identity.models import Scope
from identity.selectors import user_scopes
from identity.services import apitoken_create


class Command(BaseCommand):
    help = "Create a bearer token for USERNAME and print it (shown once)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("username")
        parser.add_argument("--name", default="cli", help="A label for the token.")
        parser.add_argument(
            "--scope",
            action="append",
            choices=[s.value for s in Scope if s is not Scope.SCIM],
            help="Limit the token to this scope (repeat for several). Default: all its owner's roles allow.",
        )
        parser.add_argument("--days", type=int, help="Expire the token after this many days.")

    def handle(self, *args: Any, **options: Any) -> None:
        User = get_user_model()
        try:
            user = User.objects.get(username=options["username"])
        except User.DoesNotExist as exc:
            raise CommandError(f"No user named {options['username']!r}.") from exc
        if not user.is_active:
            raise CommandError(f"{user.get_username()!r} is deactivated.")
        if options["days"] is not None and options["days"] < 1:
            raise CommandError("--days must be 1 or more.")
        # A token's scopes are a ceiling, not a grant: say so when the owner's roles do not reach them.
        beyond = sorted(set(options["scope"] or []) - user_scopes(user))
        if beyond:
            self.stderr.write(
                f"Note: {user.get_username()}'s roles do not give {', '.join(beyond)}; "
                "the token cannot use them unless they are granted."
            )
        expires_at = timezone.now() + timedelta(days=options["days"]) if options["days"] else None
        _, token = apitoken_create(
            user=user, name=options["name"], scopes=options["scope"], expires_at=expires_at
        )
        self.stderr.write(f"A new token for {user.get_username()} (shown once):")
        self.stdout.write(token)
