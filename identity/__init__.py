"""People, roles, API tokens; later OIDC sign-in and SCIM provisioning."""
