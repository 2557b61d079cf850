#!/usr/bin/env bash
# setup.sh: Gradescope runs this once, as root, on its Ubuntu image when the autograder is built.
# It installs the distribution packages the grader needs with the tree's own tools/doctor.sh
# (apt-get, non-interactive; the same list `make deps` installs), then runs the doctor again so
# the build log shows that every tool is there. Nothing comes from a language registry.
set -eu
export DEBIAN_FRONTEND=noninteractive
cd "$(dirname "$0")"
bash tools/doctor.sh --install
bash tools/doctor.sh
