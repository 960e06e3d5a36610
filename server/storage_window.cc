#include "storage_window.h"

namespace gavah::server {

Status StorageWindow::Load(EnvelopeStore* store, uint64_t now_hour) {
  if (limits_.bytes == 0) return Status::Ok();
  const uint64_t span = limits_.hours * 3600;
  auto rows = store->StoredPerHour(now_hour > span ? now_hour - span + 3600 : 0);
  if (!rows.ok()) return rows.status();
  std::lock_guard<std::mutex> lock(mu_);
  for (const auto& [hour, bytes] : *rows) per_hour_[hour] += bytes;
  return Status::Ok();
}

bool StorageWindow::FitsLocked(uint64_t size, uint64_t now_hour) {
  if (limits_.bytes == 0) return true;
  const uint64_t span = limits_.hours * 3600;
  const uint64_t first = now_hour > span ? now_hour - span + 3600 : 0;
  per_hour_.erase(per_hour_.begin(), per_hour_.lower_bound(first));
  uint64_t used = 0;
  for (const auto& [hour, bytes] : per_hour_) used += bytes;
  const uint64_t room = limits_.bytes + (size <= limits_.small ? limits_.reserve : 0);
  return used <= room && size <= room - used;
}

bool StorageWindow::Fits(uint64_t size, uint64_t now_hour) {
  std::lock_guard<std::mutex> lock(mu_);
  return FitsLocked(size, now_hour);
}

bool StorageWindow::Take(uint64_t size, uint64_t now_hour, bool* heavy) {
  std::lock_guard<std::mutex> lock(mu_);
  *heavy = false;
  if (!FitsLocked(size, now_hour)) return false;
  if (limits_.bytes == 0) return true;
  per_hour_[now_hour] += size;
  uint64_t used = 0;
  for (const auto& [hour, bytes] : per_hour_) used += bytes;
  *heavy = used > limits_.bytes / 2;
  return true;
}

void StorageWindow::GiveBack(uint64_t size, uint64_t hour) {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = per_hour_.find(hour);
  if (it == per_hour_.end()) return;
  it->second -= std::min(it->second, size);
}

}  // namespace gavah::server
