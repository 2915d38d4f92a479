# SPDX-License-Identifier: MIT
"""Reading untrusted results files and writing outputs safely.

A results directory may come from another machine (make compare exists for
that), so everything in it is untrusted input (issue 13): inputs must be
regular files of bounded size, malformed CSV or JSON ends in a clear message
and exit status 2, and outputs are written through temp files created
exclusively next to their final name, renamed into place, and removed on
every exit path, signals included. Links planted in the directory are never
followed for writes: O_EXCL refuses an existing name and rename() replaces a
link instead of writing through it.
"""

import contextlib
import csv
import io
import json
import os
import shutil
import signal
import stat
import sys
import tempfile

# Inputs larger than this are refused rather than read into memory.
MAX_INPUT = 64 << 20

PROG = "report"


class BadInput(Exception):
    """A malformed or unusable input: message to stderr, exit status 2."""


def die(msg, status):
    sys.stderr.write("%s: %s\n" % (PROG, msg))
    sys.exit(status)


# ---------------------------------------------------------------- cleanup

_pending = set()
_dirs = set()


def _cleanup():
    for path in list(_pending):
        try:
            os.unlink(path)
        except OSError:
            pass
        _pending.discard(path)
    for path in list(_dirs):
        shutil.rmtree(path, ignore_errors=True)
        _dirs.discard(path)


def _on_signal(signum, _frame):
    # Every temp file in flight goes, whatever the program was doing; a
    # second signal arriving meanwhile is blocked, not lost.
    signal.pthread_sigmask(signal.SIG_BLOCK, _SIGNALS)
    _cleanup()
    os._exit(128 + signum)


def install_cleanup():
    for s in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
        signal.signal(s, _on_signal)


_SIGNALS = {signal.SIGINT, signal.SIGTERM, signal.SIGHUP}


def _created(make, track_it):
    """Runs make() with the cleanup signals blocked, and tracks what it
    made before they can arrive: no window where a signal leaves an
    untracked temp file or directory behind."""
    old = signal.pthread_sigmask(signal.SIG_BLOCK, _SIGNALS)
    try:
        made = make()
        track_it(made[1] if isinstance(made, tuple) else made)
        return made
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, old)


@contextlib.contextmanager
def work_dir(prefix):
    """A private temp directory (TMPDIR, or the system's fallback when it is
    missing), removed on every exit path."""
    path = _created(lambda: tempfile.mkdtemp(prefix=prefix), track_dir)
    try:
        yield path
    finally:
        shutil.rmtree(path, ignore_errors=True)
        untrack_dir(path)


def track(path):
    _pending.add(path)


def untrack(path):
    _pending.discard(path)


def track_dir(path):
    _dirs.add(path)


def untrack_dir(path):
    _dirs.discard(path)


def remove_tracked():
    _cleanup()


# ---------------------------------------------------------------- writing

UMASK = os.umask(0o022)
os.umask(UMASK)

def write_file(directory, name, data):
    """Writes @data (str or bytes) to directory/name atomically."""
    if isinstance(data, str):
        data = data.encode("utf-8")
    fd, tmp = _created(lambda: tempfile.mkstemp(dir=directory, prefix="." + name + "."), track)
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
        os.chmod(tmp, 0o666 & ~UMASK)   # as any other results file, not mkstemp's 0600
        os.rename(tmp, os.path.join(directory, name))
    except BaseException:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise
    finally:
        untrack(tmp)


def copy_into(src, directory, name):
    """Copies the file @src (ours, in a private work dir) to directory/name."""
    with open(src, "rb") as f:
        write_file(directory, name, f.read())


def remove_stale(directory, keep, prefix, suffix):
    """Unlinks directory/prefix*suffix entries not in @keep (a link is
    removed itself; what it points to is never touched)."""
    for name in os.listdir(directory):
        if name.startswith(prefix) and name.endswith(suffix) and name not in keep:
            path = os.path.join(directory, name)
            if os.path.islink(path) or os.path.isfile(path):
                try:
                    os.unlink(path)
                except OSError:
                    pass


# ---------------------------------------------------------------- reading

def read_input(path, limit=MAX_INPUT):
    """The text of the regular file @path; BadInput for anything else (a
    FIFO, a device, a link to one, a directory, too big, not UTF-8)."""
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | os.O_CLOEXEC)
    except OSError as e:
        raise BadInput("cannot read '%s': %s" % (path, e.strerror))
    try:
        st = os.fstat(fd)
        if not stat.S_ISREG(st.st_mode):
            raise BadInput("'%s' is not a regular file" % path)
        if st.st_size > limit:
            raise BadInput("'%s' is too large (%d bytes, at most %d)" % (path, st.st_size, limit))
        chunks = []
        total = 0
        while True:
            try:
                b = os.read(fd, 1 << 20)
            except OSError as e:
                raise BadInput("cannot read '%s': %s" % (path, e.strerror))
            if not b:
                break
            total += len(b)
            if total > limit:
                raise BadInput("'%s' is too large (more than %d bytes)" % (path, limit))
            chunks.append(b)
    finally:
        os.close(fd)
    try:
        return b"".join(chunks).decode("utf-8")
    except UnicodeDecodeError as e:
        raise BadInput("'%s' is not UTF-8 text (byte %d)" % (path, e.start))


def read_json(path):
    text = read_input(path, 4 << 20)
    try:
        doc = json.loads(text)
    except json.JSONDecodeError as e:
        raise BadInput("'%s' is not valid JSON: %s at line %d, column %d"
                       % (path, e.msg, e.lineno, e.colno))
    except RecursionError:
        raise BadInput("'%s' nests too deeply to be meta.json" % path)
    if not isinstance(doc, dict):
        raise BadInput("'%s': expected a JSON object at the top" % path)
    return doc


def read_csv(path, required=()):
    """Rows of @path as dicts keyed by the header's names (csv.DictReader),
    with the line number of each row in its '_line' key."""
    text = read_input(path)
    if "\0" in text:
        raise BadInput("'%s' holds a NUL byte: not a CSV file" % path)
    rows = []
    try:
        reader = csv.DictReader(io.StringIO(text, newline=""), restkey="_extra", restval="")
        header = reader.fieldnames or []
        missing = [c for c in required if c not in header]
        if missing:
            raise BadInput("'%s' lacks the column%s %s" % (path, "s" if len(missing) > 1 else "",
                                                        ", ".join(missing)))
        for row in reader:
            if not any(v for k, v in row.items() if k != "_extra"):
                continue
            row.pop("_extra", None)
            for k in list(row):
                if row[k] is None:
                    row[k] = ""
            row["_line"] = reader.line_num
            rows.append(row)
    except csv.Error as e:
        raise BadInput("'%s' is not valid CSV: %s" % (path, e))
    return header, rows


def jget(doc, *path):
    """doc[path0][path1]..., or None when any step is missing."""
    for p in path:
        if isinstance(doc, dict) and p in doc:
            doc = doc[p]
        elif isinstance(doc, list) and isinstance(p, int) and 0 <= p < len(doc):
            doc = doc[p]
        else:
            return None
    return doc


def jtext(v):
    """A JSON scalar as display text ('' for null and containers)."""
    if v is None or isinstance(v, (dict, list)):
        return ""
    if isinstance(v, bool):
        return "true" if v else "false"
    return str(v)
