#include "daemon_config.h"

#include <algorithm>
#include <sstream>

#include "cli_support.h"
#include "intake_service.h"

namespace gavah::server {

using cli::Fail;

Config ReadConfig(const std::string& path) {
  auto bytes = cli::ReadSmallFile(path, 64 * 1024);
  Config conf;
  std::string line;
  std::istringstream in(std::string(bytes.begin(), bytes.end()));
  while (std::getline(in, line)) {
    if (line.empty() || line[0] == '#') continue;
    const size_t eq = line.find('=');
    if (eq == std::string::npos) Fail(path + ": a line is not key = value");
    auto trim = [](std::string s) {
      s.erase(0, s.find_first_not_of(" \t"));
      s.erase(s.find_last_not_of(" \t\r") + 1);
      return s;
    };
    conf[trim(line.substr(0, eq))] = trim(line.substr(eq + 1));
  }
  return conf;
}

uint64_t ConfigNumber(const Config& conf, const std::string& path, const std::string& key,
                      uint64_t fallback) {
  auto it = conf.find(key);
  if (it == conf.end()) return fallback;
  const std::string& v = it->second;
  if (v.empty() || v.size() > 19 || v.find_first_not_of("0123456789") != std::string::npos) {
    Fail(path + ": " + key + " must be a whole number");
  }
  return std::stoull(v);
}

void ReadIntakeLimits(const Config& conf, const std::string& path, IntakeLimits* l,
                      uint64_t* intake_threads) {
  auto number = [&](const char* key, uint64_t fallback) {
    return ConfigNumber(conf, path, key, fallback);
  };
  auto positive = [&](const char* key, uint64_t fallback, uint64_t max) {
    return std::clamp<uint64_t>(number(key, fallback), 1, max);
  };
  l->max_envelope_bytes = number("max_envelope_bytes", l->max_envelope_bytes);
  l->max_unfinished_uploads = number("max_unfinished_uploads", l->max_unfinished_uploads);
  l->max_unfinished_bytes = number("max_unfinished_bytes", l->max_unfinished_bytes);
  l->max_active_uploads = positive("max_active_uploads", l->max_active_uploads, 1 << 20);
  l->uploads_per_connection = positive("uploads_per_connection", l->uploads_per_connection, 1024);
  l->uploads_per_source = positive("uploads_per_source", l->uploads_per_source, 1 << 20);
  l->pace.idle = std::chrono::seconds(
      positive("stream_idle_seconds", static_cast<uint64_t>(l->pace.idle.count()), 86400));
  l->pace.first_message = std::chrono::seconds(positive(
      "stream_first_message_seconds", static_cast<uint64_t>(l->pace.first_message.count()), 86400));
  l->pace.min_bytes_per_second =
      number("stream_min_bytes_per_second", l->pace.min_bytes_per_second);
  l->connection_calls_per_second =
      number("connection_calls_per_second", l->connection_calls_per_second);
  l->connection_bytes_per_second =
      number("connection_bytes_per_second", l->connection_bytes_per_second);
  l->source_calls_per_second =
      number("source_calls_per_second", l->source_calls_per_second == 0
                                            ? 5 * l->connection_calls_per_second
                                            : l->source_calls_per_second);
  *intake_threads = positive("intake_threads", *intake_threads, 256);
  l->window.bytes = number("window_bytes", l->window.bytes);
  l->window.hours = positive("window_hours", l->window.hours, 24 * 365);
  l->window.reserve = number("window_reserve_bytes", l->window.reserve);
  l->window.small = number("window_small_bytes", l->window.small);
  l->admission.min_effort_per_mib = std::min<uint64_t>(
      number("pow_min_effort", l->admission.min_effort_per_mib), l->admission.max_effort_per_mib);
  l->admission.period = std::chrono::seconds(
      positive("pow_period_seconds", static_cast<uint64_t>(l->admission.period.count()), 3600));
}

ConnectionCaps ReadConnectionCaps(const Config& conf, const std::string& path) {
  ConnectionCaps caps;
  caps.max_connections = std::clamp<uint64_t>(
      ConfigNumber(conf, path, "max_connections", caps.max_connections), 1, 1 << 20);
  caps.per_source = std::clamp<uint64_t>(
      ConfigNumber(conf, path, "connections_per_source", caps.per_source), 1, 1 << 20);
  caps.unseen_per_connection = std::clamp<uint64_t>(
      ConfigNumber(conf, path, "unseen_bytes_per_connection", caps.unseen_per_connection), 1 << 20,
      uint64_t{1} << 32);
  return caps;
}

}  // namespace gavah::server
