"""Feedback after an event: the form, the invitations, the organisers' report, who counts as
having attended (certificates ask it too) and the demo feedback."""
