// Reading server.conf and relay.conf for the gavah-server and gavah-relay command lines: a
// malformed file fails the program with one line naming the file and the key. Kept out of the
// server library, which returns errors and never exits.
#pragma once

#include <cstdint>
#include <map>
#include <string>

#include "serving.h"

namespace gavah::server {

using Config = std::map<std::string, std::string>;

// Reads `key = value` lines ('#' starts a comment line); a malformed line fails the program.
Config ReadConfig(const std::string& path);
// A whole number, or `fallback` when the key is absent; anything else fails the program,
// naming `path` and `key`.
uint64_t ConfigNumber(const Config& conf, const std::string& path, const std::string& key,
                      uint64_t fallback);

struct IntakeLimits;
// Reads the intake limits a server and a relay share from `conf`, keeping the values already
// in `limits` for keys that are absent (docs/ARCHITECTURE.md lists them); `intake_threads`
// gets the size of the intake's work pool.
void ReadIntakeLimits(const Config& conf, const std::string& path, IntakeLimits* limits,
                      uint64_t* intake_threads);

// The connection caps from `conf` (`max_connections`, `connections_per_source`).
ConnectionCaps ReadConnectionCaps(const Config& conf, const std::string& path);

}  // namespace gavah::server
