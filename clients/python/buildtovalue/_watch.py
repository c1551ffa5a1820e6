"""The WatchSystemStatus stream behind the local status cache."""

import logging
import random
import threading
import time

import grpc

from btv.v1 import operations_pb2, types_pb2

from .errors import BuildToValueError
from .results import cached_block, system_status

log = logging.getLogger("buildtovalue")

_SNAPSHOT, _CHANGE, _HEARTBEAT = types_pb2.STATUS_EVENT_TYPE_SNAPSHOT, types_pb2.STATUS_EVENT_TYPE_CHANGE, types_pb2.STATUS_EVENT_TYPE_HEARTBEAT


class StatusWatch:
    """Snapshot, then changes in revision order; on any break the stream reopens with
    since_revision after a backoff, so no change is missed. A stream silent for
    heartbeat_timeout seconds is taken as dead."""

    def __init__(self, operations, metadata, system_ids, heartbeat_timeout, min_backoff=0.05, max_backoff=5.0):
        self._ops = operations
        self._metadata = metadata
        self._system_ids = list(system_ids or ())
        self._heartbeat_timeout = heartbeat_timeout
        self._min_backoff = min_backoff
        self._max_backoff = max_backoff
        # system_id -> (SystemStatus, precomputed blocked answer or None); replaced whole, so reads need no lock.
        self._cache = {}
        self._stop = threading.Event()
        self._call = None
        self._last_message = time.monotonic()
        self.connected = False
        self.revision = 0
        self.reconnects = 0
        self.last_error = None
        self.stopped = False
        self._thread = threading.Thread(target=self._run, name="buildtovalue-watch", daemon=True)
        self._watchdog = threading.Thread(target=self._watch_idle, name="buildtovalue-watchdog", daemon=True)
        self._thread.start()
        self._watchdog.start()

    def get(self, system_id):
        entry = self._cache.get(system_id)
        return entry[0] if entry else None

    def block(self, system_id):
        entry = self._cache.get(system_id)
        return entry[1] if entry else None

    def stop(self):
        self.stopped = True
        self._stop.set()
        call = self._call
        if call is not None:
            call.cancel()
        self.connected = False

    def _run(self):
        backoff = self._min_backoff
        first = True
        while not self._stop.is_set():
            if not first:
                self.reconnects += 1
            first = False
            request = operations_pb2.WatchSystemStatusRequest(system_ids=self._system_ids, since_revision=self.revision)
            delay = backoff
            try:
                call = self._ops.WatchSystemStatus(request, metadata=self._metadata())
                self._call = call
                self._last_message = time.monotonic()
                if self._stop.is_set():
                    call.cancel()
                for response in call:
                    self._last_message = time.monotonic()
                    self.connected = True
                    backoff = self._min_backoff
                    self._apply(response.event)
            except grpc.RpcError as e:
                err = BuildToValueError.from_rpc_error(e)
                self.last_error = err
                if err.code == grpc.StatusCode.OUT_OF_RANGE:
                    # The change log no longer reaches back to our revision: start over from a snapshot.
                    self.revision = 0
                    delay = 0
                elif err.caller_fault:
                    # A bad token or an unknown system cannot succeed on retry; the cache stays (it only ever blocks).
                    log.error("buildtovalue: watch stopped: %s", err)
                    self.stopped = True
                    break
                elif err.code != grpc.StatusCode.CANCELLED or not self._stop.is_set():
                    log.warning("buildtovalue: watch broken, reconnecting: %s", err)
            except Exception as e:  # noqa: BLE001 - anything else must not end the thread: reconnect
                self.last_error = e
                log.warning("buildtovalue: watch failed, reconnecting: %s", e)
            finally:
                self._call = None
                self.connected = False
            backoff = min(self._max_backoff, backoff * 2)
            # Jitter, so a fleet of clients does not reconnect in lockstep after a server restart.
            self._stop.wait(delay * random.uniform(0.8, 1.2))

    def _apply(self, event):
        if event.type in (_SNAPSHOT, _CHANGE):
            status = system_status(event)
            self._cache[event.system_id] = (status, cached_block(status))
            if event.revision > self.revision:
                self.revision = event.revision
        elif event.type == _HEARTBEAT and event.revision > self.revision:
            self.revision = event.revision

    def _watch_idle(self):
        while not self._stop.wait(min(1.0, self._heartbeat_timeout / 3)):
            call = self._call
            if call is not None and time.monotonic() - self._last_message > self._heartbeat_timeout:
                log.warning("buildtovalue: no heartbeat for %.1fs, reopening the watch", self._heartbeat_timeout)
                call.cancel()
