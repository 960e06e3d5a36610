// A media type for an attachment from its file name, so investigators know what they hold.
#pragma once

#include <string_view>

namespace gavah::cli {

std::string_view GuessMediaType(std::string_view file_name);

}  // namespace gavah::cli
