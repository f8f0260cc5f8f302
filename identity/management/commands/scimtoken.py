"""`manage.py scimtoken`: print a new bearer token for an identity provider's SCIM client on the last
line. The token belongs to the service account `scim` (created on first use) and can do nothing but
SCIM; it is stored hashed and revoked like any other token."""

from typing import Any

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction

from identity.models import Scope
from identity.services import apitoken_create

SERVICE_ACCOUNT = "scim"


class Command(BaseCommand):
    help = "Create a SCIM provisioning token (for Okta, Microsoft Entra ID, …) and print it (shown once)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--name", default="scim", help="A label for the token, e.g. the provider's name.")

    @transaction.atomic
    def handle(self, *args: Any, **options: Any) -> None:
        User = get_user_model()
        account, created = User.objects.get_or_create(
            username=SERVICE_ACCOUNT,
            defaults={"is_service_account": True, "display_name": "SCIM provisioning"},
        )
        if created:
            account.set_unusable_password()
            account.save(update_fields=["password"])
        if not account.is_service_account:
            raise CommandError(f"{SERVICE_ACCOUNT!r} is a person's account, not the SCIM service account.")
        if not account.is_active:
            raise CommandError(
                f"The service account {SERVICE_ACCOUNT!r} is deactivated; reactivate it first."
            )
        _, token = apitoken_create(user=account, name=options["name"], scopes=[Scope.SCIM.value])
        self.stderr.write(f"A new SCIM token {options['name']!r} for /scim/v2/ (shown once):")
        self.stdout.write(token)
