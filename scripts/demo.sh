#!/usr/bin/env bash
# The main job end to end on this machine: an organisation with three investigators, any two of
# whom can open testimony; a witness seals a testimony with a photo; two investigators open it
# together; one alone is refused; a tampered copy is refused.
source "$(dirname "$0")/lib.sh"
install_missing "${BUILD_PACKAGES[@]}"
build
BIN=$BUILD_DIR/client
W=$BIN/gavah-witness
I=$BIN/gavah-investigator

WORK=$(mktemp -d "${TMPDIR:-/tmp}/gavah-demo.XXXXXX")
trap 'rm -rf "$WORK"' EXIT
cd "$WORK"
# The witness tool pins organisation keys under the data directory; keep the demo's to itself.
export HOME=$WORK XDG_DATA_HOME=$WORK/data
# Real use types passphrases at a prompt; the demo passes one through the environment.
export GAVAH_PASSPHRASE='demo passphrase: typed at a prompt in real use'

step() { printf '\n\033[1m== %s\033[0m\n' "$*"; }

step "1. The organisation creates its signing key"
$I org-init --out org.key | tee org-init.txt
ORG_FP=$(awk '/^fingerprint:/ {print $2}' org-init.txt)

step "2. Three investigators each create a key pair"
for n in azadeh bahram chista; do $I keygen --name "$n" --out "$n.key"; done

step "3. The organisation signs a bundle: any 2 of the 3 investigators can open testimony"
$I bundle --org-key org.key --investigator azadeh.pub --investigator bahram.pub --investigator chista.pub \
  --threshold 2 --name "Demo commission of inquiry" --out org.bundle

step "4. A witness writes testimony and seals it with a photo, offline, pinning the organisation key"
cat > testimony.txt <<'TEXT'
In the summer of 1988 my brother was taken from Evin prison. We were told nothing for months.
In the winter we were called and given a bag with his clothes. We were not told where he was buried.
TEXT
head -c 3145728 /dev/urandom > photo.jpg
$W seal --bundle org.bundle --org-fingerprint "$ORG_FP" --text-file testimony.txt --attach photo.jpg \
  --out testimony.gvh
echo "(the envelope is ciphertext only: no name or text is readable in it, and padding hides exact sizes)"

step "5. One investigator alone is refused"
if $I open testimony.gvh --key azadeh.key --out alone; then echo "UNEXPECTED: one key opened it"; exit 1; fi

step "6. Two investigators open it together; the envelope id is the file's SHA-256"
$I open testimony.gvh --key azadeh.key --key chista.key --out opened
sha256sum testimony.gvh
find opened -type f | sort
cat opened/testimony.txt
cmp -s photo.jpg opened/attachments/01-photo.jpg && echo "photo recovered byte for byte"

step "7. A tampered copy is refused and nothing is written"
cp testimony.gvh tampered.gvh
printf '\x55' | dd of=tampered.gvh bs=1 seek=100000 conv=notrunc 2>/dev/null
if $I open tampered.gvh --key azadeh.key --key bahram.key --out tampered; then echo "UNEXPECTED: tampered copy opened"; exit 1; fi
[ ! -e tampered ] && echo "no output folder was created"

printf '\n\033[1mdemo complete\033[0m\n'
