"""Delivery channels: e-mail over SMTP (and, later, letters as PDF)."""
