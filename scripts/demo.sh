#!/usr/bin/env bash
# The main job end to end on this machine: an organisation with three investigators, any two of
# whom can open testimony, and its intake server; a witness submits a testimony with a photo and
# a codename over pinned TLS and gets a signed receipt; the server holds only ciphertext; one
# investigator syncs and is refused alone; a colleague elsewhere releases a share through the
# server; she opens it, annotates, replies; the witness reads the reply; a signed evidence
# package verifies and an altered one is named; a tampered envelope is refused. A diaspora relay
# carries a second testimony from a witness who cannot reach the server, and a third that came
# as a file, and brings the receipt back.
source "$(dirname "$0")/lib.sh"
install_missing "${BUILD_PACKAGES[@]}"
build
BIN=$BUILD_DIR/client
W=$BIN/gavah-witness
I=$BIN/gavah-investigator
S=$BUILD_DIR/server/gavah-server
R=$BUILD_DIR/relay/gavah-relay

WORK=$(mktemp -d "${TMPDIR:-/tmp}/gavah-demo.XXXXXX")
SERVER_PID=
RELAY_PID=
trap 'for p in $SERVER_PID $RELAY_PID; do kill "$p" 2>/dev/null; done; rm -rf "$WORK"' EXIT
cd "$WORK"
# The witness tool pins organisation keys under the data directory; keep the demo's to itself.
export HOME=$WORK XDG_DATA_HOME=$WORK/data
# Real use types passphrases at a prompt; the demo passes one through the environment.
export GAVAH_PASSPHRASE='demo passphrase: typed at a prompt in real use'

step() { printf '\n\033[1m== %s\033[0m\n' "$*"; }
# Inverts one byte in place (writing a fixed value would change nothing when the byte already
# had it, one time in 256).
flip_byte() {
  local b
  b=$(od -An -tu1 -j "$2" -N1 "$1" | tr -d ' ')
  printf "\\x$(printf %02x $((b ^ 0xff)))" | dd of="$1" bs=1 seek="$2" conv=notrunc 2>/dev/null
}

step "1. The organisation creates its signing key"
$I org-init --out org.key | tee org-init.txt
ORG_FP=$(awk '/^fingerprint:/ {print $2}' org-init.txt)

step "2. Three investigators each create a key pair"
for n in azadeh bahram chista; do $I keygen --name "$n" --out "$n.key"; done

step "3. The organisation sets up its intake server on this machine"
PORT=$(python3 -c 'import socket;s=socket.socket();s.bind(("127.0.0.1",0));print(s.getsockname()[1])')
$S init --data srv --listen 127.0.0.1:$PORT

step "4. The organisation signs a bundle: any 2 of the 3 investigators, this server, its pinned certificate"
$I bundle --org-key org.key --investigator azadeh.pub --investigator bahram.pub --investigator chista.pub \
  --threshold 2 --name "Demo commission of inquiry" \
  --server 127.0.0.1:$PORT --server-cert srv/tls.crt --receipt-key srv/receipt.pub --out org.bundle
$S run --data srv --bundle org.bundle 2>server.log &
SERVER_PID=$!
for _ in $(seq 1 100); do (exec 3<>/dev/tcp/127.0.0.1/$PORT) 2>/dev/null && break; sleep 0.1; done
echo "server running (log: no addresses, no envelope ids, no exact times)"

step "5. A witness makes a codename, writes testimony and submits it with a photo, pinning the organisation key"
$W codename --out codename.txt
cat > testimony.txt <<'TEXT'
In the summer of 1988 my brother was taken from Evin prison. We were told nothing for months.
In the winter we were called and given a bag with his clothes. We were not told where he was buried.
TEXT
head -c 3145728 /dev/urandom > photo.jpg
$W submit --bundle org.bundle --org-fingerprint "$ORG_FP" --text-file testimony.txt --attach photo.jpg \
  --codename-file codename.txt | tee submit.txt
ID=$(awk '/^delivered: envelope/ {print $3}' submit.txt)
$W receipt "$ID"

step "6. The server holds only ciphertext"
if grep -rqa "my brother was taken" srv server.log; then echo "UNEXPECTED: plaintext on the server"; exit 1; fi
echo "no trace of the testimony in the server's data directory or log; store.db begins with: $(head -c 16 srv/store.db | od -An -tx1 | head -n1)"

