"""Start Ralph (the LRS) for the `lrs` tests: its API on HOST:PORT with the filesystem backend.

Run with the Python of the environment Ralph is installed in (not PizzaBorg's):

    python tests/lrs_launcher.py HOST PORT DATA_DIR AUTH_FILE

It does what ``ralph runserver -b fs`` does (uvicorn serving ``ralph.api:app``, configured through
``RALPH_*`` variables) without runserver's auto-reloader, plus one workaround: Ralph 5.1's
filesystem LRS backend writes every POST with the operation type INDEX, which refuses to touch the
existing ``fs_lrs.jsonl``, so only the first POST into a data folder succeeds (500 "Statements bulk
indexation failed" afterwards). The backend's ``write`` is wrapped to append instead, which is what a
store needs; nothing else of Ralph is changed.
"""

import os
import sys


def main() -> None:
    host, port, data_dir, auth_file = sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4]
    os.environ.update(
        {
            "RALPH_RUNSERVER_BACKEND": "fs",
            "RALPH_BACKENDS__LRS__FS__DEFAULT_DIRECTORY_PATH": data_dir,
            "RALPH_AUTH_FILE": auth_file,
            "RALPH_APP_DIR": os.path.join(data_dir, ".ralph"),
            "RALPH_HISTORY_FILE": os.path.join(data_dir, ".ralph", "history.json"),
        }
    )
    os.makedirs(os.path.join(data_dir, ".ralph"), exist_ok=True)
    import uvicorn
    from ralph.backends.data.base import BaseOperationType
    from ralph.backends.lrs.fs import FSLRSBackend

    write = FSLRSBackend.write

    def append(self, data, target=None, chunk_size=None, ignore_errors=False, operation_type=None):
        return write(self, data, target, chunk_size, ignore_errors, operation_type or BaseOperationType.APPEND)

    FSLRSBackend.write = append
    uvicorn.run("ralph.api:app", host=host, port=port, log_level="info")


if __name__ == "__main__":
    main()
