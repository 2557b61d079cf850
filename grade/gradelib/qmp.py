"""A small client for QEMU's machine protocol (QMP), spoken over a Unix socket.

QMP exchanges one JSON object per line. On connecting, QEMU sends a greeting; the client must send
`qmp_capabilities` before anything else. A command is `{"execute": name, "arguments": {...},
"id": n}`; the answer is `{"return": ...}` or `{"error": {"class": ..., "desc": ...}}` carrying the
same id. Asynchronous events (`{"event": ...}`, such as SHUTDOWN) can arrive at any time; they are
kept in `events`. `hmp` runs a human monitor command (such as `info registers`) through QMP's
`human-monitor-command` and returns its text output.
"""

import json
import os
import socket
import time


class QmpError(Exception):
    """QEMU refused a command, the connection broke, or no answer came in time."""


class Qmp:
    """One QMP connection to a running QEMU."""

    def __init__(self, path, timeout=10.0, alive=None):
        """Connect to the QMP socket at path, retrying until it appears or timeout passes.

        alive, if given, is a callable returning False once QEMU has exited, which stops the
        retries early (a dead QEMU will never create its socket).
        """
        self.timeout = timeout
        self.events = []
        self._buffer = b""
        self._next_id = 1
        deadline = time.monotonic() + timeout
        while True:
            try:
                self._sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
                self._sock.settimeout(timeout)
                self._sock.connect(path)
                break
            except OSError as e:
                self._sock.close()
                if time.monotonic() > deadline or (alive is not None and not alive()):
                    raise QmpError("cannot connect to QMP socket %s: %s" % (path, e)) from None
                time.sleep(0.02)
        greeting = self._read_message()
        if "QMP" not in greeting:
            raise QmpError("unexpected QMP greeting: %r" % greeting)
        self.command("qmp_capabilities")

    def _read_message(self):
        """Return the next JSON object QEMU sends, or raise QmpError."""
        while b"\n" not in self._buffer:
            try:
                data = self._sock.recv(65536)
            except OSError as e:
                raise QmpError("QMP connection failed: %s" % e) from None
            if not data:
                raise QmpError("QEMU closed the QMP connection")
            self._buffer += data
        line, self._buffer = self._buffer.split(b"\n", 1)
        try:
            return json.loads(line)
        except ValueError:
            raise QmpError("QEMU sent something that is not JSON: %r" % line[:200]) from None

    def command(self, name, **arguments):
        """Run QMP command name with keyword arguments; return its "return" value."""
        ident = self._next_id
        self._next_id += 1
        message = {"execute": name, "id": ident}
        if arguments:
            message["arguments"] = arguments
        try:
            self._sock.sendall(json.dumps(message).encode() + b"\n")
        except OSError as e:
            raise QmpError("cannot send %s to QEMU: %s" % (name, e)) from None
        while True:
            reply = self._read_message()
            if "event" in reply:
                self.events.append(reply)
            elif reply.get("id") == ident:
                if "error" in reply:
                    err = reply["error"]
                    raise QmpError("%s: %s (%s)" % (name, err.get("desc"), err.get("class")))
                return reply.get("return")

    def hmp(self, command_line):
        """Run a human monitor command (for example "info registers"); return its output."""
        return self.command("human-monitor-command", **{"command-line": command_line})

    def screendump(self, filename):
        """Save the screen as a PNG file, converting from PPM if QEMU cannot write PNG."""
        try:
            self.command("screendump", filename=filename, format="png")
            return
        except QmpError:
            pass
        from .png import ppm_to_png
        ppm = filename + ".ppm"
        self.command("screendump", filename=ppm)
        with open(ppm, "rb") as f:
            png = ppm_to_png(f.read())
        os.unlink(ppm)
        with open(filename, "wb") as f:
            f.write(png)

    def quit(self):
        """Ask QEMU to exit; the connection closes as it does."""
        try:
            self.command("quit")
        except QmpError:
            pass            # QEMU may close the socket before answering
        self.close()

    def close(self):
        """Close the connection (QEMU keeps running)."""
        try:
            self._sock.close()
        except OSError:
            pass
