"""A minimal client for QEMU's GDB stub, to stop the machine at chosen points of the kernel.

Some facts leave no trace on the serial port or in memory once the kernel moves on: "control
reached the page-fault handler", or "what did the screen hold just before the student's function
ran, and just after it returned". For these a boot can start QEMU paused with its GDB stub on a
Unix socket (BootSpec(gdb=True)). run_to() sets a hardware breakpoint on an address, lets the
machine run, and waits for it to stop there, reading the serial log and enforcing the boot's time
limits meanwhile. While the machine is stopped, QMP still works, so tests can read memory and
registers at exactly that point; close() detaches and lets the kernel run on.

The GDB remote protocol frames each packet as `$<data>#<two hex digits of checksum>` and
acknowledges each with `+`; this client asks to turn the acknowledgements off (QStartNoAckMode)
and keeps sending them when the stub declines. A running machine is interrupted with the single
byte 0x03.
"""

import socket
import time

from .errors import GradeFailure

# GDB's x86-64 register order ("g" packet): sixteen 8-byte registers, then RIP.
REGISTER_NAMES = ["rax", "rbx", "rcx", "rdx", "rsi", "rdi", "rbp", "rsp", "r8", "r9", "r10",
                  "r11", "r12", "r13", "r14", "r15", "rip"]
POLL_INTERVAL = 0.05


class GdbStub:
    """One connection to QEMU's GDB stub. The machine starts out stopped."""

    def __init__(self, path, timeout=10.0, alive=None):
        deadline = time.monotonic() + timeout
        while True:
            self._sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
            try:
                self._sock.connect(path)
                break
            except OSError as e:
                self._sock.close()
                if time.monotonic() > deadline or (alive is not None and not alive()):
                    raise GradeFailure("cannot connect to QEMU's GDB stub: %s" % e) from None
                time.sleep(0.02)
        self._buffer = b""
        self._acks = True
        self.running = False
        if self.request("QStartNoAckMode") == "OK":
            self._acks = False

    def _send(self, data):
        checksum = sum(data.encode()) & 0xFF
        self._sock.sendall(b"$%s#%02x" % (data.encode(), checksum))

    def _receive(self, timeout):
        """Return the data of the next packet, skipping acknowledgements.

        Raises TimeoutError when nothing complete arrives in time, and ConnectionResetError
        when QEMU closes the connection (it exited).
        """
        self._sock.settimeout(timeout)
        while True:
            start = self._buffer.find(b"$")
            end = self._buffer.find(b"#", start)
            if start >= 0 and end >= 0 and len(self._buffer) >= end + 3:
                data = self._buffer[start + 1:end].decode()
                self._buffer = self._buffer[end + 3:]
                if self._acks:
                    self._sock.sendall(b"+")
                return data
            try:
                chunk = self._sock.recv(4096)
            except socket.timeout:
                raise TimeoutError from None
            if not chunk:
                raise ConnectionResetError("QEMU closed its GDB stub connection")
            self._buffer += chunk

    def request(self, data, timeout=10.0):
        """Send one packet and return the reply's data (the machine must be stopped)."""
        try:
            self._send(data)
            return self._receive(timeout)
        except TimeoutError:
            raise GradeFailure("QEMU's GDB stub did not answer %r" % data) from None
        except OSError as e:
            raise GradeFailure("QEMU's GDB stub connection failed: %s" % e) from None

    def set_breakpoint(self, address):
        """Insert a hardware breakpoint at a virtual address."""
        if self.request("Z1,%x,1" % address) != "OK":
            raise GradeFailure("QEMU refused a breakpoint at 0x%x" % address)

    def remove_breakpoint(self, address):
        self.request("z1,%x,1" % address)

    def cont(self):
        """Let the machine run; wait_stop() collects the stop."""
        try:
            self._send("c")
        except OSError as e:
            raise GradeFailure("QEMU's GDB stub connection failed: %s" % e) from None
        self.running = True

    def wait_stop(self, timeout):
        """Wait up to timeout seconds for the running machine to stop; return the stop reply.

        Returns None if the time runs out or QEMU exits first.
        """
        try:
            reply = self._receive(timeout)
        except OSError:             # includes TimeoutError and a closed connection
            return None
        self.running = False
        return reply

    def interrupt(self):
        """Stop a running machine (as Ctrl-C in GDB does)."""
        if self.running:
            try:
                self._sock.sendall(b"\x03")
            except OSError:
                return
            self.wait_stop(2.0)

    def registers(self):
        """Return {name: value} for RAX..R15 and RIP (the machine must be stopped)."""
        value = self.request("g")
        if len(value) < 16 * len(REGISTER_NAMES):
            raise GradeFailure("QEMU's GDB stub sent a short register dump: %r" % value[:40])
        return {name: int.from_bytes(bytes.fromhex(value[16 * i:16 * i + 16]), "little")
                for i, name in enumerate(REGISTER_NAMES)}

    def rip(self):
        return self.registers()["rip"]

    def read_memory(self, address, size):
        """Read size bytes at a virtual address, through the current page tables."""
        value = self.request("m%x,%x" % (address, size))
        if value.startswith("E") or len(value) != 2 * size:
            raise GradeFailure("cannot read %d bytes at 0x%x through the GDB stub" %
                               (size, address))
        return bytes.fromhex(value)

    def return_address(self):
        """At a function's first instruction, the address it will return to (at [RSP])."""
        return int.from_bytes(self.read_memory(self.registers()["rsp"], 8), "little")

    def close(self):
        """Detach (the machine runs on) and close the connection."""
        try:
            self.interrupt()
            self._send("D")
        except OSError:
            pass
        try:
            self._sock.close()
        except OSError:
            pass


def run_to(machine, address, timeout=None):
    """Let a gdb=True boot run until it executes address; return True if it stopped there.

    Call it from a BootSpec's interact callback, with the machine stopped (as it starts). While
    waiting, the serial log is read and the boot's own limits apply. Returns False if timeout
    (seconds, scaled) passes, the kernel holds, or the boot ends first; the boot's outcome is
    then recorded as usual. On True the machine is left stopped at address.
    """
    from .qemu import _BootOver
    stub = machine.gdb()
    stub.set_breakpoint(address)
    stub.cont()
    deadline = None if timeout is None else \
        time.monotonic() + timeout * machine.settings.timeout_scale
    try:
        while True:
            reply = stub.wait_stop(POLL_INTERVAL)
            if reply is not None:
                break
            machine.pump()
            if machine.held or (deadline is not None and time.monotonic() > deadline):
                stub.interrupt()
                stub.remove_breakpoint(address)
                return False
    except _BootOver:
        return False
    stub.remove_breakpoint(address)
    return reply.startswith(("T", "S")) and stub.rip() == address
