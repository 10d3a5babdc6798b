#!/usr/bin/env bash
# Tests report.html the way people read it: in a real browser.
#
#   scripts/browser_test.sh            # from anywhere in the repository
#
# Builds the report (HTML only, into target/browser/, so the committed reports/
# stay untouched) and a report made of hostile text (examples/hostile_report.rs),
# then opens both from disk in Debian's headless Chromium through playwright-core
# (scripts/browser/report_test.mjs) and fails unless every reader-facing promise
# holds: no console errors or failed or off-file requests, every figure decoded
# with alt text, every contents link lands, every formula is sized MathML, the
# hostile text runs nothing and reads literally, the file stays under 4 MB.
# Screenshots (1280×800 and 390×844, light and dark) go to target/screenshots/.
#
# Installs what is missing: the `chromium` Debian package (apt-get, as root) and
# playwright-core from the committed package-lock.json (npm ci). No browser is
# ever downloaded: playwright drives /usr/bin/chromium (or $CHROMIUM).
set -euo pipefail
cd "$(dirname "$0")/.."

export CHROMIUM="${CHROMIUM:-/usr/bin/chromium}"
export PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1

apt_install() {
    if [ "$(id -u)" -ne 0 ]; then
        echo "browser_test: $* missing; install with: sudo apt-get install $*" >&2
        exit 2
    fi
    echo "browser_test: installing $* (apt-get)" >&2
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    apt-get install -y -qq --no-install-recommends "$@" >/dev/null
}

[ -x "$CHROMIUM" ] || apt_install chromium
command -v node >/dev/null && command -v npm >/dev/null || apt_install nodejs npm
node_major=$(node -p 'process.versions.node.split(".")[0]')
if [ "$node_major" -lt 20 ]; then
    echo "browser_test: playwright-core needs Node.js 20 or newer, found $(node --version)" >&2
    exit 2
fi

browser_dir=scripts/browser
if [ ! -f "$browser_dir/node_modules/playwright-core/package.json" ] ||
    [ "$browser_dir/package-lock.json" -nt "$browser_dir/node_modules/.package-lock.json" ]; then
    npm ci --prefix "$browser_dir" --no-audit --no-fund --loglevel=error
fi

out=target/browser
rm -rf "$out"
# Exit 1 means a demo's check failed: the report is still written and still
# has to read well (failing demos first), so only exit 2 (an error) stops here.
status=0
cargo run --locked --quiet -- report --quiet --report-format html --out "$out/report" || status=$?
if [ "$status" -gt 1 ]; then
    echo "browser_test: building the report failed (exit $status)" >&2
    exit "$status"
fi
cargo run --locked --quiet --example hostile_report -- "$out/hostile" >/dev/null
# An analysis whose tokens are hostile, asked about by name so they reach every table.
mkdir -p "$out/analysis"
{
    printf '7 3\n'
    printf '<script>window.__pwned=1</script> 1 0 0\n'
    printf '"onmouseover=window.__pwned=2 0.9 0.1 0\n'
    printf '</style> 0 1 0\n'
    printf '\u202eevil 0.1 0.9 0\n'
    printf 'plain 0 0 1\n'
    printf 'other 0.1 0 0.9\n'
    printf '%s 0.2 0.1 0.8\n' "$(printf 'long%.0s' $(seq 2500))"
} >"$out/analysis/hostile.txt"
cargo run --locked --quiet -- analyze "$out/analysis/hostile.txt" --quiet --report-format html,json \
    --query '<script>window.__pwned=1</script>' '</style>' --analogy '"onmouseover=window.__pwned=2:</style>::plain' \
    --out "$out/analysis"

# A comparison of the hostile table with a changed copy of it: shared, moved, removed and added
# hostile tokens reach every table of the page.
{
    printf '8 3\n'
    sed -n '2,5p' "$out/analysis/hostile.txt" | awk '{ print $1, $3, $2, $4 }'
    printf 'plain 0 0 1\n'
    printf '<b>added</b> 0.3 0.3 0.3\n'
    printf '\u202eadded 0.2 0.3 0.3\n'
    printf '"onclick=window.__pwned=3 0.3 0.2 0.3\n'
} >"$out/analysis/hostile-b.txt"
cargo run --locked --quiet -- compare "$out/analysis/hostile.txt" "$out/analysis/hostile-b.txt" --quiet \
    --report-format html --out "$out/comparison"

# The map on a real table whose neighbours are known (the shipped GloVe subset),
# and a page with a map of 100 000 made-up points to time its frames.
cargo run --locked --quiet -- analyze data/real/glove-6b-50d/vectors.npy --quiet --report-format html,json \
    --map 10038 --out "$out/map"
cargo run --locked --quiet --example big_map -- "$out/big-map" 100000 >/dev/null
# An untied model (a GGUF fixture with its own output.weight): the input-versus-output section.
cargo run --locked --quiet -- analyze tests/fixtures/gguf/q4_k.gguf --quiet --report-format html --out "$out/untied"

node "$browser_dir/report_test.mjs" \
    --report "$out/report/report.html" \
    --hostile "$out/hostile/report.html" \
    --analysis "$out/analysis/analysis.html" \
    --map "$out/map/analysis.html" \
    --big-map "$out/big-map/analysis.html" \
    --comparison "$out/comparison/comparison.html" \
    --untied "$out/untied/analysis.html" \
    --screenshots target/screenshots
