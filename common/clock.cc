#include "clock.h"

#include <chrono>
#include <ctime>

namespace gavah {

namespace {
std::string FormatUtc(uint64_t unix_seconds, const char* format) {
  const std::time_t t = static_cast<std::time_t>(unix_seconds);
  std::tm parts{};
  gmtime_r(&t, &parts);
  char buf[32];
  std::strftime(buf, sizeof buf, format, &parts);
  return buf;
}
}  // namespace

std::string UtcTime(uint64_t unix_seconds) {
  return FormatUtc(unix_seconds, "%Y-%m-%d %H:%M:%S UTC");
}

uint64_t NowUnix() {
  return static_cast<uint64_t>(std::chrono::duration_cast<std::chrono::seconds>(
                                   std::chrono::system_clock::now().time_since_epoch())
                                   .count());
}

std::string Iso8601Date(uint64_t unix_seconds) { return FormatUtc(unix_seconds, "%Y-%m-%d"); }

}  // namespace gavah
