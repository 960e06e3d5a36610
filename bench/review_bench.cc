// The investigators' desk at the scale of a commission of inquiry, against the real gavah-server
// on 127.0.0.1 over TLS.
//
//   build/bench/review_bench [--testimonies 10000] [--large-every 100] [--large-kib 1024]
//                            [--one-by-one 20]
//
// Set-up (not timed): the server receives `testimonies` sealed testimonies of 4 KiB of mixed
// Persian and English text, one in `large-every` with an attachment of `large-kib` KiB, over
// gRPC from 8 threads, and logs them. Then, timed: sync into a new case store (its passphrase's
// Argon2id included); open every testimony in memory and index it for search (OpenAll, what
// `gavah-investigator open --all` and the desk run); then a search for a word and a list with a
// filter, each the median of 21 runs; `one-by-one` testimonies opened the way there was before
// the desk (`gavah-investigator open ID --store`, two Argon2id each); then, where the desk is
// built, the desk itself, offscreen, unlocked on that store and its case list scrolled from the
// first row to the last, each frame moving 25 rows further (the longest frame and the 99th
// percentile). The last line is
//   review_bench: total_s=<sync + open all> search_ms=<median> filter_ms=<median>
#include <grpcpp/grpcpp.h>
#include <signal.h>
#include <sodium.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <thread>

#include "bench_support.h"
#include "gavah/crypto/bundle.h"
#include "gavah/crypto/envelope.h"
#include "gavah/crypto/hex.h"
#include "gavah/v1/intake.grpc.pb.h"
#include "investigator.h"
#include "support/process.h"

#ifdef GAVAH_BENCH_DESK
#include <QGuiApplication>
#include <QQuickItem>
#include <QQuickWindow>

#include "desk_app.h"
#include "support/gui_support.h"
#endif

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;

