#!/usr/bin/env bash
# Installs what is missing, builds, runs the fuzzers for a bounded time, then the test suite.
# FUZZ_SECONDS (default 60) bounds each fuzz target; 0 skips fuzzing.
source "$(dirname "$0")/lib.sh"
install_missing "${BUILD_PACKAGES[@]}" "${TEST_PACKAGES[@]}"
build

FUZZ_SECONDS=${FUZZ_SECONDS:-60}
if [ "$FUZZ_SECONDS" -gt 0 ] && command -v clang++ >/dev/null; then
  FUZZ_DIR=$ROOT/build-fuzz
  if [ ! -f "$FUZZ_DIR/CMakeCache.txt" ]; then
    CC=clang CXX=clang++ cmake -S "$ROOT" -B "$FUZZ_DIR" -DGAVAH_FUZZ=ON -DCMAKE_BUILD_TYPE=RelWithDebInfo \
      -DCMAKE_CXX_FLAGS="-fsanitize=fuzzer-no-link,address,undefined -fno-sanitize-recover=undefined" >/dev/null
  fi
  cmake --build "$FUZZ_DIR" -j2 -- --no-print-directory
  for target in envelope bundle plaintext; do
    corpus=$FUZZ_DIR/corpus/$target
    mkdir -p "$corpus"
    case $target in
      envelope) cp -n "$ROOT"/tests/vectors/envelope-2of3.bin "$ROOT"/tests/vectors/bad/*.bin "$corpus"/ ;;
      bundle) (printf '\0'; cat "$ROOT/tests/vectors/bundle-2of3.bin") > "$corpus/seed" ;;
    esac
    echo "==> fuzzing $target for ${FUZZ_SECONDS}s"
    "$FUZZ_DIR/tests/fuzz/fuzz_$target" -max_total_time="$FUZZ_SECONDS" -max_len=200000 -rss_limit_mb=2048 \
      -print_final_stats=1 "$corpus" >"$FUZZ_DIR/fuzz_$target.log" 2>&1 \
      || { tail -n 40 "$FUZZ_DIR/fuzz_$target.log"; echo "fuzz_$target found a failure"; exit 1; }
    grep -E '^stat::number_of_executed_units' "$FUZZ_DIR/fuzz_$target.log" | sed "s/^/   $target /"
  done
fi

cd "$BUILD_DIR"
ctest -j2 --output-on-failure --timeout 600
