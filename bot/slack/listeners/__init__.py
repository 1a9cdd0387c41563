"""Listeners, one folder per kind and one file per handler; each module has `register`."""
