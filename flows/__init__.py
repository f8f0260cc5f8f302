"""Flows, versions, approvals, runs, the engine that executes a version, webhook ingest and the scheduler."""
