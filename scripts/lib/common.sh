# shellcheck shell=bash
# Shared helpers for scripts/pg-start, pg-stop, test and demo. Source it; don't run it.
#
# Every message goes to stderr: pg-start keeps stdout for the URL it prints.
# File descriptor 3 is closed for the programs started from here, because pg-start keeps its real stdout
# there: a postmaster that inherited it would hold `url=$(scripts/pg-start)` open forever.

# shellcheck disable=SC2034 # used by the scripts that source this
REPO_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd -P)
PG_PREFERRED_VERSION=15

# --- Messages -----------------------------------------------------------------------------------

info() { printf '%s: %s\n' "${0##*/}" "$*" >&2; }
warn() { printf '%s: warning: %s\n' "${0##*/}" "$*" >&2; }
die() {
    printf '%s: error: %s\n' "${0##*/}" "$*" >&2
    exit 1
}
section() { printf '\n==> %s\n' "$*" >&2; }

is_root() { [[ $EUID -eq 0 ]]; }

# --- Packages -----------------------------------------------------------------------------------

# Prints the bin directory of the installed PostgreSQL: version 15 if present, else the newest.
pg_find_bin_dir() {
    local dir found=""
    if [[ -x /usr/lib/postgresql/$PG_PREFERRED_VERSION/bin/pg_ctl
        && -x /usr/lib/postgresql/$PG_PREFERRED_VERSION/bin/initdb ]]; then
        echo "/usr/lib/postgresql/$PG_PREFERRED_VERSION/bin"
        return 0
    fi
    while IFS= read -r dir; do
        [[ -x $dir/pg_ctl && -x $dir/initdb ]] && found=$dir
    done < <(compgen -G '/usr/lib/postgresql/*/bin' | sort -V)
    [[ -n $found ]] && echo "$found"
}

