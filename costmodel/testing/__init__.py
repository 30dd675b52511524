"""Test helpers shipped with the package: local fakes of remote services (127.0.0.1 only)."""
