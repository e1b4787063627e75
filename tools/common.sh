# Shared setup of tools/serve and tools/check (sourced, not run).
# Finds Odoo 19.0, installs requirements.txt and makes this checkout visible to
# Odoo as the add-on "publication_crm", whatever the checkout folder is called.

REPO="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
PYTHON="${PYTHON:-python3}"

die() {
    echo "ERROR: $*" >&2
    exit 1
}

require_odoo() {
    local version
    version="$("$PYTHON" -c 'import odoo.release as r; print(r.major_version)' 2>/dev/null)" ||
        die "Odoo is not installed for $PYTHON ('import odoo' fails). Install Odoo 19.0 as README.md explains."
    [ "$version" = "19.0" ] || die "Odoo $version found, publication_crm needs Odoo 19.0."
    command -v odoo >/dev/null || die "No 'odoo' command on PATH. Install Odoo 19.0 with pip as README.md explains."
}

install_requirements() {
    "$PYTHON" -m pip install --quiet --disable-pip-version-check --root-user-action=ignore -r "$REPO/requirements.txt" ||
        die "could not install requirements.txt"
}

# The addons path: Odoo's own addons, add-ons installed from PyPI wheels, and a
# folder in which a link named publication_crm points at this checkout.
setup_addons_path() {
    local odoo_addons wheel_addons
    WORK="${PUBLICATION_CRM_WORKDIR:-${TMPDIR:-/tmp}/publication_crm-$(id -u)-$(printf %s "$REPO" | cksum | cut -d' ' -f1)}"
    mkdir -p "$WORK/addons"
    ln -sfn "$REPO" "$WORK/addons/publication_crm"
    odoo_addons="${ODOO_ADDONS_PATH:-$("$PYTHON" -c 'import odoo.release as r, os; print(os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(r.__file__))), "addons"))')}"
    [ -d "$odoo_addons/account" ] || die "Odoo's addons folder was not found at $odoo_addons; set ODOO_ADDONS_PATH to the 'addons' folder of your Odoo 19.0 checkout."
    ADDONS_PATH="$odoo_addons,$WORK/addons"
    wheel_addons="$("$PYTHON" -c 'import sysconfig, os; p = os.path.join(sysconfig.get_paths()["purelib"], "odoo", "addons"); print(p if os.path.isdir(p) else "")')"
    [ -z "$wheel_addons" ] || ADDONS_PATH="$ADDONS_PATH,$wheel_addons"
    MODULE="$WORK/addons/publication_crm"
    # Odoo's "mail" module description is invalid reStructuredText: docutils would
    # print its complaints while Odoo renders it. They are not about this add-on.
    export DOCUTILSCONFIG="$REPO/tools/docutils.conf"
}

# Odoo log lines (and docutils messages) at WARNING level or above.
bad_log_lines() {
    grep -E '^[0-9]{4}-[0-9]{2}-[0-9]{2} [0-9:,]+ [0-9]+ (WARNING|ERROR|CRITICAL) |\((WARNING|ERROR|SEVERE)/[0-9]\)|^Traceback' "$1"
}

# A new database with one add-on installed (no demo data), for the benchmarks.
# With BENCH_TEMPLATES=prefix (.ci/run sets it), the add-on is installed once into
# the template database prefix_<add-on> and every later benchmark copies it, with
# its filestore, instead of installing again.
fresh_db() {  # database, add-on
    local db=$1 addon=$2 template filestore
    dropdb --if-exists "$db"
    if [ -z "${BENCH_TEMPLATES:-}" ]; then
        odoo server -d "$db" --addons-path="$ADDONS_PATH" -i "$addon" --stop-after-init \
            --http-interface=127.0.0.1 --http-port="${HTTP_PORT:-8069}" --log-level=warn
        return
    fi
    template="${BENCH_TEMPLATES}_$addon"
    if ! psql -d postgres -Atc "SELECT 1 FROM pg_database WHERE datname = '$template'" | grep -q 1; then
        odoo server -d "$template" --addons-path="$ADDONS_PATH" -i "$addon" --stop-after-init \
            --http-interface=127.0.0.1 --http-port="${HTTP_PORT:-8069}" --log-level=warn
    fi
    createdb -T "$template" "$db"
    filestore="$("$PYTHON" -c 'from odoo.tools import config; print(config["data_dir"])')/filestore"
    rm -rf "${filestore:?}/$db"
    [ ! -d "$filestore/$template" ] || cp -r "$filestore/$template" "$filestore/$db"
}

# Drops the template databases of fresh_db (their names start with $BENCH_TEMPLATES).
drop_bench_templates() {
    local db
    for db in $(psql -d postgres -Atc "SELECT datname FROM pg_database WHERE datname LIKE '${BENCH_TEMPLATES}\\_%'"); do
        dropdb "$db"
    done
}
