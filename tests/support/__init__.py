"""Test helpers shared through conftest.py: fake Slack, signed requests, SMTP server, CSV files."""
