# Shared by both packages' maintainer scripts; build.py puts it where the
# script says #COMMON#. Everything honours DPKG_ROOT, so that
# `dpkg --root R --force-script-chrootless` installs into R from outside it:
# names are looked up in R's own /etc/passwd and /etc/group (never through
# this machine's NSS), users are made with --prefix, units enabled with
# systemctl --root, and nothing is started or reloaded unless R is /.
ROOT="${DPKG_ROOT:-}"

# The account both packages run as: made by whichever comes first, kept on
# purge (files it owns, such as the data folders, outlive the packages).
ANJ_USER=anjungan

# id_of FILE NAME: the numeric id of NAME in R's passwd or group file.
id_of() {
	while IFS=: read -r name _pw id _rest; do
		if [ "$name" = "$2" ]; then
			echo "$id"
			return 0
		fi
	done <"$ROOT/etc/$1"
	return 1
}

with_prefix() {
	if [ -n "$ROOT" ]; then
		"$@" --prefix "$ROOT"
	else
		"$@"
	fi
}

ensure_user() {
	if ! id_of group "$ANJ_USER" >/dev/null; then
		with_prefix groupadd --system "$ANJ_USER"
	fi
	if ! id_of passwd "$ANJ_USER" >/dev/null; then
		with_prefix useradd --system --gid "$ANJ_USER" --no-create-home \
			--home-dir "$1" --shell /usr/sbin/nologin \
			--comment "Anjungan kiosk and central server" "$ANJ_USER"
	fi
}

# add_to_group GROUP: the user joins GROUP where R has it.
add_to_group() {
	if id_of group "$1" >/dev/null; then
		with_prefix usermod --append --groups "$1" "$ANJ_USER"
	fi
}

# own MODE USER GROUP PATH...: numeric owner and mode in R.
own() {
	mode="$1" uid="$(id_of passwd "$2")" gid="$(id_of group "$3")"
	shift 3
	chown "$uid:$gid" "$@"
	chmod "$mode" "$@"
}

# make_dir MODE USER GROUP PATH: made if missing, mode and owner set either way.
make_dir() {
	mkdir -p "$ROOT$4"
	own "$1" "$2" "$3" "$ROOT$4"
}

# Whether this script acts on the running system (not a root being built).
live_system() {
	[ -z "$ROOT" ] && [ -d /run/systemd/system ]
}

enable_unit() {
	if command -v systemctl >/dev/null; then
		systemctl --root="${ROOT:-/}" --quiet enable "$1" || true
	fi
}

disable_unit() {
	if command -v systemctl >/dev/null; then
		systemctl --root="${ROOT:-/}" --quiet disable "$1" || true
	fi
}

daemon_reload() {
	if live_system; then
		systemctl daemon-reload || true
	fi
}

stop_unit() {
	if live_system; then
		systemctl stop "$1" || true
	fi
}

try_restart() {
	if live_system; then
		systemctl try-restart "$1" || true
	fi
}
