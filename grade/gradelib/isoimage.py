"""Building the boot ISO for one grader boot.

Each boot carries its own random token and test selection on the kernel command line, so each
boot gets its own small ISO: a temporary tree holding the kernel ELF and a grub.cfg that boots it
at once, turned into an El Torito image by grub-mkrescue. Only the two GRUB modules the menu needs
are installed, and fonts, locales and themes are left out, which keeps the image small.

grub-mkrescue takes about 0.13 s, but xorriso, which it runs, polls its writer thread every
100 ms and now and then needs a second or more. IsoMaker therefore runs grub-mkrescue once per
kernel, with a grub.cfg padded to a fixed size (GRUB_CFG_SIZE bytes; a comment line fills the
rest), and makes each boot's ISO by copying that image and overwriting the grub.cfg bytes in
place with the boot's own configuration, padded to the same size. An ISO 9660 image stores a
file's bytes contiguously and unchanged, with no checksum over them, so the copy is exactly the
image grub-mkrescue would have built for that configuration. If the padded file cannot be found
exactly once in the image, or a configuration does not fit, IsoMaker builds that boot's ISO with
grub-mkrescue as usual.
"""

import os
import shutil
import subprocess
import tempfile

from .errors import GradeFailure

GRUB_PLATFORM_DIR = "/usr/lib/grub/i386-pc"

GRUB_CFG = """\
set timeout=0
set default=0
menuentry "grader boot" {{
    multiboot2 /boot/kernel.elf {cmdline}
    boot
}}
"""
GRUB_CFG_SIZE = 2048        # one ISO sector


def grub_cfg(cmdline, padded=False):
    """Return the grub.cfg text for a kernel command line, padded to GRUB_CFG_SIZE if asked.

    Returns None when padding is asked for and the configuration does not fit.
    """
    text = GRUB_CFG.format(cmdline=cmdline)
    if not padded:
        return text
    filler = GRUB_CFG_SIZE - len(text.encode()) - 3     # "#", the filler, "\n"
    if filler < 0:
        return None
    return text + "#" + "-" * filler + "\n"


def kernel_cmdline(token, run=(), hold=False, args=()):
    """Return the kernel command line: token=, run= (when tests are selected), hold, extras."""
    words = ["token=%s" % token]
    if run:
        words.append("run=%s" % ",".join(run))
    if hold:
        words.append("hold")
    words += list(args)
    return " ".join(words)


def build_iso(kernel_elf, cmdline, workdir, log_path=None, padded=False):
    """Write workdir/iso/ with the kernel and a grub.cfg, and return the path of workdir/boot.iso.

    Raises GradeFailure if the kernel is missing or grub-mkrescue fails; its output goes to
    log_path when one is given.
    """
    if not os.path.isfile(kernel_elf):
        raise GradeFailure("%s does not exist: build the kernel first (make iso)." % kernel_elf)
    if not os.path.isdir(GRUB_PLATFORM_DIR):
        raise GradeFailure("%s is missing: install the grub-pc-bin package." % GRUB_PLATFORM_DIR)
    tree = os.path.join(workdir, "iso")
    os.makedirs(os.path.join(tree, "boot", "grub"))
    target = os.path.join(tree, "boot", "kernel.elf")
    try:
        os.link(kernel_elf, target)     # a hard link is instant; copy across file systems
    except OSError:
        shutil.copyfile(kernel_elf, target)
    with open(os.path.join(tree, "boot", "grub", "grub.cfg"), "w") as f:
        f.write(grub_cfg(cmdline, padded))
    iso = os.path.join(workdir, "boot.iso")
    command = ["grub-mkrescue", "-d", GRUB_PLATFORM_DIR,
               "--install-modules=multiboot2 normal", "--fonts=", "--locales=", "--themes=",
               "-o", iso, tree]
    try:
        done = subprocess.run(command, stdin=subprocess.DEVNULL, capture_output=True,
                              text=True, timeout=60)
    except FileNotFoundError:
        raise GradeFailure("grub-mkrescue not found: install grub-common, grub-pc-bin, "
                           "xorriso and mtools.") from None
    except subprocess.TimeoutExpired:
        raise GradeFailure("grub-mkrescue took more than 60 s to build the boot ISO.") from None
    if log_path:
        with open(log_path, "w") as f:
            f.write("$ %s\n%s%s" % (" ".join(command), done.stdout, done.stderr))
    if done.returncode != 0 or not os.path.exists(iso):
        raise GradeFailure("grub-mkrescue could not build the boot ISO (status %d):" %
                           done.returncode, detail=done.stderr.strip().splitlines()[-8:])
    return iso


class IsoMaker:
    """Makes per-boot ISOs for one kernel from a single grub-mkrescue image (see above)."""

    def __init__(self, kernel_elf):
        self.kernel_elf = kernel_elf
        self._dir = None
        self._image = None          # the template image's bytes
        self._offset = None         # where its grub.cfg bytes start
        self._stamp = None          # the kernel's (mtime, size) when the template was made

    def _prepare(self, log_path):
        """Build the template image once (again if the kernel file changed)."""
        try:
            stat = os.stat(self.kernel_elf)
        except OSError:
            stat = None
        stamp = (stat.st_mtime_ns, stat.st_size) if stat else None
        if self._image is not None and stamp == self._stamp:
            return
        self.close()
        self._dir = tempfile.mkdtemp(prefix="grade-iso-", dir="/tmp" if os.path.isdir("/tmp")
                                     else None)
        placeholder = grub_cfg("", padded=True)
        iso = build_iso(self.kernel_elf, "", self._dir, log_path=log_path, padded=True)
        with open(iso, "rb") as f:
            image = f.read()
        needle = placeholder.encode()
        first = image.find(needle)
        if first >= 0 and image.find(needle, first + 1) < 0:
            self._image, self._offset = image, first
        self._stamp = stamp

    def make(self, cmdline, workdir, log_path=None):
        """Write workdir/boot.iso booting the kernel with cmdline; return its path."""
        self._prepare(log_path)
        config = grub_cfg(cmdline, padded=True)
        if self._image is None or config is None:
            return build_iso(self.kernel_elf, cmdline, workdir, log_path=log_path)
        iso = os.path.join(workdir, "boot.iso")
        data = config.encode()
        with open(iso, "wb") as f:
            f.write(self._image[:self._offset])
            f.write(data)
            f.write(self._image[self._offset + len(data):])
        return iso

    def close(self):
        """Remove the template image."""
        if self._dir:
            shutil.rmtree(self._dir, ignore_errors=True)
        self._dir = self._image = self._offset = None
