"""The `hearth` command: Django's management commands with a few friendlier names.

hearth serve            run the web server on 127.0.0.1:8000 (development server)
hearth migrate          create or update the database
hearth demo             load the demo community and print its log-ins
hearth worker           run background tasks (django-tasks database worker)
hearth createsuperuser  add a community manager who can use /admin/
hearth <command>        any other Django management command
"""

import os
import sys

ALIASES = {
    "serve": ["runserver", "--noreload"],
    "demo": ["load_demo"],
    "worker": ["db_worker"],
}


def main(argv: list[str] | None = None) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "hearth.settings")
    argv = list(sys.argv if argv is None else argv)
    if len(argv) > 1 and argv[1] in ("-h", "--help", "help") and len(argv) == 2:
        print(__doc__)
        return
    if len(argv) > 1 and argv[1] == "worker" and os.environ.get("HEARTH_TASKS_BACKEND") == "rq":
        # RQ's worker, with its scheduler for tasks that wait (retries, quiet hours).
        rest = argv[2:]
        argv = [argv[0], "rqworker", "default", "--with-scheduler"]
        argv += ["--job-class", "django_tasks_rq.Job", *rest]
    elif len(argv) > 1 and argv[1] in ALIASES:
        command = argv[1]
        rest = argv[2:]
        argv = [argv[0], *ALIASES[command], *rest]
        if command == "serve" and not any(not arg.startswith("-") for arg in rest):
            argv.append("127.0.0.1:8000")
    from django.core.management import execute_from_command_line

    execute_from_command_line(argv)


if __name__ == "__main__":
    main()
