"""Test doubles for the services Knock Router talks to (see ``tests.fakes.slack``)."""
