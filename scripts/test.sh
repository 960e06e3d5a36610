#!/usr/bin/env bash
# Installs what is missing, builds, runs the fuzzers for a bounded time, then the test suite,
# then the test suite again under AddressSanitizer and UBSan.
# FUZZ_SECONDS bounds each fuzz target (default below); 0 skips fuzzing. ASAN=0 skips the
# sanitizer run.
source "$(dirname "$0")/lib.sh"
install_missing "${BUILD_PACKAGES[@]}" "${TEST_PACKAGES[@]}"
build

# The fuzz targets, as GAVAH_FUZZ_TARGETS in tests/fuzz/CMakeLists.txt lists them; a new target
# goes in both lists.
FUZZ_TARGETS=(envelope bundle plaintext receipt released_share reply review_auth key_files rpc_messages
  deletion codename evidence pins xwing sha256 tlog)
# Two targets run at a time, one per core. By default each gets 75 s / ceil(targets / 2), so
# that fuzzing takes about 75 s however many targets there are (10 s each for 16 targets),
# never less than 10 s each, and CI stays within half an hour (it measured 29 minutes with
# 2 minutes of fuzzing once the post-quantum code came in). The corpus is kept between runs
# (build-fuzz/corpus), so on a developer's machine every run goes deeper than the last;
# FUZZ_SECONDS=600 is a longer run.
FUZZ_PARALLEL=2
FUZZ_DEFAULT=$((75 / ((${#FUZZ_TARGETS[@]} + FUZZ_PARALLEL - 1) / FUZZ_PARALLEL)))
FUZZ_SECONDS=${FUZZ_SECONDS:-$((FUZZ_DEFAULT < 10 ? 10 : FUZZ_DEFAULT))}

# Runs one target over its corpus (kept between runs). Committed vectors that fit as they are
# are copied in here; each target writes its other seeds itself (GAVAH_FUZZ_SEEDS, see
# tests/fuzz/fuzz_fixtures.h).
fuzz_target() {
  local target=$1 corpus=$FUZZ_DIR/corpus/$1
  mkdir -p "$corpus"
  case $target in
    envelope) cp -n "$ROOT"/tests/vectors/envelope-2of3.bin "$ROOT"/tests/vectors/envelope-v2-2of3.bin \
      "$ROOT"/tests/vectors/bad/*.bin "$corpus"/ || true ;;
    bundle) (printf '\0'; cat "$ROOT/tests/vectors/bundle-2of3.bin") > "$corpus/seed"
      (printf '\2'; cat "$ROOT/tests/vectors/bundle-v2-2of3.bin") > "$corpus/seed-v2" ;;
  esac
  # A failing input is saved as build-fuzz/fuzz_<target>-crash-<sha1>, not in the working tree.
  GAVAH_FUZZ_SEEDS=$corpus "$FUZZ_DIR/tests/fuzz/fuzz_$target" -max_total_time="$FUZZ_SECONDS" \
    -max_len=200000 -rss_limit_mb=2048 -print_final_stats=1 -artifact_prefix="$FUZZ_DIR/fuzz_$target-" \
    "$corpus" >"$FUZZ_DIR/fuzz_$target.log" 2>&1
}

if [ "$FUZZ_SECONDS" -gt 0 ] && command -v clang++ >/dev/null; then
  FUZZ_DIR=$ROOT/build-fuzz
  if [ ! -f "$FUZZ_DIR/CMakeCache.txt" ]; then
    CC=clang CXX=clang++ cmake -S "$ROOT" -B "$FUZZ_DIR" -DGAVAH_FUZZ=ON -DCMAKE_BUILD_TYPE=RelWithDebInfo \
      -DCMAKE_CXX_FLAGS="-fsanitize=fuzzer-no-link,address,undefined -fno-sanitize-recover=undefined" >/dev/null
  fi
  cmake --build "$FUZZ_DIR" -j2 -- --no-print-directory
  echo "==> fuzzing ${#FUZZ_TARGETS[@]} targets for ${FUZZ_SECONDS}s each, $FUZZ_PARALLEL at a time"
  declare -A fuzzing=()  # pid -> target
  fuzz_failed=""
  for target in "${FUZZ_TARGETS[@]}" ""; do
    if [ -n "$target" ]; then
      fuzz_target "$target" &
      fuzzing[$!]=$target
    fi
    # Wait for one to finish when every slot is busy, and for all of them after the last.
    while [ ${#fuzzing[@]} -ge "$FUZZ_PARALLEL" ] || { [ -z "$target" ] && [ ${#fuzzing[@]} -gt 0 ]; }; do
      rc=0
      wait -n -p done_pid "${!fuzzing[@]}" || rc=$?
      done_target=${fuzzing[$done_pid]}
      unset "fuzzing[$done_pid]"
      if [ "$rc" -ne 0 ]; then
        tail -n 40 "$FUZZ_DIR/fuzz_$done_target.log"
        echo "fuzz_$done_target found a failure (log: $FUZZ_DIR/fuzz_$done_target.log)"
        fuzz_failed+=" $done_target"
      else
        grep -E '^stat::number_of_executed_units' "$FUZZ_DIR/fuzz_$done_target.log" | sed "s/^/   $done_target /"
      fi
    done
  done
  [ -z "$fuzz_failed" ] || { echo "fuzzing failed:$fuzz_failed"; exit 1; }
fi

cd "$BUILD_DIR"
ctest -j2 --output-on-failure --timeout 600

# The whole suite once more under AddressSanitizer and UBSan (gcc), in its own build folder,
# configured on the first run only, reused after. -Og -g1 instead of RelWithDebInfo's -O2 -g:
# it compiles in half the time (the build is most of this step's cost), line tables are all a
# sanitizer report needs, and the tests spend their time in libsodium's Argon2, gRPC and
# SQLCipher, which are not instrumented, so our slower code costs little. No benchmarks there,
# and no Qt app (GAVAH_APP=OFF): the GUI tests drive the witness library, which the command-line
# tests exercise there too, and Qt's and fontconfig's own allocations are not ours to check.
# Warnings are not errors there (GAVAH_WERROR=OFF): GCC 12 with the sanitizers below -O2
# reports bogus -Warray-bounds and -Wstringop-overflow on std::vector::resize
# (tests/crypto/bundle_test.cc), and the normal build above already makes every warning an
# error. Leak detection stays on: the suite runs clean with it, servers included.
# GAVAH_CHEAP_KDF=ON: new key files and case stores take Argon2id's minimum cost there, which
# halves the run (Argon2id is not instrumented); the normal run above keeps the real cost, and
# the codename's cost, fixed by the protocol, is unchanged.
if [ "${ASAN:-1}" != 0 ]; then
  ASAN_DIR=$ROOT/build-asan
  if [ ! -f "$ASAN_DIR/CMakeCache.txt" ]; then
    cmake -S "$ROOT" -B "$ASAN_DIR" -DCMAKE_BUILD_TYPE=RelWithDebInfo -DGAVAH_BENCH=OFF -DGAVAH_WERROR=OFF -DGAVAH_APP=OFF -DGAVAH_CHEAP_KDF=ON \
      -DCMAKE_CXX_FLAGS_RELWITHDEBINFO="-Og -g1 -DNDEBUG" \
      -DCMAKE_CXX_FLAGS="-fsanitize=address,undefined -fno-sanitize-recover=undefined -fno-omit-frame-pointer" \
      -DCMAKE_EXE_LINKER_FLAGS="-fsanitize=address,undefined" \
      -DCMAKE_SHARED_LINKER_FLAGS="-fsanitize=address,undefined" \
      -DCMAKE_MODULE_LINKER_FLAGS="-fsanitize=address,undefined" >/dev/null
  fi
  echo "==> building with AddressSanitizer and UBSan"
  cmake --build "$ASAN_DIR" -j2 -- --no-print-directory
  echo "==> test suite under AddressSanitizer and UBSan"
  # A test that fails is run once more, and must pass then: under the sanitizers, a witness that
  # gives up on a server that never answers can exit while gRPC still frees the TLS handshake it
  # abandoned, and LeakSanitizer then reports OpenSSL's allocations (AvailabilityTest.
  # AServerThatNeverAnswers..., about one run in three on a loaded machine). A failure that
  # repeats still fails the run, and every sanitizer report written to a file fails it too.
  # Reports go to files, so that one from a server or tool a test runs in the background (whose
  # stderr no one reads) is seen too; any report fails the run even when every test passed.
  # Tests that clear their children's environment (cli_test) still see the report on stderr.
  reports=$ASAN_DIR/sanitizer-reports
  rm -rf "$reports" && mkdir -p "$reports"
  asan_failed=0
  (cd "$ASAN_DIR" &&
    ASAN_OPTIONS="log_path=$reports/asan${ASAN_OPTIONS:+:$ASAN_OPTIONS}" \
    UBSAN_OPTIONS="print_stacktrace=1:log_path=$reports/ubsan${UBSAN_OPTIONS:+:$UBSAN_OPTIONS}" \
    ctest -j2 --output-on-failure --timeout 900 --repeat until-pass:2) || asan_failed=1
  if [ -n "$(ls -A "$reports")" ]; then
    for f in "$reports"/*; do echo "--- $f"; head -n 60 "$f"; done
    echo "sanitizer reports in $reports"
    asan_failed=1
  fi
  [ "$asan_failed" = 0 ] || { echo "the test suite failed under AddressSanitizer/UBSan"; exit 1; }
fi
