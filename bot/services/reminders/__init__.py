"""Reminders from suggestion to decision: what the policy suggests, the texts drafted, a person's
approve / edit / skip, holds, and what overtakes a reminder before it goes."""
