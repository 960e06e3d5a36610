// The codename checker, on whatever a witness types into a codename file. A list of every 20th
// word of client/codename_words.txt keeps the search for the position of a mistake fast enough
// to fuzz; the checker does the same work on any sorted list.
#include <cstdint>
#include <fstream>
#include <string>
#include <vector>

#include "fuzz_fixtures.h"
#include "gavah/crypto/codename.h"

namespace {

const std::vector<const char*>& Words() {
  static const std::vector<const char*>* words = [] {
    auto* out = new std::vector<const char*>();
    std::ifstream in(std::string(GAVAH_SOURCE_DIR) + "/client/codename_words.txt");
    std::string w;
    for (size_t i = 0; std::getline(in, w); ++i) {
      if (i % 20 == 0) out->push_back(strdup(w.c_str()));
    }
    if (out->size() < 100) gavah::fuzz::Fail();
    return out;
  }();
  return *words;
}

}  // namespace

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  (void)gavah::fuzz::Fixed();
  const gavah::SecretBuffer made = gavah::MakeCodename(Words());
  if (!gavah::CheckCodename(made.span(), Words()).ok()) gavah::fuzz::Fail();
  if (const char* dir = std::getenv("GAVAH_FUZZ_SEEDS")) {
    std::ofstream(std::string(dir) + "/seed-made", std::ios::binary)
        .write(reinterpret_cast<const char*>(made.data()),
               static_cast<std::streamsize>(made.size()));
  }
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size > 4096) return 0;  // the witness tool reads at most 4 KiB of codename
  auto checked = gavah::CheckCodename({data, size}, Words());
  if (!checked.ok()) {
    // A refusal never repeats a word of the codename (it names positions and counts). The
    // messages' own words, which a codename may share, are blanked out first.
    std::string m = " " + checked.status().message() + " ";
    for (char& c : m) {
      if (c == ':' || c == ';' || c == '(' || c == ')' || c == '?' || c == ',') c = ' ';
    }
    static const char* const kOwn[] = {
        "a",       "codename",      "needs", "at",    "least",    "words",   "make", "one",
        "with",    "gavah-witness", "word",  "is",    "wrong",    "another", "than", "the",
        "written", "down",          "and",   "are",   "swapped",  "missing", "too",  "many",
        "of",      "not",           "in",    "list",  "mistyped", "nothing", "was",  "sent",
        "or",      "derived",       "does",  "check", "out",      "it",      "has",  "place",
        "7"};
    for (const char* w : kOwn) {
      const std::string needle = " " + std::string(w) + " ";
      for (size_t at; (at = m.find(needle)) != std::string::npos;)
        m.replace(at, needle.size(), "  ");
    }
    auto normalised = gavah::NormaliseCodename({data, size});
    if (normalised.ok()) {
      const std::string_view text = normalised->view();
      for (size_t at = 0; at < text.size();) {
        const size_t sp = std::min(text.find(' ', at), text.size());
        const std::string word(text.substr(at, sp - at));
        if (word.size() >= 4 && m.find(" " + word + " ") != std::string::npos) gavah::fuzz::Fail();
        at = sp + 1;
      }
    }
    return 0;
  }
  // What was accepted is normalised and checks out again, as itself.
  auto again = gavah::CheckCodename(checked->normalised.span(), Words());
  if (!again.ok() || again->legacy != checked->legacy ||
      !again->normalised.Equals(checked->normalised.span()))
    gavah::fuzz::Fail();
  return 0;
}
