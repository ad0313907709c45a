"""gunicorn's settings for Claim Tracker, read from the project folder (make serve, make bench).

Options given on the command line (workers, bind) still win over these.
"""

import gc


def post_worker_init(worker):
    """Load the claim matcher before the first request, not during a researcher's first save.

    The sentence model takes about half a second to load and the index of claims' codes about
    two seconds at a million claims; each worker process holds its own.
    """
    from django.db import connections

    from claims import matching
    from lib.embedding import embedder

    try:
        embedder().model()
        for kind in matching.KINDS:
            matching.index_of(kind)
    except Exception:
        # The worker still serves; the matcher loads on first use instead.
        worker.log.exception("Could not load the claim matcher ahead of requests")
    finally:
        connections.close_all()  # each request opens its own, as Django expects
    # What is loaded now lives as long as the worker: the garbage collector need not walk it
    # again at every full collection (a pause of tens of milliseconds in some request).
    gc.freeze()
