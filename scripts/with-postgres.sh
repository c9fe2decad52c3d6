#!/usr/bin/env bash
# Run a command against a throwaway PostgreSQL cluster.
#
#   scripts/with-postgres.sh COMMAND [ARGS...]
#
# Starts a private cluster in a temp dir (trust auth, 127.0.0.1 on a free port),
# creates the database "leitbild", exports
#   DATABASE_URL=postgres://postgres@127.0.0.1:PORT/leitbild
# runs COMMAND, then always stops the cluster and removes the temp dir.
# Exits with COMMAND's status. As root, the server runs as the "postgres" user.
set -euo pipefail

if [ "$#" -eq 0 ]; then
    echo "usage: $0 COMMAND [ARGS...]" >&2
    exit 2
fi

# --- find the PostgreSQL binaries (initdb, pg_ctl, pg_isready from one dir) ---
pg_bindir=""
if command -v initdb >/dev/null 2>&1; then
    pg_bindir="$(dirname "$(readlink -f "$(command -v initdb)")")"
else
    for d in $(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V -r); do
        if [ -x "$d/initdb" ]; then pg_bindir="$d"; break; fi
    done
fi
if [ -z "$pg_bindir" ] || [ ! -x "$pg_bindir/pg_ctl" ]; then
    echo "with-postgres: PostgreSQL binaries (initdb, pg_ctl) not found" >&2
    exit 127
fi

# --- run server-side tools as postgres when we are root ---
if [ "$(id -u)" -eq 0 ]; then
    if ! id postgres >/dev/null 2>&1; then
        echo "with-postgres: running as root but there is no 'postgres' user" >&2
        exit 1
    fi
    pg_tmp="$(mktemp -d /tmp/leitbild-pg.XXXXXX)"
    chown postgres: "$pg_tmp"
    as_pg() { (cd "$pg_tmp" && runuser -u postgres -- "$@"); }
else
    pg_tmp="$(mktemp -d "${TMPDIR:-/tmp}/leitbild-pg.XXXXXX")"
    as_pg() { (cd "$pg_tmp" && "$@"); }
fi
pg_data="$pg_tmp/data"
pg_sock="$pg_tmp/sock"
pg_log="$pg_tmp/server.log"
as_pg mkdir -m 700 "$pg_data" "$pg_sock"

cleanup() {
    local rc=$?
    if [ -f "$pg_data/postmaster.pid" ]; then
        as_pg "$pg_bindir/pg_ctl" -D "$pg_data" -m fast -w stop >/dev/null 2>&1 \
            || as_pg "$pg_bindir/pg_ctl" -D "$pg_data" -m immediate -w stop >/dev/null 2>&1 \
            || true
    fi
    rm -rf "$pg_tmp"
    exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

free_port() {
    python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()'
}

# C.UTF-8 where the system has it, plain C otherwise (encoding stays UTF8 either way).
if ! as_pg "$pg_bindir/initdb" -D "$pg_data" -U postgres -A trust -E UTF8 --locale=C.UTF-8 \
    --no-sync >"$pg_tmp/initdb.log" 2>&1; then
    as_pg rm -rf "$pg_data"
    as_pg mkdir -m 700 "$pg_data"
    as_pg "$pg_bindir/initdb" -D "$pg_data" -U postgres -A trust -E UTF8 --locale=C \
        --no-sync >"$pg_tmp/initdb.log" 2>&1 || {
        echo "with-postgres: initdb failed:" >&2
        cat "$pg_tmp/initdb.log" >&2
        exit 1
    }
fi

# Start on a free port; retry a few times in case another process grabs it first.
pg_port=""
for _ in 1 2 3; do
    port="$(free_port)"
    if as_pg "$pg_bindir/pg_ctl" -D "$pg_data" -l "$pg_log" -w -t 60 -o \
        "-c listen_addresses=127.0.0.1 -p $port -k $pg_sock -c fsync=off -c synchronous_commit=off -c full_page_writes=off" \
        start >/dev/null 2>&1; then
        pg_port="$port"
        break
    fi
done
if [ -z "$pg_port" ]; then
    echo "with-postgres: could not start PostgreSQL; server log:" >&2
    cat "$pg_log" >&2 2>/dev/null || true
    exit 1
fi

# Wait for readiness (pg_ctl -w already waits; this is a belt-and-braces check).
for _ in $(seq 1 60); do
    if [ -x "$pg_bindir/pg_isready" ]; then
        "$pg_bindir/pg_isready" -q -h 127.0.0.1 -p "$pg_port" -U postgres && break
    else
        python3 -c 'import socket,sys; socket.create_connection(("127.0.0.1", int(sys.argv[1])), 1)' "$pg_port" 2>/dev/null && break
    fi
    sleep 0.5
done

"$pg_bindir/createdb" -h 127.0.0.1 -p "$pg_port" -U postgres leitbild

export DATABASE_URL="postgres://postgres@127.0.0.1:$pg_port/leitbild"
echo "with-postgres: PostgreSQL $("$pg_bindir/pg_ctl" --version | awk '{print $3}') on 127.0.0.1:$pg_port" >&2

# The command runs in the foreground (keeps the terminal, stdin, pdb); on a signal the
# cleanup trap runs as soon as it has exited.
set +e
"$@"
status=$?
set -e
exit "$status"
