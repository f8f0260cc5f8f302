"""Reads of the identity app: who holds which role."""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model

from identity.models import Role, RoleGrant


def user_roles(user: Any) -> list[str]:
    """The roles a person holds; a superuser holds every role."""
    if user is None or not user.is_authenticated or not user.is_active:
        return []
    if user.is_superuser:
        return [r.value for r in Role]
    return sorted(RoleGrant.objects.filter(user=user).values_list("role", flat=True))


def user_may_approve(user: Any) -> bool:
    roles = user_roles(user)
    return Role.APPROVER in roles or Role.ADMIN in roles


def approvers_other_than(user: Any) -> bool:
    """Whether anyone but `user` may decide on versions (else the instance is a one-person one)."""
    User = get_user_model()
    others = User.objects.filter(is_active=True).exclude(pk=user.pk)
    return (
        others.filter(is_superuser=True).exists()
        or RoleGrant.objects.filter(user__in=others, role__in=[Role.APPROVER, Role.ADMIN]).exists()
    )
