"""django_tasks_db's ``db_worker``, stopped by SIGTERM only between tasks.

The library's worker calls ``sys.exit(0)`` from its signal handler whenever it is not inside a
task. A SIGTERM that lands after the worker has claimed a task (marked it running and committed)
but before it starts the task leaves that task running for ever: an email never sent, a search
update never made (django-tasks-db issue #61, still open in 0.13.0). A deploy or a container
stop sends SIGTERM at any moment, so here the first signal only asks the loop to stop: a claimed
task still runs, a sleep ends at its interval (one second by default), and the process exits 0.
A second signal stops at once, as before.
"""

import logging
import signal

from django.core.management.base import CommandError
from django_tasks_db.management.commands import db_worker

logger = logging.getLogger("django_tasks_db")


class DrainingWorker(db_worker.Worker):
    def shutdown(self, signum, frame):
        if not self.running:
            super().shutdown(signum, frame)  # the second signal: stop now
            return
        logger.warning(
            "Received %s - stopping after the task in hand (send again to force)",
            signal.strsignal(signum),
        )
        self.running = False


class Command(db_worker.Command):
    def handle(
        self,
        *,
        verbosity,
        queue_name,
        interval,
        batch,
        backend_name,
        startup_delay,
        reload,
        max_tasks,
        worker_id,
        exclude_queues,
        **options,
    ):
        if reload:
            # Development only (DEBUG's default): the reloader restarts the process anyway.
            return super().handle(
                verbosity=verbosity,
                queue_name=queue_name,
                interval=interval,
                batch=batch,
                backend_name=backend_name,
                startup_delay=startup_delay,
                reload=reload,
                max_tasks=max_tasks,
                worker_id=worker_id,
                exclude_queues=exclude_queues,
                **options,
            )
        self.configure_logging(verbosity)
        queue_names = queue_name.split(",")
        excluded_queue_names = exclude_queues.split(",") if exclude_queues else []
        if excluded_queue_names and "*" not in queue_names:
            raise CommandError("--exclude-queues can only be used with --queue-name=*")
        worker = DrainingWorker(
            queue_names=queue_names,
            interval=interval,
            batch=batch,
            backend_name=backend_name,
            startup_delay=startup_delay,
            max_tasks=max_tasks,
            worker_id=worker_id,
            excluded_queue_names=excluded_queue_names,
        )
        worker.configure_signals()
        worker.run()