namespace {

double Since(Clock::time_point t) {
  return std::chrono::duration<double>(Clock::now() - t).count();
}

// 4 KiB of testimony: Persian and English sentences of the kind witnesses write, with the
// testimony's number in words search can find ("case<i>").
std::string TestimonyText(size_t i) {
  static const char* kSentences[] = {
      "در تابستان ۱۳۶۷ برادرم را در زندان گوهردشت دیدم و پس از آن "
      "ملاقات‌ها "
      "قطع "
      "شد. ",
      "On 30 July 1988 the visits at Evin stopped without any explanation. ",
      "مادرم هر هفته به خاوران می‌رفت تا خبری بگیرد، اما "
      "کسی "
      "پاسخی "
      "نمی‌داد. ",
      "The guards read a list of names in the corridor and took them away at night. ",
      "کمیسیون مرگ از زندانیان می‌پرسید که آیا هنوز به "
      "سازمان "
      "وفادارند. ",
      "We found the graves at Khavaran in the autumn; the earth was still loose. ",
  };
  std::string text = "case" + std::to_string(i) + " ";
  for (size_t k = i; text.size() < 4096; ++k) text += kSentences[k % 6];
  text.resize(4096);
  // A cut UTF-8 sequence at the end would be refused by the sealer: end on a whole character.
  while (!text.empty() && (static_cast<uint8_t>(text.back()) & 0xc0) == 0x80) text.pop_back();
  if (!text.empty() && static_cast<uint8_t>(text.back()) >= 0xc0) text.pop_back();
  return text;
}

#ifdef GAVAH_BENCH_DESK
using gavah::testing::FindIn;

struct Scroll {
  size_t rows = 0, frames = 0;
  double max_ms = 0, p99_ms = 0, unlock_s = 0;
  std::string error;
};

// The desk as an investigator opens it: unlocked on the store, then its list flung from top to
// bottom, 25 rows a frame; the time between frames shown.
Scroll ScrollTheDesk(const std::string& key, const std::string& store, const char* pass) {
  Scroll out;
  gavah::app::DeskApp app;
  app.desk().setLanguage(QStringLiteral("fa"));
  if (!app.Start()) return {0, 0, 0, 0, 0, "the desk did not start"};
  QQuickWindow* window = app.window();
  window->show();
  const auto t0 = Clock::now();
  app.desk().unlock(QString::fromStdString(key), QString::fromStdString(store),
                    QString::fromLatin1(pass), "", "");
  out.unlock_s = Since(t0);
  if (app.desk().locked()) return {0, 0, 0, 0, 0, app.desk().unlockDetail().toStdString()};
  for (int i = 0; i < 50 && FindIn(window, "caseList") == nullptr; ++i)
    QCoreApplication::processEvents(QEventLoop::AllEvents, 20);
  auto* list = qobject_cast<QQuickItem*>(FindIn(window, "caseList"));
  if (list == nullptr) return {0, 0, 0, 0, 0, "no case list"};
  out.rows = static_cast<size_t>(list->property("count").toInt());
  std::vector<double> frames;
  auto last = Clock::now();
  bool started = false;
  QObject::connect(window, &QQuickWindow::frameSwapped, window, [&] {
    const auto now = Clock::now();
    if (started) frames.push_back(std::chrono::duration<double, std::milli>(now - last).count());
    last = now;
  });
  // Each frame, the next 25 rows: as fast as a hand flings a list, and every row in turn is
  // made, drawn and dropped.
  QObject::connect(window, &QQuickWindow::afterAnimating, window, [&] {
    if (!started) return;
    list->setProperty("currentIndex", std::min<int>(list->property("currentIndex").toInt() + 25,
                                                    static_cast<int>(out.rows) - 1));
    QMetaObject::invokeMethod(list, "positionViewAtIndex",
                              Q_ARG(int, list->property("currentIndex").toInt()),
                              Q_ARG(int, 2));  // ListView.Contain
    window->update();
  });
  for (int i = 0; i < 20; ++i) QCoreApplication::processEvents(QEventLoop::AllEvents, 20);
  list->setProperty("currentIndex", 0);
  started = true;
  last = Clock::now();
  window->update();
  const auto until = Clock::now() + std::chrono::seconds(120);
  while (list->property("currentIndex").toInt() < static_cast<int>(out.rows) - 1 &&
         Clock::now() < until)
    QCoreApplication::processEvents(QEventLoop::AllEvents, 5);
  started = false;
  out.frames = frames.size();
  if (!frames.empty()) {
    std::sort(frames.begin(), frames.end());
    out.max_ms = frames.back();
    out.p99_ms = frames[std::min(frames.size() - 1, frames.size() * 99 / 100)];
  }
  app.desk().lock();
  return out;
}
#endif

}  // namespace

