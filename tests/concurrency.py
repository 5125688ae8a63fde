"""Requests or service calls at the same moment: each in a thread of its own, with its own app
context and database session, released together by a barrier."""

import threading

from core.extensions import db


def at_once(app, *works) -> list:
    """Run each of `works` in its own thread at the same moment; what each returned, or the
    exception it raised, in the order they finished."""
    barrier = threading.Barrier(len(works))
    results = []

    def run(work):
        with app.app_context():
            try:
                barrier.wait(timeout=30)
                results.append(work())
            except Exception as error:  # noqa: BLE001 - the test counts kinds of outcome
                results.append(error)
            finally:
                db.session.remove()

    threads = [threading.Thread(target=run, args=(work,)) for work in works]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return results
