"""Turning a suggestion into words: the template context (formatted for the customer's locale)
and the jinja2 environments that render `templates/`."""
