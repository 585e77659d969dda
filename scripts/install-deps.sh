#!/usr/bin/env bash
# Installs what a fresh Debian 12 / Ubuntu machine lacks to build, run and test Tunebench.
# Idempotent: what is present is left alone, so a second run takes a few seconds.
#   scripts/install-deps.sh          build and run the app
#   scripts/install-deps.sh --test   also what the tests need (Xvfb, WebDriver, tauri-driver)
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
want_test=false
[ "${1:-}" = "--test" ] && want_test=true

say() { printf '\033[1m==> %s\033[0m\n' "$*" >&2; }
die() { printf 'error: %s\n' "$*" >&2; exit 1; }

# Tauri 2's documented Linux prerequisites, plus sqlite3 for the benchmarks.
build_pkgs=(libwebkit2gtk-4.1-dev build-essential curl wget file libxdo-dev libssl-dev
  libayatana-appindicator3-dev librsvg2-dev pkg-config)
test_pkgs=(xvfb x11-utils xauth imagemagick xdotool webkit2gtk-driver dbus-x11 at-spi2-core
  fonts-dejavu-core python3-gi gir1.2-gtk-3.0 sqlite3 librsvg2-bin)

pkgs=("${build_pkgs[@]}")
$want_test && pkgs+=("${test_pkgs[@]}")

missing=()
for p in "${pkgs[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ "${#missing[@]}" -gt 0 ]; then
  command -v apt-get >/dev/null || die "missing system packages (${missing[*]}) and no apt-get; see Tauri's prerequisites for your platform"
  sudo=""
  [ "$(id -u)" -ne 0 ] && sudo="sudo"
  say "installing system packages: ${missing[*]}"
  $sudo apt-get update -q
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -q --no-install-recommends "${missing[@]}"
fi

command -v cargo >/dev/null || die "Rust is not installed: install it with rustup (https://rustup.rs), then run this again"
command -v node >/dev/null || die "Node.js 20.19 or newer is required (https://nodejs.org or your distribution)"
node_major=$(node -p 'process.versions.node.split(".")[0]')
[ "$node_major" -ge 20 ] || die "Node.js $(node --version) is too old; Vite needs 20.19 or newer"

npm_ci() {
  local dir=$1
  if [ ! -d "$dir/node_modules" ] || [ "$dir/package-lock.json" -nt "$dir/node_modules/.package-lock.json" ]; then
    say "installing npm packages in ${dir#"$root"/}"
    (cd "$dir" && npm ci --no-audit --no-fund --loglevel=error)
  fi
}
npm_ci "$root/ui"

if $want_test; then
  npm_ci "$root/e2e"
  if ! tauri-driver --help >/dev/null 2>&1; then
    say "installing tauri-driver 2.1.0 (about a minute)"
    cargo install tauri-driver@2.1.0 --locked
  fi
fi
