"""What goes out: the outbox (claimed, sent once, retried with backoff), letters and document
copies."""
