#!/usr/bin/env bash
# Re-vendor the front-end files from the npm registry (development only; the
# portal never fetches anything at run time). Compare the result with VENDOR.txt.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
cd "$tmp"
npm pack --silent bootstrap@5.3.9 htmx.org@2.0.11 echarts@6.1.0 >/dev/null
for t in *.tgz; do mkdir -p "${t%.tgz}"; tar xzf "$t" -C "${t%.tgz}"; done
B=bootstrap-5.3.9/package H=htmx.org-2.0.11/package E=echarts-6.1.0/package
mkdir -p "$here"/bootstrap-5.3.9/{css,js} "$here"/htmx-2.0.11 "$here"/echarts-6.1.0
cp $B/dist/css/bootstrap.min.css $B/dist/css/bootstrap.min.css.map "$here/bootstrap-5.3.9/css/"
cp $B/dist/js/bootstrap.bundle.min.js $B/dist/js/bootstrap.bundle.min.js.map "$here/bootstrap-5.3.9/js/"
cp $B/LICENSE "$here/bootstrap-5.3.9/"
cp $H/dist/htmx.min.js $H/LICENSE "$here/htmx-2.0.11/"
cp $E/dist/echarts.min.js $E/LICENSE $E/NOTICE "$here/echarts-6.1.0/"
cd "$here" && sha256sum */*.js */*/*.js */*/*.css */*/*.map | sort -k2 | diff - <(grep -v '^#' VENDOR.txt) && echo "matches VENDOR.txt"
