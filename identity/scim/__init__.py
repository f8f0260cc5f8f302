"""SCIM 2.0 provisioning at `/scim/v2/`: an identity provider creates, updates and removes people and
teams here, on top of django-scim2's views, with Switchboard's own adapters, filters and PATCH rules."""
