"""makemessages that also extracts `_t(...)`: modules import gettext as `_t` next to
gettext_lazy as `_`, and xgettext only knows the standard names. New messages start empty
rather than guessed from similar ones (msgmerge's fuzzy matches), so that the catalog
test names each one still to translate."""

from django.core.management.commands import makemessages


class Command(makemessages.Command):
    xgettext_options = [*makemessages.Command.xgettext_options, "--keyword=_t"]
    msgmerge_options = [*makemessages.Command.msgmerge_options, "--no-fuzzy-matching"]
