"""The Slack surface: app factory, listeners by kind, pure Block Kit builders, mrkdwn escaping."""
