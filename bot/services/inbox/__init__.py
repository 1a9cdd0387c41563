"""What comes back: the reply mailbox read and classified, replies threaded to the reminder they
answer, the actions a person confirms from an inbound card."""
