#!/bin/sh
# Starts the shell-install delegate with the config-delegate.yaml beside this script; stop it with Ctrl-C or SIGTERM.
cd "$(dirname "$0")"
exec java -jar delegate.jar config-delegate.yaml
