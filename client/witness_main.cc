// gavah-witness: seal testimony on this device. Nothing readable is written to disk.
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <iostream>
#include <memory>

#include "cli_support.h"
#include "gavah/crypto/codename.h"
#include "gavah/crypto/envelope.h"
#include "gavah/crypto/hex.h"
#include "gavah/crypto/utf8.h"
#include "media_type.h"
#include "pins.h"

namespace gavah::cli {
namespace {

struct SealArgs {
  std::string bundle, org_fingerprint, text_file, codename_file, out, language;
  std::string when_file, where_file;
  std::vector<std::string> attachments;
};

SecretBuffer ReadStdinText() {
  if (::isatty(STDIN_FILENO)) {
    std::fprintf(stderr, "Type the testimony, then press Ctrl-D on a new line:\n");
  }
  SecretBuffer text;
  uint8_t buf[4096];
  for (;;) {
    const ssize_t n = ::read(STDIN_FILENO, buf, sizeof buf);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0)
      Fail(std::string("cannot read the testimony from standard input: ") + std::strerror(errno));
    if (n == 0) break;
    if (text.size() + static_cast<size_t>(n) > kMaxTextLength)
      Fail("the testimony text is too long");
    text.Append(std::span<const uint8_t>(buf, static_cast<size_t>(n)));
  }
  explicit_bzero(buf, sizeof buf);
  return text;
}

// File names from the witness's disk become attachment names: keep the base name and replace
// anything that is not printable UTF-8 (the format refuses it) with '_'.
SecretBuffer AttachmentName(const std::string& path) {
  std::string_view base = path;
  while (base.size() > 1 && base.back() == '/') base.remove_suffix(1);
  if (const size_t slash = base.rfind('/'); slash != std::string_view::npos)
    base.remove_prefix(slash + 1);
  SecretBuffer name;
  for (size_t i = 0; i < base.size() && name.size() < kMaxNameLength - 4;) {
    const auto c = static_cast<unsigned char>(base[i]);
    const size_t len = c < 0x80             ? 1
                       : (c & 0xe0) == 0xc0 ? 2
                       : (c & 0xf0) == 0xe0 ? 3
                       : (c & 0xf8) == 0xf0 ? 4
                                            : 0;
    if (len > 0 && i + len <= base.size() && IsPrintableUtf8(base.substr(i, len)) && c != '\\') {
      name.Append(base.substr(i, len));
      i += len;
    } else {
      name.PushBack('_');
      ++i;
    }
  }
  if (name.empty() || name.view() == "." || name.view() == "..") {
    name = SecretBuffer::CopyOf({reinterpret_cast<const uint8_t*>("attachment"), 10});
  }
  return name;
}

SecretBuffer ReadSmallSecret(const std::string& path, size_t max) {
  SecretBuffer b = ReadSecretFile(path, max + 2);
  while (!b.empty() && (b.data()[b.size() - 1] == '\n' || b.data()[b.size() - 1] == '\r'))
    b.Resize(b.size() - 1);
  if (b.size() > max) Fail(path + " is too long (limit " + std::to_string(max) + " bytes)");
  return b;
}

// Decides whether to trust the bundle's signer. A fingerprint given on the command line is
// checked by LoadBundle. Otherwise the device's pins decide: a named organisation whose pinned
// key differs is refused (a bundle forged in its name), and a first use is pinned with a
// warning to compare the fingerprint. Returns how the key was verified, for the output, and
// sets `warning` to a line to print once the envelope exists.
std::string TrustBundle(const RecipientBundle& bundle, bool explicit_fingerprint,
                        OrganisationPins& pins, std::string& warning) {
  const std::string& name = bundle.contents().organisation_name;
  const std::string fp = FingerprintToText(bundle.organisation_fingerprint());
  if (explicit_fingerprint) return "verified with --org-fingerprint";
  if (name.empty()) {
    warning =
        "warning: this bundle names no organisation, so its key " + fp +
        " cannot be pinned; compare it with the fingerprint the organisation published, or pass "
        "--org-fingerprint";
    return "NOT verified";
  }
  if (auto pinned = pins.Find(name)) {
    if (*pinned != bundle.organisation_fingerprint()) {
      Fail(
          "this bundle claims to be from \"" + name + "\" but is signed by organisation key " + fp +
          ", not the key " + FingerprintToText(*pinned) +
          " you sealed for before; if the organisation "
          "really changed its key, confirm the new fingerprint with it and pass --org-fingerprint");
    }
    return "pinned on this device";
  }
  warning =
      "first use of \"" + name + "\": its organisation key " + fp +
      " is now pinned on this device; compare it with the fingerprint the organisation published";
  return "pinned now, at first use";
}

int Seal(const SealArgs& a, bool json) {
  FailIfExists(a.out);
  const RecipientBundle bundle = LoadBundle(a.bundle, a.org_fingerprint, true);
  OrganisationPins pins = OrganisationPins::Load(OrganisationPins::DefaultPath());
  std::string trust_warning;
  const std::string trust = TrustBundle(bundle, !a.org_fingerprint.empty(), pins, trust_warning);
  TestimonyInput input;
  input.text = a.text_file.empty() ? ReadStdinText() : ReadSecretFile(a.text_file, kMaxTextLength);
  input.language = SecretBuffer::CopyOf(
      {reinterpret_cast<const uint8_t*>(a.language.data()), a.language.size()});
  if (!a.when_file.empty()) input.event_time = ReadSmallSecret(a.when_file, kMaxEventFieldLength);
  if (!a.where_file.empty())
    input.event_place = ReadSmallSecret(a.where_file, kMaxEventFieldLength);

  // Declared before the sources so that it runs after them: their threads stop before the fds
  // they read are closed.
  std::vector<int> fds;
  struct Closer {
    std::vector<int>& fds;
    ~Closer() {
      for (int fd : fds) ::close(fd);
    }
  } closer{fds};
  std::vector<std::unique_ptr<ReadAheadSource>> sources;
  for (const auto& path : a.attachments) {
    const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) Fail("cannot read " + path + ": " + std::strerror(errno));
    fds.push_back(fd);
    struct stat st {};
    if (::fstat(fd, &st) != 0 || !S_ISREG(st.st_mode))
      Fail("cannot attach " + path + ": not a regular file");
    ::posix_fadvise(fd, 0, 0, POSIX_FADV_SEQUENTIAL);
    // Read and hashed on a thread of its own, so this thread only encrypts.
    sources.push_back(std::make_unique<ReadAheadSource>(fd, path, /*hash=*/true));
    AttachmentInput att;
    att.name = AttachmentName(path);
    const std::string_view type = GuessMediaType(att.name.view());
    att.media_type =
        SecretBuffer::CopyOf({reinterpret_cast<const uint8_t*>(type.data()), type.size()});
    att.size = static_cast<uint64_t>(st.st_size);
    att.source = sources.back().get();
    input.attachments.push_back(std::move(att));
  }
  if (!a.codename_file.empty()) {
    SecretBuffer codename = ReadSecretFile(a.codename_file, 4096);
    ReplyKeyPair reply =
        Must(DeriveReplyKey(codename.span(), bundle.organisation_fingerprint()), a.codename_file);
    input.reply_public_key = reply.public_key;
  }

