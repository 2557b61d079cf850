#!/usr/bin/env python3
"""compdb.py: writes compile_commands.json for clangd.

Usage: compdb.py TOPDIR 'COMPILER AND FLAGS' SOURCE...  (the Makefile's compile_commands.json
target passes the exact flags of the current variant). Prints the JSON on standard output.
"""
import json
import shlex
import sys


def main() -> None:
    top, command, sources = sys.argv[1], sys.argv[2], sys.argv[3:]
    entries = [
        {
            "directory": top,
            "file": src,
            "arguments": shlex.split(command) + ["-c", src],
        }
        for src in sources
    ]
    json.dump(entries, sys.stdout, indent=1)
    sys.stdout.write("\n")


if __name__ == "__main__":
    main()
