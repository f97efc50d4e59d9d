#!/usr/bin/env bash
# Build the KX container image with podman on a machine that cannot pull base images.
#
# Both base images are made here from Debian bookworm's packages (debootstrap), cached as
# tarballs under var/image/ and imported into podman; the Containerfile is then built with them
# as BASE and NODE_BASE. Where images can be pulled, `podman build -t kx .` is all it takes.
#
#   scripts/build-image.sh            build localhost/kx:latest (bases made once, then reused)
#   scripts/build-image.sh --rebase   make the bases again (e.g. for Debian's security updates)
#
# Environment: IMAGE [localhost/kx:latest], KX_IMAGE_CACHE [var/image], PODMAN_STORAGE_DRIVER
# [overlay if the kernel has it, else vfs], BUILD_ISOLATION [chroot], DEBIAN_MIRROR [the mirror
# this machine's apt uses], BUILD_CA_BUNDLE [PIP_CERT or NODE_EXTRA_CA_CERTS: a CA bundle lent
# to the build steps].
set -euo pipefail
cd "$(dirname "$0")/.."

IMAGE=${IMAGE:-localhost/kx:latest}
CACHE=${KX_IMAGE_CACHE:-var/image}
# overlay where the kernel has it (a code-only rebuild: about 30 s here); vfs copies the whole
# file system at every step (about 10 minutes for the same rebuild), so it is the fallback, or
# what a store already made with vfs keeps using.
driver=${PODMAN_STORAGE_DRIVER:-}
if [ -z "$driver" ]; then
    store=/var/lib/containers/storage
    if [ -d "$store/vfs-images" ] && [ ! -d "$store/overlay-images" ]; then
        driver=vfs
    elif grep -qw overlay /proc/filesystems; then
        driver=overlay
    else
        driver=vfs
    fi
fi
PODMAN=(podman --storage-driver "$driver")
PYTHON_BASE=localhost/kx-base-python:bookworm
NODE_BASE=localhost/kx-base-node:bookworm
# Part of the cache key: change it and the bases are made again.
BASE_PACKAGES="ca-certificates python3.11 python3.11-venv"
REBASE=
[ "${1:-}" = "--rebase" ] && REBASE=1

need() {
    command -v "$1" >/dev/null && return
    echo "--- installing $2"
    apt-get update -q && DEBIAN_FRONTEND=noninteractive apt-get install -y -q "$2"
}
need podman podman
need debootstrap debootstrap

