#!/usr/bin/env bash
# Builds the .deb with cpack from a build tree, checks what it declares and holds, installs it with dpkg on this
# machine, runs the installed binary on a sample store, validates the installed desktop file, AppStream metainfo
# and man page, and removes the package again, also when a step fails.
#   tests/packaging/test_deb.sh BUILD_DIR VERSION [INSPECTOR_FIXTURES]
# Exit 77 (skipped) without dpkg, without root, or when subcog-inspector is already installed (not ours to remove).
set -euo pipefail
build=$(cd "$1" && pwd)
version=$2
fixtures=${3:-}
package=subcog-inspector

skip() {
    echo "SKIP: $*"
    exit 77
}
fail() {
    echo "FAIL: $*" >&2
    exit 1
}
for tool in dpkg dpkg-deb cpack; do
    command -v "$tool" >/dev/null || skip "$tool not found"
done
[ "$(id -u)" -eq 0 ] || skip "dpkg -i needs root"
status() { dpkg-query -W -f='${db:Status-Status}' "$package" 2>/dev/null || true; }
if [ -n "$(status)" ] && [ "$(status)" != not-installed ]; then
    skip "$package is installed already; this test would replace and remove it"
fi

work=$(mktemp -d /tmp/subcog-inspector-deb.XXXXXX)
installed=0
cleanup() {
    local code=$?
    if [ "$installed" -eq 1 ]; then
        echo "==> removing $package"
        dpkg --purge "$package" >/dev/null || code=1
    fi
    rm -rf "$work"
    exit "$code"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

echo "==> cpack"
cpack -G DEB --config "$build/CPackConfig.cmake" -B "$work/out" >"$work/cpack.log" 2>&1 || {
    cat "$work/cpack.log"
    fail "cpack failed"
}
deb=$(echo "$work"/out/${package}_"$version"_*.deb)
[ -f "$deb" ] || fail "no ${package}_${version}_*.deb in $(ls "$work/out")"

echo "==> dpkg-deb -I"
dpkg-deb -I "$deb"
depends=$(dpkg-deb -f "$deb" Depends)
for dep in libc6 libstdc++6 libqt6core6 libqt6gui6 libqt6widgets6 libqt6sql6 libqt6sql6-sqlite libqt6svg6 \
    libqt6charts6 libpqxx- libpq5 libtomlplusplus; do
    grep -q "$dep" <<<"$depends" || fail "Depends lacks $dep: $depends"
done

echo "==> dpkg-deb -c"
dpkg-deb -c "$deb" | awk '{print $NF}' | sed 's|^\./|/|' >"$work/contents"
expected=(/usr/bin/subcog-inspector /usr/lib/subcog-inspector/subcog-inspector-postgres.so
    /usr/share/applications/subcog-inspector.desktop
    /usr/share/metainfo/io.github.subcog_inspector.inspector.metainfo.xml
    /usr/share/icons/hicolor/scalable/apps/subcog-inspector.svg /usr/share/man/man1/subcog-inspector.1.gz
    /usr/share/doc/subcog-inspector/copyright /usr/share/doc/subcog-inspector/changelog.gz)
for size in 16 22 24 32 48 64 128 256; do
    expected+=("/usr/share/icons/hicolor/${size}x${size}/apps/subcog-inspector.png")
done
for file in "${expected[@]}"; do
    grep -qx "$file" "$work/contents" || fail "the package lacks $file"
done

if command -v lintian >/dev/null; then
    echo "==> lintian (errors fail the test; warnings are listed)"
    lintian --allow-root --tag-display-limit 0 "$deb" | tee "$work/lintian.log" || true
    ! grep -q '^E:' "$work/lintian.log" || fail "lintian reports errors"
else
    echo "(lintian not installed: not run)"
fi

echo "==> dpkg -i"
installed=1 # from here on the trap removes it, also after a half-done install
dpkg -i "$deb"
bin=/usr/bin/subcog-inspector
[ -x "$bin" ] || fail "$bin not installed"

echo "==> $bin --version"
"$bin" --version | tee "$work/version"
grep -q "$version" "$work/version" || fail "--version does not say $version"
# libpq's version comes from the PostgreSQL module, found in /usr/lib/subcog-inspector/ from /usr/bin
grep -q "libpq [0-9]" "$work/version" || fail "--version did not load the PostgreSQL module"
! ldd "$bin" | grep -E "libpq|libssl|libgssapi" || fail "$bin loads PostgreSQL's libraries at launch"
echo "==> $bin count postgresql://127.0.0.1:1/none (the module loaded, nobody listening)"
if "$bin" count postgresql://127.0.0.1:1/none 2>"$work/pg.err"; then fail "count on port 1 succeeded"; fi
cat "$work/pg.err"
! grep -q "not installed" "$work/pg.err" || fail "the installed PostgreSQL module was not found"

# A HOME of its own: the installed binary makes its demo store there (no subcog store is found) and counts it.
export HOME=$work/home XDG_DATA_HOME=$work/home/.local/share XDG_CONFIG_HOME=$work/home/.config
unset SUBCOG_CONFIG_PATH SUBCOG_STORAGE_BACKEND SUBCOG_STORAGE_CONNECTION_STRING SUBCOG_ENCRYPTION_KEY || true
mkdir -p "$HOME"
echo "==> $bin info (creates the demo store)"
"$bin" info | tee "$work/info"
demo=$HOME/.local/share/subcog-inspector/demo/index.db
[ -f "$demo" ] || fail "no demo store at $demo"
demo_count=$(sed -n 's/^Memories: //p' "$work/info")
[[ "$demo_count" =~ ^[1-9][0-9]*$ ]] || fail "info counted no memories: '$demo_count'"
[ "$("$bin" count "$demo")" = "$demo_count" ] || fail "count on the demo store differs from info's $demo_count"

if [ -n "$fixtures" ]; then
    echo "==> $bin count on a fixture store of 25 memories"
    "$fixtures" --count 25 --no-anomalies "$work/fixture.db" >/dev/null
    got=$("$bin" count "sqlite:$work/fixture.db")
    [ "$got" = 25 ] || fail "count printed '$got', expected 25"
fi

echo "==> installed desktop file, metainfo, man page"
if command -v desktop-file-validate >/dev/null; then
    desktop-file-validate /usr/share/applications/subcog-inspector.desktop
else
    echo "(desktop-file-validate not installed: not run)"
fi
if command -v appstreamcli >/dev/null; then
    appstreamcli validate --no-net --pedantic /usr/share/metainfo/io.github.subcog_inspector.inspector.metainfo.xml
else
    echo "(appstreamcli not installed: not run)"
fi
if command -v groff >/dev/null; then
    zcat /usr/share/man/man1/subcog-inspector.1.gz | LC_ALL=C.UTF-8 groff -man -Tutf8 -ww -z 2>"$work/groff.log"
    [ ! -s "$work/groff.log" ] || fail "groff warns about the man page: $(cat "$work/groff.log")"
fi

echo "==> dpkg -r"
dpkg --purge "$package"
installed=0
[ ! -e "$bin" ] || fail "$bin is still there after dpkg --purge"
[ -z "$(status)" ] || [ "$(status)" = not-installed ] || fail "$package is left in state $(status)"
echo "package test passed"
