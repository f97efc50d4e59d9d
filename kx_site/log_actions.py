"""An app's audit-trail actions in Wagtail's log, declared once.

Accounts, registrations and forum moderation each keep their trail as Wagtail log entries
(``wagtailcore.ModelLogEntry``), so the admin's own history views show them. Each names its
actions in one table, short name -> (label, past-tense message), under a prefix
(``kx.forums.`` + ``hide_post``); this gives the full action names, the registration for the
``register_log_actions`` hook and the query for the app's entries.
"""

from wagtail.models import ModelLogEntry


class LogActions:
    def __init__(self, prefix, actions, *, formatter=None):
        self.prefix = prefix
        self.actions = actions
        # A LogFormatter subclass for messages that need the entry's data; its label and
        # message are set per action.
        self.formatter = formatter
        self.by_action = {prefix + name: texts for name, texts in actions.items()}

    def action(self, name):
        """``kx.forums.hide_post`` for ``hide_post``; an unknown name is a programming error."""
        if name not in self.actions:
            raise ValueError(f"Unknown log action: {self.prefix}{name}")
        return self.prefix + name

    def name(self, entry):
        """``hide_post`` for an entry of ``kx.forums.hide_post``."""
        return entry.action.removeprefix(self.prefix)

    def label(self, entry):
        return self.by_action.get(entry.action, (self.name(entry),))[0]

    def register(self, registry):
        """For the ``register_log_actions`` hook."""
        for action, (label, message) in self.by_action.items():
            if self.formatter is None:
                registry.register_action(action, label, message)
            else:
                formatter = type(
                    self.formatter.__name__,
                    (self.formatter,),
                    {"label": label, "message": message},
                )
                registry.register_action(action)(formatter)

    def entries(self):
        """Every entry of these actions."""
        return ModelLogEntry.objects.filter(action__in=self.by_action)
