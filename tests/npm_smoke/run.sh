#!/usr/bin/env bash
# Packs the npm build (dist/npm/, from `deno task build:npm`), installs the tarball into an empty
# project and uses it there as a user would, on the machine's Node and on Bun: the types
# (consumer.ts, with the tsc the build installed), the library (smoke.mjs signs two accounts in
# against the loopback server, then `msnp send` delivers a message to a scripted peer) and the
# `msnp` binary.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
tools="$(cd "$here/../../dist/.tools/node_modules" && pwd)" # the build's pinned tsc and Node 20 types
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
tarball="$(cd "$here/../../dist/npm" && npm pack --silent --pack-destination "$work")"
cd "$work"
echo '{ "private": true, "type": "module" }' >package.json
npm install --no-audit --no-fund --silent "./$tarball"
cp "$here/smoke.mjs" "$here/consumer.ts" .
printf 'VER 1 MSNP8\r\nMSG Hotmail Hotmail 5\r\nhello\r\nQNG 50\r\n' >capture.bin
bun=(npx -y bun@1)
version="$(node -p 'require("@msnp/client/package.json").version')"
decoded='{"name":"VER","trid":1,"args":["MSNP8"]}
{"name":"MSG","trid":null,"args":["Hotmail","Hotmail","5"],"payload":"hello"}
{"name":"QNG","trid":null,"args":["50"]}'

# check EXPECTED COMMAND...: the command's whole standard output must be EXPECTED (first line
# only when EXPECTED ends in "..."), within 60 seconds.
check() {
  local expected="$1" got
  shift
  if ! got="$(timeout 60 "$@")"; then
    printf 'npm smoke: FAILED: %s\n%s\n' "$*" "$got"
    exit 1
  fi
  if [[ "$expected" == *... ]]; then got="$(head -n 1 <<<"$got")..."; fi
  if [ "$got" != "$expected" ]; then
    printf 'npm smoke: FAILED: %s\nexpected:\n%s\ngot:\n%s\n' "$*" "$expected" "$got"
    exit 1
  fi
  echo "npm smoke: ok: $*"
}
echo "npm smoke: $tarball on node $(node --version), bun $("${bun[@]}" --version)"
check "" node "$tools/typescript/bin/tsc" --noEmit --strict --skipLibCheck --module nodenext \
  --target es2022 --types node --typeRoots "$tools/@types" consumer.ts
smoked='bob@example.com is NLN
bob@example.com got "hello from msnp send"'
check "$smoked" node smoke.mjs
check "$smoked" "${bun[@]}" smoke.mjs
check "Usage: msnp <subcommand> [options]..." npx msnp --help
check "Usage: msnp decode [--from server|client] [--chunk-size N] [FILE]..." npx msnp decode --help
check "Usage: msnp send --server HOST:PORT --account EMAIL --to EMAIL --text TEXT..." npx msnp send --help
check "Usage: msnp chat --server HOST:PORT --account EMAIL --with EMAIL..." npx msnp chat --help
check "msnp $version" npx msnp --version
check "$decoded" npx msnp decode capture.bin
check "$decoded" npx msnp decode --chunk-size=1 --from=server - <capture.bin
check "msnp $version" "${bun[@]}" node_modules/.bin/msnp --version
check "$decoded" "${bun[@]}" node_modules/.bin/msnp decode capture.bin
