"""`hearth import stackexchange DIR`: bring a community's history into Hearth."""

from django.core.management.base import BaseCommand, CommandError

from hearth.integrations.importers.stackexchange import DumpError, import_stackexchange


class Command(BaseCommand):
    help = (
        "Import a Stack Exchange data dump (a folder of Users.xml, Posts.xml, Comments.xml, "
        "Votes.xml, PostLinks.xml and Tags.xml, each maybe .gz/.xz/.bz2, or a tar archive of "
        "them) into one space. Running it again updates what changed and duplicates nothing."
    )

    def add_arguments(self, parser):
        parser.add_argument("kind", choices=["stackexchange"], help="where the data comes from")
        parser.add_argument("path", help="the dump: a folder or a .tar[.gz|.xz|.bz2] archive")
        parser.add_argument(
            "--space",
            dest="space",
            help="address (slug) of an existing space to import into; by default a public "
            "space is made for the site (e.g. “Beer & brewing” at /s/beer/)",
        )
        parser.add_argument(
            "--site",
            help="the site's host name for source links, e.g. beer.stackexchange.com "
            "(by default taken from the folder's name: beer → beer.stackexchange.com)",
        )
        parser.add_argument("--batch-size", type=int, default=500, help="rows per INSERT")
        parser.add_argument(
            "--no-progress", action="store_true", help="print the summary only, no progress bars"
        )

    def handle(self, *args, kind, path, space, site, batch_size, no_progress, **options):
        if batch_size < 1:
            raise CommandError("--batch-size must be at least 1.")
        try:
            result = import_stackexchange(
                path,
                site=site,
                space_slug=space,
                out=None if no_progress else self.stdout,
                live_progress=not no_progress and self.stdout.isatty(),
                batch_size=batch_size,
            )
        except DumpError as error:
            raise CommandError(error.message) from error
        self.stdout.write("")
        self.stdout.write(result.summary(), ending="")
