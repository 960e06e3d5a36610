// Times as people read them, and the clock: shared by every program, the servers included.
#pragma once

#include <cstdint>
#include <string>

namespace gavah {

uint64_t NowUnix();
std::string Iso8601Date(uint64_t unix_seconds);  // YYYY-MM-DD, UTC
std::string UtcTime(uint64_t unix_seconds);      // YYYY-MM-DD HH:MM:SS UTC

}  // namespace gavah
