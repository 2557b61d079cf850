"""The random streams the kernel and the grader share.

Every in-kernel test that uses random inputs draws them from a splitmix64 generator seeded with
the boot's token XOR the FNV-1a 64-bit hash of the test's name (see kernel/lib/random.h). The
grader recomputes the same stream here, so it can predict exactly what a test did (which text
lab1.vga_hello wrote, for example) without trusting anything the kernel printed. All arithmetic is
modulo 2**64, as it is in C with uint64_t.
"""

MASK64 = (1 << 64) - 1

FNV_OFFSET = 0xCBF29CE484222325
FNV_PRIME = 0x100000001B3


def fnv1a64(data):
    """Return the FNV-1a 64-bit hash of data (bytes, or a str taken as UTF-8)."""
    if isinstance(data, str):
        data = data.encode()
    h = FNV_OFFSET
    for byte in data:
        h = ((h ^ byte) * FNV_PRIME) & MASK64
    return h


class SplitMix64:
    """The splitmix64 generator, bit for bit the same as the kernel's."""

    def __init__(self, seed):
        self.state = seed & MASK64

    def next(self):
        """Advance the state and return the next 64-bit output."""
        self.state = (self.state + 0x9E3779B97F4A7C15) & MASK64
        z = self.state
        z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & MASK64
        z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & MASK64
        return z ^ (z >> 31)

    def below(self, n):
        """Return next() % n, the way the kernel's tests draw a number in [0, n)."""
        return self.next() % n


def test_rng(token, name):
    """Return the generator an in-kernel test named name starts with on a boot with token.

    token is the boot's 64-bit token as an int (or its 16-digit hex string).
    """
    if isinstance(token, str):
        token = int(token, 16)
    return SplitMix64(token ^ fnv1a64(name))


# pytest would otherwise try to collect test_rng as a test when a test module imports it.
test_rng.__test__ = False
