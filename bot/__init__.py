"""Relance: a Slack assistant for collections teams."""