int main(int argc, char** argv) {
  size_t count = 10000, large_every = 100, large_kib = 1024, peer_runs = 20;
  for (int i = 1; i + 1 < argc; i += 2) {
    if (!std::strcmp(argv[i], "--testimonies")) count = std::stoul(argv[i + 1]);
    if (!std::strcmp(argv[i], "--large-every")) large_every = std::stoul(argv[i + 1]);
    if (!std::strcmp(argv[i], "--large-kib")) large_kib = std::stoul(argv[i + 1]);
    if (!std::strcmp(argv[i], "--one-by-one")) peer_runs = std::stoul(argv[i + 1]);
  }
  if (!gavah::InitCrypto()) return 1;
  gavah::cli::CaseStore::InstallWipingAllocator();
  // Batches of the log every second, so that sync checks a log of every testimony.
  auto made_dir =
      gavah::bench::InitBenchServer("review-bench", GAVAH_SERVER, "log_batch_seconds = 1\n");
  if (!made_dir) return 1;
  const fs::path dir = made_dir->dir;
  const std::map<std::string, std::string> env = made_dir->env;
  const int port = made_dir->port;
  const std::string address = made_dir->address;
  const auto org = gavah::OrganisationKey::Generate();
  static const char kPass[] = "correct horse battery staple";
  const std::span<const uint8_t> pass(reinterpret_cast<const uint8_t*>(kPass), sizeof kPass - 1);
  const std::string key_path = (dir / "shirin.key").string();
  const auto made = gavah::investigator::CreateInvestigatorKey(
      "Shirin", gavah::investigator::FreeKeyPaths(key_path).value(), pass);
  if (!made.ok()) return 1;
  const auto me = gavah::investigator::UnlockKeyFile(key_path, pass).value();
  gavah::BundleContents c;
  c.organisation_name = "Justice for Iran 1988";
  c.issued_at = static_cast<uint64_t>(time(nullptr));
  c.expires_at = c.issued_at + 86400;
  c.threshold = 1;
  c.investigators.push_back(me.public_key());
  gavah::BundleEndpoint endpoint;
  endpoint.address = address;
  endpoint.tls_certificate_pem = gavah::testing::ReadText(dir / "srv/tls.crt");
  c.endpoints.push_back(endpoint);
  c.receipt_key =
      gavah::ReceiptPublicKeyFromText(gavah::testing::ReadText(dir / "srv/receipt.pub")).value();
  const auto bundle_bytes = gavah::RecipientBundle::Create(c, org).value();
  gavah::testing::WriteText(dir / "org.bundle",
                            std::string(bundle_bytes.begin(), bundle_bytes.end()));
  const auto bundle = gavah::RecipientBundle::Parse(bundle_bytes).value();
  const pid_t server =
      gavah::testing::Spawn(dir, GAVAH_SERVER, {"run", "--data", "srv", "--bundle", "org.bundle"},
                            env, dir / "server.log");
  if (!gavah::testing::WaitForPort(port, 20)) return 1;

  // ---- set-up: seal and submit ----
  std::printf("sealing and submitting %zu testimonies (1 in %zu with %zu KiB attached)...\n", count,
              large_every, large_kib);
  std::fflush(stdout);
  const auto setup = Clock::now();
  std::vector<uint8_t> attachment(large_kib << 10);
  randombytes_buf(attachment.data(), attachment.size());
  std::atomic<size_t> next{0}, failed{0};
  std::vector<std::thread> senders;
  for (int t = 0; t < 8; ++t) {
    senders.emplace_back([&] {
      auto stub = gavah::bench::IntakeStub(address, endpoint.tls_certificate_pem);
      for (size_t i; (i = next++) < count;) {
        const std::string text = TestimonyText(i);
        gavah::TestimonyInput in;
        in.text = gavah::SecretBuffer::CopyOf(
            {reinterpret_cast<const uint8_t*>(text.data()), text.size()});
        in.language =
            gavah::SecretBuffer::CopyOf({reinterpret_cast<const uint8_t*>(i % 2 ? "en" : "fa"), 2});
        static const std::vector<std::string_view> kConsent = {"investigators", "un-mechanism"};
        in.consent = kConsent;
        gavah::MemorySource source(attachment);
        if (large_every != 0 && i % large_every == 0) {
          gavah::AttachmentInput a;
          a.name = gavah::SecretBuffer::CopyOf({reinterpret_cast<const uint8_t*>("photo.bin"), 9});
          a.media_type = gavah::SecretBuffer::CopyOf(
              {reinterpret_cast<const uint8_t*>("application/octet-stream"), 24});
          a.size = attachment.size();
          a.source = &source;
          in.attachments.push_back(std::move(a));
        }
        gavah::MemorySink out;
        auto sealed = gavah::SealEnvelope(bundle, in, out);
        if (!sealed.ok()) {
          ++failed;
          continue;
        }
        grpc::ClientContext ctx;
        gavah::v1::SubmitResponse resp;
        auto w = stub->Submit(&ctx, &resp);
        for (size_t at = 0; at < out.data.size(); at += 1 << 20) {
          gavah::v1::SubmitChunk m;
          if (at == 0) {
            m.set_envelope_id(std::string(reinterpret_cast<const char*>(sealed->id.data()), 32));
            m.set_total_size(out.data.size());
          }
          m.set_data(std::string(reinterpret_cast<const char*>(out.data.data()) + at,
                                 std::min<size_t>(1 << 20, out.data.size() - at)));
          w->Write(m);
        }
        w->WritesDone();
        if (!w->Finish().ok()) ++failed;
      }
    });
  }
  for (auto& s : senders) s.join();
  if (failed != 0) {
    std::fprintf(stderr, "review_bench: %zu submissions failed\n", failed.load());
    return 1;
  }
  std::printf("set-up: %zu testimonies submitted in %.1f s\n", count, Since(setup));
  // The log takes them in its next batch; a sync now checks a log of all of them.
  std::this_thread::sleep_for(std::chrono::seconds(3));

  // ---- timed ----
  const std::string store_path = (dir / "case.db").string();
  const auto t0 = Clock::now();
  auto store = gavah::cli::CaseStore::Open(store_path, pass);
  if (!store.ok()) return 1;
  gavah::investigator::Hooks hooks;
  hooks.note = [](const gavah::investigator::Note& n) {
    if (n.kind == gavah::investigator::Note::Kind::kWarning)
      std::fprintf(stderr, "warning: %s\n", n.text.c_str());
  };
  auto synced = gavah::investigator::Sync(bundle, me, **store, store_path, hooks);
  if (!synced.ok()) {
    std::fprintf(stderr, "review_bench: %s\n", synced.status().message().c_str());
    return 1;
  }
  const double sync_s = Since(t0);
  const auto t1 = Clock::now();
  const std::vector<gavah::investigator::KeyRef> keys = {{"bench key", nullptr, &me}};
  auto opened = gavah::investigator::OpenAll(**store, keys, store_path, hooks);
  if (!opened.ok()) {
    std::fprintf(stderr, "review_bench: %s\n", opened.status().message().c_str());
    return 1;
  }
  const double open_s = Since(t1);
  const double total_s = Since(t0);

  auto median_ms = [](const std::function<size_t()>& run, size_t* rows) {
    std::vector<double> ms;
    for (int i = 0; i < 21; ++i) {
      const auto t = Clock::now();
      *rows = run();
      ms.push_back(Since(t) * 1000);
    }
    std::sort(ms.begin(), ms.end());
    return ms[ms.size() / 2];
  };
  auto list = [&](const gavah::investigator::CaseFilter& f) -> size_t {
    auto rows = gavah::investigator::ListCases(**store, f, store_path);
    return rows.ok() ? rows->size() : 0;
  };
  size_t found = 0, filtered = 0, all_rows = 0;
  // "Commission", typed on an Arabic keyboard (Arabic kaf and yeh): found in every testimony,
  // where the Persian letters wrote it, as the codename rules fold it. Then one testimony's word.
  auto text_filter = [](const std::string& word) {
    gavah::investigator::CaseFilter f;
    f.text =
        gavah::SecretBuffer::CopyOf({reinterpret_cast<const uint8_t*>(word.data()), word.size()});
    return f;
  };
  const auto common = text_filter("\u0643\u0645\u064a\u0633\u064a\u0648\u0646");
  const double search_ms = median_ms([&] { return list(common); }, &found);
  size_t found_one = 0;
  const auto one = text_filter("case" + std::to_string(count / 2));
  const double search_one_ms = median_ms([&] { return list(one); }, &found_one);
  gavah::investigator::CaseFilter filter;
  filter.state = "opened";
  filter.from_hour = (static_cast<uint64_t>(time(nullptr)) / 3600 - 24) * 3600;
  const double filter_ms = median_ms([&] { return list(filter); }, &filtered);
  const double all_ms = median_ms([&] { return list({}); }, &all_rows);

  // The way there was before: `gavah-investigator open ID --store` for each testimony, each
  // unlocking the key and the store (two Argon2id). Timed on `peer_runs` of them.
  std::vector<double> one_by_one;
  {
    auto rows = gavah::investigator::ListCases(**store, {}, store_path);
    auto run_env = env;
    run_env["GAVAH_PASSPHRASE"] = kPass;
    for (size_t i = 0; rows.ok() && i < std::min(peer_runs, rows->size()); ++i) {
      const std::string id = gavah::ToHex((*rows)[i].envelope.id);
      const auto t = Clock::now();
      const auto r = gavah::testing::Exec(dir, GAVAH_INVESTIGATOR,
                                          {"open", id, "--store", store_path, "--key", key_path,
                                           "--out", (dir / ("one-" + std::to_string(i))).string()},
                                          run_env);
      if (r.exit_code != 0) {
        std::fprintf(stderr, "review_bench: open one by one: %s\n", r.err.c_str());
        return 1;
      }
      one_by_one.push_back(Since(t));
    }
  }
  std::sort(one_by_one.begin(), one_by_one.end());
  const double one_s = one_by_one.empty() ? 0 : one_by_one[one_by_one.size() / 2];

  std::printf("\n### %zu testimonies of 4 KiB, 1 in %zu with %zu KiB attached\n\n", count,
              large_every, large_kib);
  std::printf("| step | result | time |\n|---|---|---|\n");
  std::printf(
      "| sync into a new case store (Argon2id, log check, receipts, bytes) | %llu added, log of "
      "%llu | %.2f s |\n",
      static_cast<unsigned long long>(synced->added),
      static_cast<unsigned long long>(synced->log_size), sync_s);
  std::printf("| open all in memory and index for search | %llu opened, %llu failed | %.2f s |\n",
              static_cast<unsigned long long>(opened->opened),
              static_cast<unsigned long long>(opened->failed), open_s);
  std::printf(
      "| (before: `open ID --store` once per testimony, median of %zu) | %zu opened | %.2f "
      "s each, %.0f s for all %zu |\n",
      one_by_one.size(), one_by_one.size(), one_s, one_s * static_cast<double>(count), count);
  std::printf(
      "| search for a word every testimony holds, typed with Arabic letters (median of 21) "
      "| %zu found | %.1f ms |\n",
      found, search_ms);
  std::printf("| search for a word one testimony holds (median of 21) | %zu found | %.1f ms |\n",
              found_one, search_one_ms);
  std::printf("| list opened in the last day (median of 21) | %zu rows | %.1f ms |\n", filtered,
              filter_ms);
  std::printf("| list everything (median of 21) | %zu rows | %.1f ms |\n", all_rows, all_ms);
  std::printf("\ncase store: %.1f MiB\n",
              static_cast<double>(fs::file_size(store_path)) / (1 << 20));
#ifdef GAVAH_BENCH_DESK
  {
    ::setenv("QT_QPA_PLATFORM", "offscreen", 0);
    int qargc = 1;
    char name[] = "review_bench";
    char* qargv[] = {name, nullptr};
    QGuiApplication qapp(qargc, qargv);
    const Scroll scroll = ScrollTheDesk(key_path, store_path, kPass);
    if (!scroll.error.empty()) {
      std::fprintf(stderr, "review_bench: the desk: %s\n", scroll.error.c_str());
      return 1;
    }
    std::printf(
        "\n### The desk, offscreen, on that store\n\n| step | result | time |\n|---|---|---|\n");
    std::printf("| unlock (two Argon2id) and list every row | %zu rows | %.2f s |\n", scroll.rows,
                scroll.unlock_s);
    std::printf(
        "| scroll the list from first to last row, 25 rows a frame | %zu frames | longest "
        "%.1f ms, 99th percentile %.1f ms |\n",
        scroll.frames, scroll.max_ms, scroll.p99_ms);
  }
#endif
  gavah::testing::Stop(server, SIGTERM);
  if (!std::getenv("GAVAH_BENCH_KEEP")) fs::remove_all(dir);
  std::printf("review_bench: total_s=%.2f search_ms=%.2f filter_ms=%.2f\n", total_s, search_ms,
              filter_ms);
  // Every figure above is for the whole set, or it is no figure.
  return synced->added == count && opened->opened == count && found == count && found_one == 1 ? 0
                                                                                               : 1;
}
