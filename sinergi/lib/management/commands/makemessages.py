"""makemessages that also extracts `_t(...)`: modules import gettext as `_t` next to
gettext_lazy as `_`, and xgettext only knows the standard names."""

from django.core.management.commands import makemessages


class Command(makemessages.Command):
    xgettext_options = [*makemessages.Command.xgettext_options, "--keyword=_t"]
