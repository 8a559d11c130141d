#!/usr/bin/env bash
# Install OpenLink Virtuoso (Debian's virtuoso-opensource, 7.2) for the tests that run a
# throw-away Virtuoso (tests/support/virtuoso_server.py), without any prompt and without leaving
# the packaged system service running.
#
#   bash scripts/install-virtuoso.sh        # as root, or with sudo available
#
# - Idempotent: exits 0 at once when /usr/bin/virtuoso-t and /usr/bin/isql-vt are there.
# - Non-interactive: DEBIAN_FRONTEND=noninteractive, and the debconf questions of
#   virtuoso-opensource-7 are preseeded (an empty DBA password: the package then keeps
#   its default instance disabled, RUN=no in /etc/default/virtuoso-opensource-7; our tests
#   never use that instance, they create their own database in a temporary folder).
# - No service: while the package installs, a policy-rc.d that answers 101 forbids
#   invoke-rc.d to start the packaged instance (ports 1111 and 8890 on every interface);
#   afterwards the script checks that no packaged instance runs and stops one if it does.
#   Its rc links (which would start it at boot) are disabled too.
# - --no-install-recommends: the Conductor and start-page VADs are not needed.
#
# The binaries land in /usr/bin: virtuoso-t (the server) and isql-vt (Virtuoso's isql;
# /usr/bin/isql, when present, is unixODBC's and a different program).
set -euo pipefail

say() { printf 'install-virtuoso: %s\n' "$*"; }

SUDO=""
if [ "$(id -u)" -ne 0 ]; then
    if command -v sudo >/dev/null 2>&1; then SUDO="sudo"; else
        say "not root and no sudo: cannot install" >&2
        exit 1
    fi
fi

stop_packaged_instance() {
    # The Debian package's own instance (database in /var/lib/virtuoso-opensource-7/db,
    # ports 1111 and 8890 on every interface, DBA password "dba" when none was given).
    # Its init script has no RUN= switch that it honours, and its rc links start it at
    # boot: disable them, and stop an instance that runs.
    [ -e /etc/init.d/virtuoso-opensource-7 ] || return 0
    if ls /etc/rc[2-5].d/S*virtuoso-opensource-7 >/dev/null 2>&1; then
        say "disabling the packaged service at boot (update-rc.d virtuoso-opensource-7 disable)"
        $SUDO update-rc.d virtuoso-opensource-7 disable >/dev/null 2>&1 || true
    fi
    if [ -d /run/systemd/system ] && command -v systemctl >/dev/null 2>&1; then
        if systemctl is-enabled --quiet virtuoso-opensource-7 2>/dev/null; then
            say "systemctl disable virtuoso-opensource-7"
            $SUDO systemctl disable --quiet virtuoso-opensource-7 || true
        fi
        if systemctl is-active --quiet virtuoso-opensource-7 2>/dev/null; then
            say "systemctl stop virtuoso-opensource-7"
            $SUDO systemctl stop virtuoso-opensource-7 || true
        fi
    fi
    local pids
    pids=$(pgrep -f -- 'configfile /etc/virtuoso-opensource-7/virtuoso.ini' || true)
    if [ -n "$pids" ]; then
        say "stopping the packaged instance (pid $pids)"
        $SUDO /etc/init.d/virtuoso-opensource-7 stop || $SUDO kill $pids || true
    fi
}

if [ -x /usr/bin/virtuoso-t ] && [ -x /usr/bin/isql-vt ]; then
    say "already installed: virtuoso-opensource-7-bin $(dpkg-query -W -f='${Version}' virtuoso-opensource-7-bin 2>/dev/null || echo '(not from a package)')"
    stop_packaged_instance
    exit 0
fi

if ! command -v apt-get >/dev/null 2>&1; then
    say "apt-get not found: install OpenLink Virtuoso 7.2 (virtuoso-t, isql-vt) by hand" >&2
    exit 1
fi

export DEBIAN_FRONTEND=noninteractive

say "preseeding debconf: empty DBA password (default instance stays disabled), no ODBC DSN"
$SUDO debconf-set-selections <<'EOF'
virtuoso-opensource-7 virtuoso-opensource-7/dba-password password
virtuoso-opensource-7 virtuoso-opensource-7/dba-password-again password
virtuoso-opensource-7 virtuoso-opensource-7/register-odbc-dsn boolean false
virtuoso-opensource-7 virtuoso-opensource/primary-server select virtuoso-opensource-7
libvirtodbc0 libvirtodbc0/register-odbc-driver boolean false
EOF

# Forbid service starts during the install, unless a policy already does (Docker images).
POLICY=/usr/sbin/policy-rc.d
if [ ! -e "$POLICY" ]; then
    say "installing a temporary $POLICY (exit 101) so the package starts no service"
    printf '#!/bin/sh\nexit 101\n' | $SUDO tee "$POLICY" >/dev/null
    $SUDO chmod 755 "$POLICY"
    trap '$SUDO rm -f "$POLICY"; say "removed the temporary $POLICY"' EXIT
else
    say "keeping the existing $POLICY"
fi

if [ -z "$(apt-cache policy virtuoso-opensource 2>/dev/null | grep -m1 'Candidate:' | grep -v '(none)')" ]; then
    say "apt-get update (the package lists do not know virtuoso-opensource yet)"
    $SUDO apt-get update -qq
fi

say "apt-get install --no-install-recommends virtuoso-opensource"
start=$(date +%s)
$SUDO apt-get install -y -q --no-install-recommends \
    -o Dpkg::Options::=--force-confdef -o Dpkg::Options::=--force-confold \
    virtuoso-opensource
say "installed in $(($(date +%s) - start)) s"

stop_packaged_instance

for bin in /usr/bin/virtuoso-t /usr/bin/isql-vt; do
    if [ ! -x "$bin" ]; then
        say "$bin is missing after the install" >&2
        exit 1
    fi
done
say "ready: /usr/bin/virtuoso-t ($(dpkg-query -W -f='${Version}' virtuoso-opensource-7-bin)), /usr/bin/isql-vt"
