# Shared by both packages' maintainer scripts; build.py puts it where the
# script says #COMMON#. Everything honours DPKG_ROOT, so that
# `dpkg --root R --force-script-chrootless` installs into R from outside it:
# names are looked up in R's own /etc/passwd and /etc/group (never through
# this machine's NSS), users are made with --prefix, units enabled with
# systemctl --root, and nothing is started or reloaded unless R is /.
ROOT="${DPKG_ROOT:-}"

# The accounts the packages run as, one each: on a machine with both, the
# public-facing kiosk cannot read the centre's data and secrets. Each is kept on
# purge (files it owns, such as the data folders, outlive the packages).
ANJ_USER=anjungan
CENTRAL_USER=anjungan-central

# refuse MESSAGE PESAN: stop the install, saying why in English and Bahasa Indonesia.
refuse() {
	echo "$1" >&2
	echo "$2" >&2
	exit 1
}

# field FILE NAME N: field N (1-based) of NAME's line in R's /etc/FILE (passwd, group).
field() {
	while IFS= read -r line; do
		if [ "${line%%:*}" = "$2" ]; then
			echo "$line" | cut -d: -f"$3"
			return 0
		fi
	done <"$ROOT/etc/$1"
	return 1
}

# id_of FILE NAME: the numeric id of NAME in R's passwd or group file.
id_of() { field "$1" "$2" 3; }

# field_of NAME N: field N of NAME's line in R's passwd.
field_of() { field passwd "$1" "$2"; }

# members_of GROUP: its member list (comma-separated) in R's group file.
members_of() { field group "$1" 4; }

with_prefix() {
	if [ -n "$ROOT" ]; then
		"$@" --prefix "$ROOT"
	else
		"$@"
	fi
}

# check_account NAME: an account of that name that is already there is taken
# only when it is a system account nobody can log in as: a person's account (a
# login shell, a uid of the people's range) would get the kiosk's devices and the
# service's files, so the install stops and says so (preinst: before a file is
# unpacked).
check_account() {
	if ! uid="$(id_of passwd "$1")"; then
		return 0
	fi
	shell="$(field_of "$1" 7)"
	first_uid=1000
	if [ -r "$ROOT/etc/login.defs" ]; then
		found="$(awk '$1 == "UID_MIN" { print $2 }' "$ROOT/etc/login.defs")"
		first_uid="${found:-1000}"
	fi
	case "$shell" in
	/usr/sbin/nologin | /sbin/nologin | /bin/false | /usr/bin/false) login=no ;;
	*) login=yes ;;
	esac
	if [ "$uid" -ge "$first_uid" ] || [ "$login" = yes ]; then
		refuse "The account $1 exists and is not a system account without login (uid $uid, shell $shell): the service will not run as it. Rename or remove that account, then install again." \
			"Akun $1 sudah ada dan bukan akun sistem tanpa login (uid $uid, shell $shell): layanan tidak akan berjalan dengan akun itu. Ganti nama atau hapus akun itu, lalu pasang lagi."
	fi
}

# ensure_user NAME HOME COMMENT: the system account NAME with its own group NAME.
# An existing one (check_account) joins the group NAME if it is not in it (the
# files are root:NAME 0640).
ensure_user() {
	check_account "$1"
	if ! id_of group "$1" >/dev/null; then
		with_prefix groupadd --system "$1"
	fi
	if ! id_of passwd "$1" >/dev/null; then
		with_prefix useradd --system --gid "$1" --no-create-home \
			--home-dir "$2" --shell /usr/sbin/nologin --comment "$3" "$1"
		return 0
	fi
	gid="$(id_of group "$1")"
	if [ "$(field_of "$1" 4)" != "$gid" ]; then
		case ",$(members_of "$1")," in
		*",$1,"*) ;;
		*) with_prefix usermod --append --groups "$1" "$1" ;;
		esac
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

# own_conffile MODE USER GROUP PATH: as own, for a conffile, which the
# administrator may have deleted on purpose (dpkg keeps it deleted on upgrades):
# then there is nothing to own.
own_conffile() {
	if [ -e "$4" ] || [ -L "$4" ]; then
		own "$@"
	fi
}

# make_dir MODE USER GROUP PATH: made if missing, mode and owner set either way.
# A symbolic link (or anything but a folder) in its place is refused: chown and
# chmod would follow it and hand the folder it names to the service.
make_dir() {
	if [ -L "$ROOT$4" ] || { [ -e "$ROOT$4" ] && [ ! -d "$ROOT$4" ]; }; then
		refuse "$4 is not a folder (a link or a file): move it away, then install again." \
			"$4 bukan folder (tautan atau berkas): pindahkan, lalu pasang lagi."
	fi
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

# forget_unit UNIT: its enablement links go (purge only). A removal keeps them,
# as debhelper's scripts do: the unit file is gone, so the links start
# nothing, and a reinstall finds the unit enabled or disabled as it was.
forget_unit() {
	for link in "$ROOT"/etc/systemd/system/*.wants/"$1" "$ROOT"/etc/systemd/system/*.requires/"$1"; do
		if [ -L "$link" ]; then
			rm -f "$link"
		fi
	done
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
