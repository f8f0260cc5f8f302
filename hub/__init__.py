"""The Django project: settings, urls, ASGI, broker set-up, health and the helpers every app shares."""