# apt-get install, as root or through passwordless sudo; `apt-get update` only when there are no package
# lists yet, or when the install fails (stale lists).
apt_install() {
    local sudo=()
    command -v apt-get >/dev/null || die "missing packages ($*) and no apt-get here: install them by hand"
    if ! is_root; then
        if ! command -v sudo >/dev/null || ! sudo -n true 2>/dev/null; then
            die "missing packages; as root, run: apt-get install -y $*"
        fi
        sudo=(sudo -n)
    fi
    local apt=("${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get -y -q -o DPkg::Lock::Timeout=300)
    info "installing: $*"
    if ! compgen -G '/var/lib/apt/lists/*_Packages*' >/dev/null; then
        "${apt[@]}" update >&2 3>&-
    fi
    if ! "${apt[@]}" install "$@" >&2 3>&-; then
        info "install failed; refreshing the package lists and retrying"
        "${apt[@]}" update >&2 3>&-
        "${apt[@]}" install "$@" >&2 3>&-
    fi
}

# ensure_packages [server] [dev]: installs what is missing of the PostgreSQL server (`postgresql`) and of
# libpq's headers and pkg-config file (`libpq-dev`, plus `pkg-config` itself, which SwiftPM needs to find them).
ensure_packages() {
    local want missing=()
    for want in "$@"; do
        case $want in
            server) [[ -n $(pg_find_bin_dir) ]] || missing+=(postgresql) ;;
            dev)
                if ! command -v pkg-config >/dev/null; then
                    missing+=(pkg-config libpq-dev)
                elif ! pkg-config --exists libpq; then
                    missing+=(libpq-dev)
                fi
                ;;
            *) die "ensure_packages: unknown group '$want'" ;;
        esac
    done
    ((${#missing[@]} == 0)) || apt_install "${missing[@]}"
}

# Puts the Swift toolchain on PATH: already there, or /opt/swift/usr/bin.
ensure_swift_on_path() {
    command -v swift >/dev/null && return 0
    if [[ -x /opt/swift/usr/bin/swift ]]; then
        export PATH="/opt/swift/usr/bin:$PATH"
        return 0
    fi
    die "swift not found: install a Swift 6.3 toolchain (https://www.swift.org/install/) and put it on PATH"
}

# --- Running PostgreSQL as an unprivileged user -------------------------------------------------

# PostgreSQL refuses to run as root. As root we run it as `postgres` (the Debian package's user, created
# here if missing); otherwise as the current user.
PG_OS_USER=""

pg_init_os_user() {
    if ! is_root; then
        PG_OS_USER=$(id -un)
        return 0
    fi
    PG_OS_USER=postgres
    if ! id -u "$PG_OS_USER" >/dev/null 2>&1; then
        info "creating the system user '$PG_OS_USER' to run PostgreSQL (it refuses to run as root)"
        useradd --system --user-group --no-create-home --home-dir /nonexistent \
            --shell /usr/sbin/nologin "$PG_OS_USER"
    fi
}

# Runs a command as PG_OS_USER, from / (the caller's directory may not be readable by that user).
as_pg() {
    if is_root; then
        (cd / && runuser -u "$PG_OS_USER" -- "$@") 3>&-
    else
        "$@" 3>&-
    fi
}

# Runs a command with only stdin, stdout and stderr open. For starting servers: a postmaster must not keep
# pipes it happened to inherit (a caller's `$(...)`, a CI runner's), or whoever reads them waits forever.
with_only_std_fds() {
    (
        local fd
        for fd in /proc/self/fd/*; do
            fd=${fd##*/}
            if ((fd > 2)); then eval "exec $fd>&-"; fi
        done
        "$@"
    )
}

# Where a data directory goes when PG_OS_USER cannot reach the requested one: fixed per requested path,
# so that pg-start and pg-stop agree.
pg_fallback_dir() {
    printf '/tmp/projector-pgdata-%s\n' "$(printf '%s' "$1" | sha256sum | cut -c1-12)"
}

# pg_prepare_data_dir DIR: creates DIR (absolute) owned by PG_OS_USER and prints it; or, when running as root
# and that user cannot traverse to DIR or own it, prepares and prints the fallback directory under /tmp.
pg_prepare_data_dir() {
    local dir=$1 parent created=""
    parent=$(dirname "$dir")
    if ! is_root; then
        mkdir -p "$dir"
        echo "$dir"
        return 0
    fi
    mkdir -p "$parent"
    if as_pg test -x "$parent"; then
        [[ -d $dir ]] || created=yes
        mkdir -p "$dir"
        if [[ $(stat -c %U "$dir") != "$PG_OS_USER" ]]; then
            if [[ -f $dir/PG_VERSION ]]; then
                warn "$dir is owned by $(stat -c %U "$dir"); giving it to $PG_OS_USER"
                chown -R "$PG_OS_USER:" "$dir" 2>/dev/null || true
            else
                chown "$PG_OS_USER:" "$dir" 2>/dev/null || true
            fi
        fi
        if as_pg test -w "$dir" -a -x "$dir"; then
            echo "$dir"
            return 0
        fi
        [[ -n $created ]] && rmdir "$dir"
        warn "$PG_OS_USER cannot own or write $dir (a filesystem that ignores chown?)"
    else
        warn "$PG_OS_USER cannot traverse to $parent (a parent directory is not searchable by others)"
    fi
    local fallback
    fallback=$(pg_fallback_dir "$dir")
    warn "using $fallback for the cluster instead of $dir"
    if [[ -e $fallback ]]; then
        [[ -d $fallback && ! -L $fallback && $(stat -c %U "$fallback") == "$PG_OS_USER" ]] \
            || die "$fallback exists and is not a directory owned by $PG_OS_USER; remove it"
    else
        mkdir -m 700 "$fallback"
        chown "$PG_OS_USER:" "$fallback"
    fi
    echo "$fallback"
}

# pg_lookup_data_dir DIR: prints where pg_prepare_data_dir put (or would put) DIR's cluster, creating nothing.
pg_lookup_data_dir() {
    local dir=$1 fallback
    fallback=$(pg_fallback_dir "$dir")
    if [[ ! -f $dir/PG_VERSION && -d $fallback ]]; then
        echo "$fallback"
    else
        echo "$dir"
    fi
}

# Prints the bin directory matching an existing cluster's major version, or fails.
pg_bin_dir_for_cluster() {
    local data=$1 version
    version=$(<"$data/PG_VERSION")
    if [[ -x /usr/lib/postgresql/$version/bin/pg_ctl ]]; then
        echo "/usr/lib/postgresql/$version/bin"
    else
        die "$data holds a PostgreSQL $version cluster, but PostgreSQL $version is not installed; remove it with scripts/pg-stop --remove"
    fi
}

# The port a running cluster listens on (line 4 of postmaster.pid).
pg_running_port() { sed -n 4p "$1/postmaster.pid" 2>/dev/null; }

pg_url() { printf 'postgres://postgres@127.0.0.1:%s/postgres\n' "$1"; }