step "6a. A diaspora group runs a relay; the organisation signs a second bundle that lists only it"
RPORT=$(python3 -c 'import socket;s=socket.socket();s.bind(("127.0.0.1",0));print(s.getsockname()[1])')
$R init --data relay --bundle org.bundle --listen 127.0.0.1:$RPORT
echo "delay_mean_seconds = 2" >> relay/relay.conf   # short for the demo; 5 s by default
$I bundle --org-key org.key --investigator azadeh.pub --investigator bahram.pub --investigator chista.pub \
  --threshold 2 --name "Demo commission of inquiry" \
  --relay 127.0.0.1:$RPORT --relay-cert relay/tls.crt --receipt-key srv/receipt.pub --out relay.bundle
$R run --data relay 2>relay.log &
RELAY_PID=$!
for _ in $(seq 1 100); do (exec 3<>/dev/tcp/127.0.0.1/$RPORT) 2>/dev/null && break; sleep 0.1; done

step "6b. A witness whose network blocks the server submits through the relay; another's sealed file is imported"
echo "My father was in Gohardasht. His name was read out in the corridor in August 1988." > relayed.txt
# Each witness has their own device, with its own pins: this one has seen only the relay bundle.
XDG_DATA_HOME=$WORK/data-relayed $W submit --bundle relay.bundle --org-fingerprint "$ORG_FP" \
  --text-file relayed.txt | tee relay-submit.txt
echo "Carried out on a USB stick: the graves at Khavaran were dug at night." > carried.txt
# A third witness, on a third device.
XDG_DATA_HOME=$WORK/data-carried $W seal --bundle org.bundle --org-fingerprint "$ORG_FP" \
  --text-file carried.txt --out carried.gvh
$R import --data relay carried.gvh
$R status --data relay
for _ in $(seq 1 60); do $R status --data relay --json | grep -q '"queued":0,' && break; sleep 0.5; done
echo "the relay forwarded both in a shuffled round:"
$R status --data relay
# The relayed witness fetches the server's receipt, and their outbox empties.
XDG_DATA_HOME=$WORK/data-relayed $W outbox --retry
if grep -rqa -e "Gohardasht" -e "Khavaran were dug" relay relay.log; then echo "UNEXPECTED: plaintext at the relay"; exit 1; fi
echo "the relay's queue and log hold no trace of either testimony"

step "7. Azadeh, in one city, syncs into her encrypted case store and cannot open the testimony alone"
$I sync --key azadeh.key --bundle org.bundle --store azadeh.db
$I list --store azadeh.db
if $I open "$ID" --store azadeh.db --key azadeh.key --out alone; then echo "UNEXPECTED: one key opened it"; exit 1; fi

step "8. Bahram, in another city, syncs, sees which testimony it is, and releases his share to Azadeh"
$I sync --key bahram.key --bundle org.bundle --store bahram.db
$I release-share "$ID" --key bahram.key --to azadeh.pub --bundle org.bundle --store bahram.db

step "9. Azadeh syncs the share and opens the testimony; nobody sent a key"
$I sync --key azadeh.key --bundle org.bundle --store azadeh.db
$I open "$ID" --store azadeh.db --key azadeh.key --out opened
find opened -type f | sort
cat opened/testimony.txt
cmp -s photo.jpg opened/attachments/01-photo.jpg && echo "photo recovered byte for byte"

step "10. She annotates it and answers the witness"
$I note "$ID" "Matches the Evin transfer list of August 1988" --store azadeh.db
$I tag "$ID" evin --store azadeh.db
echo "Thank you. Your testimony reached us. We may write again here." > reply.txt
$I reply "$ID" --text-file reply.txt --key azadeh.key --bundle org.bundle --store azadeh.db
$I show "$ID" --store azadeh.db

step "11. The witness reads the reply with their codename"
$W replies --codename-file codename.txt --bundle org.bundle

step "12. Azadeh exports a signed evidence package; anyone can check it"
$I export "$ID" --key azadeh.key --store azadeh.db --out evidence
$I verify-export evidence --bundle org.bundle
cp -r evidence altered
flip_byte altered/testimony/attachments/01-photo.jpg 1000
if $I verify-export altered; then echo "UNEXPECTED: an altered package verified"; exit 1; fi

step "13. The envelope file itself: its id is its SHA-256, and a tampered copy is refused"
$S export --data srv "$ID" --out testimony.gvh 2>/dev/null || cp evidence/envelope.gvh testimony.gvh
sha256sum testimony.gvh
cp testimony.gvh tampered.gvh
flip_byte tampered.gvh 100000
if $I open tampered.gvh --key azadeh.key --key bahram.key --out tampered; then echo "UNEXPECTED: tampered copy opened"; exit 1; fi
[ ! -e tampered ] && echo "no output folder was created"

printf '\n\033[1mdemo complete\033[0m\n'