  // Sealed into a temporary file beside the output, then linked into place: a failed or
  // interrupted seal leaves no half envelope under the requested name.
  std::string dir = ".";
  if (const size_t slash = a.out.rfind('/'); slash != std::string::npos)
    dir = slash == 0 ? "/" : a.out.substr(0, slash);
  std::string tmp = dir + "/.gavah-seal-XXXXXX";
  const int out_fd = ::mkstemp(tmp.data());
  if (out_fd < 0) Fail("cannot write " + a.out + ": " + std::strerror(errno));
  ::fchmod(out_fd, 0600);
  Result<SealedEnvelope> sealed = Status();
  {
    // SealEnvelope hashes and writes on a thread of its own.
    FdSink sink(out_fd, a.out);
    sealed = SealEnvelope(bundle, input, sink);
  }
  ::close(out_fd);
  if (!sealed.ok()) {
    ::unlink(tmp.c_str());
    Fail("seal", sealed.status());
  }
  if (::link(tmp.c_str(), a.out.c_str()) != 0) {
    const int e = errno;
    ::unlink(tmp.c_str());
    Fail(e == EEXIST ? a.out + " already exists; refusing to overwrite it"
                     : "cannot write " + a.out + ": " + std::strerror(e));
  }
  ::unlink(tmp.c_str());
  if (!bundle.contents().organisation_name.empty()) {
    pins.Pin(bundle.contents().organisation_name, bundle.organisation_fingerprint());
  }
  if (!trust_warning.empty()) std::fprintf(stderr, "%s\n", trust_warning.c_str());

  const auto& c = bundle.contents();
  const std::string id = ToHex(sealed->id);
  const std::string fp = FingerprintToText(bundle.organisation_fingerprint());
  if (json) {
    std::cout << JsonObject()
                     .Add("envelope_id", id)
                     .Add("envelope_file", a.out)
                     .Add("size", sealed->size)
                     .Add("org_fingerprint", fp)
                     .Add("org_key_trust", trust)
                     .Add("threshold", c.threshold)
                     .Add("investigators", c.investigators.size())
                     .str()
              << "\n";
  } else {
    std::cout << "sealed for organisation key " << fp << " (" << trust << ")"
              << (c.organisation_name.empty()
                      ? std::string()
                      : ", which calls itself \"" + c.organisation_name + "\"")
              << ": any " << c.threshold << " of " << c.investigators.size()
              << " investigators can open it\n"
              << "envelope id: " << id << "\n"
              << "written to " << a.out << " (" << sealed->size << " bytes)\n";
  }
  return 0;
}

int Main(int argc, char** argv) {
  CLI::App app{
      "gavah-witness: seal testimony so that only the organisation's investigators can read it"};
  app.require_subcommand(1);
  bool json = false;

  SealArgs s;
  auto* seal = app.add_subcommand("seal", "seal testimony into an envelope file, offline");
  seal->add_option("--bundle", s.bundle, "the organisation's signed bundle")->required();
  seal->add_option("--org-fingerprint", s.org_fingerprint,
                   "refuse a bundle not signed by this organisation key");
  seal->add_option("--text-file", s.text_file, "the testimony text (default: standard input)");
  seal->add_option("--attach", s.attachments, "a file to include (repeat for more)");
  seal->add_option("--codename-file", s.codename_file,
                   "your codename, so investigators can reply to you");
  seal->add_option("--language", s.language, "language of the text, e.g. fa or en");
  seal->add_option("--when-file", s.when_file,
                   "when the events happened, as you would say it (from a file)");
  seal->add_option("--where-file", s.where_file,
                   "where the events happened, as you would say it (from a file)");
  seal->add_option("--out", s.out, "the envelope file to write")->required();
  seal->add_flag("--json", json, "print the result as one JSON object");

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e) == 0 ? 0 : 2;
  }
  if (*seal) return Seal(s, json);
  return 2;
}

}  // namespace
}  // namespace gavah::cli

int main(int argc, char** argv) {
  return gavah::cli::RunMain("gavah-witness", gavah::cli::Main, argc, argv);
}