# The Debian mirror this machine's apt uses, so the bases come from the same place.
mirror=${DEBIAN_MIRROR:-}
if [ -z "$mirror" ]; then
    mirror=$(grep -hsE '^\s*URIs:' /etc/apt/sources.list.d/*.sources 2>/dev/null \
        | awk '{print $2}' | grep -E '/debian/?$' | head -n1 || true)
fi
if [ -z "$mirror" ]; then
    mirror=$(grep -hsE '^\s*deb\s' /etc/apt/sources.list 2>/dev/null \
        | awk '{print $2}' | grep -E '/debian/?$' | head -n1 || true)
fi
mirror=${mirror:-http://deb.debian.org/debian}
mirror=${mirror%/}

mkdir -p "$CACHE"
CACHE=$(cd "$CACHE" && pwd)
python_tar=$CACHE/kx-base-python.tar
node_tar=$CACHE/kx-base-node.tar
stamp=$CACHE/bases.key
log=$CACHE/debootstrap.log
key="bookworm $mirror $BASE_PACKAGES node=$(node --version 2>/dev/null || echo none)"
rootfs=

make_bases() {
    rootfs=$(mktemp -d "$CACHE/rootfs.XXXXXX")
    [ -d "$rootfs" ] || exit 1
    chmod 0755 "$rootfs"  # it becomes the image's /
    trap 'rm -rf "$rootfs"' EXIT
    local started=$SECONDS
    echo "--- debootstrap bookworm from $mirror (log: $log)"
    debootstrap --variant=minbase bookworm "$rootfs" "$mirror" >"$log" 2>&1 \
        || { tail -n 30 "$log"; exit 1; }
    echo "    debootstrap took $((SECONDS - started)) s"

    # Like Debian's own images: the release, its updates and its security fixes.
    {
        echo "deb $mirror bookworm main"
        echo "deb $mirror bookworm-updates main"
        echo "deb ${mirror%/debian}/debian-security bookworm-security main"
    } >"$rootfs/etc/apt/sources.list"
    echo 'APT::Install-Recommends "false";' >"$rootfs/etc/apt/apt.conf.d/01-no-recommends"
    # apt inside the new system, not debootstrap --include, resolves the packages' dependencies.
    echo "--- installing $BASE_PACKAGES into the base"
    cp /etc/resolv.conf "$rootfs/etc/resolv.conf"
    chroot "$rootfs" /bin/sh -c "apt-get update -q && apt-get upgrade -y -q \
        && apt-get install -y -q $BASE_PACKAGES && apt-get clean" >>"$log" 2>&1 \
        || { tail -n 30 "$log"; exit 1; }
    rm -rf "${rootfs:?}"/var/lib/apt/lists/* "${rootfs:?}"/var/log/* "${rootfs:?}"/tmp/* \
        "${rootfs:?}/etc/resolv.conf" "${rootfs:?}/etc/hostname"
    tar --numeric-owner -C "$rootfs" -cf "$python_tar.tmp" .
    mv "$python_tar.tmp" "$python_tar"

    # The node base: the same system plus this machine's Node.js 20 and npm (the build that the
    # project's front end uses here; Debian bookworm's Node.js 18 is older than sass accepts).
    local node_bin npm_dir
    node_bin=$(command -v node || true)
    npm_dir=$(dirname "$(dirname "$(readlink -f "$(command -v npm || echo /nonexistent)")")")
    if [ -z "$node_bin" ] || [ ! -f "$npm_dir/package.json" ]; then
        echo "Node.js and npm are needed on this machine to make the node base." >&2
        exit 1
    fi
    install -D -m 0755 "$(readlink -f "$node_bin")" "$rootfs/usr/local/bin/node"
    mkdir -p "$rootfs/usr/local/lib/node_modules"
    cp -a "$npm_dir" "$rootfs/usr/local/lib/node_modules/npm"
    ln -sf ../lib/node_modules/npm/bin/npm-cli.js "$rootfs/usr/local/bin/npm"
    ln -sf ../lib/node_modules/npm/bin/npx-cli.js "$rootfs/usr/local/bin/npx"
    tar --numeric-owner -C "$rootfs" -cf "$node_tar.tmp" .
    mv "$node_tar.tmp" "$node_tar"
    echo "$key" >"$stamp"
    rm -rf "$rootfs"
    trap - EXIT
    echo "    bases made in $((SECONDS - started)) s"
}

if [ -n "$REBASE" ] || [ ! -f "$python_tar" ] || [ ! -f "$node_tar" ] \
    || [ "$(cat "$stamp" 2>/dev/null)" != "$key" ]; then
    make_bases
fi

# Import a tarball unless the image already came from this very tarball.
import_base() {
    local tar=$1 name=$2 imported=$1.imported
    if "${PODMAN[@]}" image exists "$name" && [ "$imported" -nt "$tar" ]; then
        return
    fi
    echo "--- importing $name"
    "${PODMAN[@]}" import --quiet \
        --change 'ENV LANG=C.UTF-8' --change 'CMD ["/bin/bash"]' \
        "$tar" "$name" >/dev/null
    touch "$imported"
}
import_base "$python_tar" "$PYTHON_BASE"
import_base "$node_tar" "$NODE_BASE"

# Where this machine reaches the registries through a proxy that re-signs TLS, its CA bundle
# is lent to the build steps that download (npm, pip) and kept out of the image.
ca_args=()
ca_bundle=${BUILD_CA_BUNDLE:-${PIP_CERT:-${NODE_EXTRA_CA_CERTS:-}}}
if [ -n "$ca_bundle" ] && [ -f "$ca_bundle" ]; then
    ca_args=(
        --volume "$(readlink -f "$ca_bundle"):/etc/ssl/certs/kx-build-ca.pem:ro"
        --build-arg NODE_EXTRA_CA_CERTS=/etc/ssl/certs/kx-build-ca.pem
        --build-arg PIP_CERT=/etc/ssl/certs/kx-build-ca.pem
    )
fi

echo "--- building $IMAGE (storage driver $driver)"
started=$SECONDS
commit=$(git rev-parse HEAD 2>/dev/null || echo unknown)
"${PODMAN[@]}" build \
    "${ca_args[@]}" \
    --isolation "${BUILD_ISOLATION:-chroot}" \
    --jobs 2 \
    --file Containerfile \
    --build-arg BASE="$PYTHON_BASE" \
    --build-arg NODE_BASE="$NODE_BASE" \
    --build-arg GIT_COMMIT="$commit" \
    --tag "$IMAGE" \
    .
echo "    build took $((SECONDS - started)) s"
size=$("${PODMAN[@]}" image inspect --format '{{.Size}}' "$IMAGE")
echo "    $IMAGE: $((size / 1024 / 1024)) MiB"

# A smoke test of what was built. Containers cannot run on every machine that builds (no
# rlimits for crun inside some sandboxes), so the checks run in the image's own file system
# through chroot, as its kx user, with throwaway production settings: the code, the
# dependencies, the collected static files and the process commands are all there and load.
echo "--- checking $IMAGE"
root=$("${PODMAN[@]}" image mount "$IMAGE")
trap '"${PODMAN[@]}" image unmount "$IMAGE" >/dev/null' EXIT
in_image() {
    chroot --userspec=10001:10001 "$root" /usr/bin/env -i \
        PATH=/opt/venv/bin:/usr/local/bin:/usr/bin:/bin HOME=/app LANG=C.UTF-8 \
        PYTHONDONTWRITEBYTECODE=1 DJANGO_SETTINGS_MODULE=kx_site.settings.production \
        KX_VAR_DIR=/var/lib/kx KX_BIND=0.0.0.0:8000 ALLOWED_HOSTS=kx.example \
        SECRET_KEY=image-check-only-5f3a9c1e7b2d4f6a8c0e1b3d5f7a9c2e4b6d8f0a1c3e \
        EMAIL_BACKEND=django.core.mail.backends.smtp.EmailBackend \
        /bin/sh -c "cd /app && $1"
}
in_image "python manage.py check --deploy --fail-level WARNING"
in_image "test -f staticfiles/staticfiles.json && ls staticfiles/css/ | grep -q '^kx\\..*\\.css\\.gz$'"
in_image "gunicorn --check-config -c gunicorn.conf.py kx_site.wsgi"
in_image "python manage.py help db_worker >/dev/null && python manage.py help run_scheduler >/dev/null"
in_image "pg_dump --version && pg_restore --version >/dev/null"
echo "    $IMAGE passed its checks"
