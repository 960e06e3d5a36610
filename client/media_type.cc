#include "media_type.h"

#include <algorithm>
#include <cctype>
#include <string>

namespace gavah::cli {

std::string_view GuessMediaType(std::string_view file_name) {
  struct Entry {
    std::string_view ext, type;
  };
  static constexpr Entry kTable[] = {
      {"jpg", "image/jpeg"},
      {"jpeg", "image/jpeg"},
      {"png", "image/png"},
      {"gif", "image/gif"},
      {"webp", "image/webp"},
      {"heic", "image/heic"},
      {"tif", "image/tiff"},
      {"tiff", "image/tiff"},
      {"mp4", "video/mp4"},
      {"mov", "video/quicktime"},
      {"3gp", "video/3gpp"},
      {"webm", "video/webm"},
      {"mkv", "video/x-matroska"},
      {"mp3", "audio/mpeg"},
      {"m4a", "audio/mp4"},
      {"ogg", "audio/ogg"},
      {"opus", "audio/ogg"},
      {"wav", "audio/wav"},
      {"amr", "audio/amr"},
      {"pdf", "application/pdf"},
      {"txt", "text/plain"},
      {"doc", "application/msword"},
      {"docx", "application/vnd.openxmlformats-officedocument.wordprocessingml.document"},
      {"zip", "application/zip"},
  };
  const size_t dot = file_name.rfind('.');
  if (dot == std::string_view::npos || dot + 1 == file_name.size())
    return "application/octet-stream";
  std::string ext(file_name.substr(dot + 1));
  std::transform(ext.begin(), ext.end(), ext.begin(),
                 [](unsigned char c) { return std::tolower(c); });
  for (const auto& e : kTable) {
    if (e.ext == ext) return e.type;
  }
  return "application/octet-stream";
}

}  // namespace gavah::cli
