#!/bin/sh
# setup-python.sh: install what the Python writers of scripts/writers need on
# Debian/Ubuntu: python3 and Debian's python3-aiofiles and python3-uvloop, for
# /usr/bin/python3 (the interpreter scripts/python.exec names). Run as root.
# With another interpreter (pyenv, a venv) use pip there instead:
#   python3 -m pip install aiofiles uvloop
set -eu
if ! command -v apt-get >/dev/null 2>&1; then
	echo "setup-python.sh: apt-get not found; install python3, aiofiles and uvloop with your package manager or pip" >&2
	exit 1
fi
SUDO=
if [ "$(id -u)" != 0 ]; then SUDO=sudo; fi
$SUDO apt-get install -y python3 python3-aiofiles python3-uvloop
/usr/bin/python3 -c 'import aiofiles, uvloop; print("ok: aiofiles and uvloop import in /usr/bin/python3")'
