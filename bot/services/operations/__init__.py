"""Keeping it running: leads' settings from Slack, the start-up checks, health figures and
metrics, the rate tables' refresh."""
