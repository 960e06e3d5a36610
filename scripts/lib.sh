# Shared by scripts/demo.sh and scripts/test.sh: install what is missing, configure once, build.
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
BUILD_DIR=${GAVAH_BUILD_DIR:-$ROOT/build}

BUILD_PACKAGES=(build-essential cmake pkg-config libsodium-dev libssl-dev libprotobuf-dev
  protobuf-compiler libgrpc-dev libgrpc++-dev protobuf-compiler-grpc libsqlcipher-dev libcli11-dev python3
  # Attachment metadata: Exiv2 (pictures), qpdf (PDF), FFmpeg's libavformat (audio and video).
  libexiv2-dev libqpdf-dev libavformat-dev libavcodec-dev libavutil-dev
  # The witness app: Qt 6 Quick, its controls, dialogs and translations, and a Persian font.
  qt6-base-dev qt6-declarative-dev qt6-tools-dev qt6-tools-dev-tools qt6-l10n-tools qt6-qpa-plugins
  qml6-module-qtquick qml6-module-qtquick-controls qml6-module-qtquick-templates
  qml6-module-qtquick-layouts qml6-module-qtquick-dialogs qml6-module-qtquick-window
  qml6-module-qtqml-workerscript qml6-module-qt-labs-platform qt6-pdf-dev fonts-noto-core
  fonts-dejavu-core)
# The metadata tests make their photos, documents and videos with the real tools.
TEST_PACKAGES=(libgtest-dev libgmock-dev clang libclang-rt-14-dev python3 tinyproxy
  exiv2 imagemagick ffmpeg qpdf)

# apt-get only when dpkg says a package is missing, so a second run touches nothing.
install_missing() {
  local missing=() p
  for p in "$@"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
  done
  [ ${#missing[@]} -eq 0 ] && return 0
  echo "==> installing: ${missing[*]}"
  local sudo=()
  [ "$(id -u)" -eq 0 ] || sudo=(sudo)
  "${sudo[@]}" apt-get update -qq
  DEBIAN_FRONTEND=noninteractive "${sudo[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
}

# Configures on the first run only; later runs rebuild incrementally.
build() {
  if [ ! -f "$BUILD_DIR/CMakeCache.txt" ]; then
    cmake -S "$ROOT" -B "$BUILD_DIR" -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
  fi
  cmake --build "$BUILD_DIR" -j2 -- --no-print-directory
}
