"""The organisers' tools in the admin: delegate lists and exports, approval, check-in, messages,
the summary, cancelling an event; who may use them is in ``events.permissions``."""
