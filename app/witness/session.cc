#include "session.h"

#include <sys/stat.h>

#include <QCalendar>
#include <QCoreApplication>
#include <QDateTime>
#include <QFile>
#include <QFileInfo>
#include <QGuiApplication>
#include <QLocale>
#include <QTimeZone>
#include <QWindow>
#include <algorithm>
#include <chrono>
#include <cstdlib>

#include "app_text.h"
#include "cli_support.h"
#include "gavah/crypto/codename.h"
#include "gavah/crypto/hex.h"
#include "gavah/crypto/process.h"
#include "metadata.h"

namespace gavah::app {
namespace {

const char* KindOf(metadata::Kind kind) { return metadata::KindName(kind); }

std::optional<witness::WordList> ListOf(std::span<const uint8_t> codename) {
  for (uint8_t c : codename)
    if (c >= 0x80) return witness::WordList::kPersian;
  return witness::WordList::kEnglish;
}

}  // namespace

QString Session::NoteText(const std::string& note) const {
  // The metadata library's sentences (client/metadata), in the language of the window. One
  // this list does not know is shown as it is.
  static const char* const kKnown[] = {
      QT_TR_NOOP("This kind of file is not recognised, so its hidden details cannot be checked."),
      QT_TR_NOOP("The file is larger than 512 MiB, the most that can be cleaned."),
      QT_TR_NOOP("The recording is damaged and cannot be read."),
      QT_TR_NOOP("Hidden details cannot be removed from this kind of recording; an MP4 copy of it "
                 "can be cleaned."),
      QT_TR_NOOP("Hidden details cannot be removed from this kind of picture; a JPEG or PNG copy "
                 "of it can be cleaned."),
      QT_TR_NOOP("The picture uses a structure that cannot be cleaned safely."),
      QT_TR_NOOP("The picture is damaged or cut short, so it cannot be cleaned."),
      QT_TR_NOOP("Some hidden details could not be read because the picture is damaged."),
      QT_TR_NOOP("The PDF is protected by a password, so it cannot be checked or cleaned."),
      QT_TR_NOOP("The PDF is damaged and cannot be read."),
      QT_TR_NOOP("Some hidden details could not be read because the PDF is damaged."),
      QT_TR_NOOP("The PDF is digitally signed: the signature names its signer and cannot be "
                 "removed without breaking the document."),
      QT_TR_NOOP("The PDF has files attached inside it, whose own hidden details cannot be "
                 "removed."),
      QT_TR_NOOP("A picture inside the PDF is damaged, so its hidden details cannot be removed."),
  };
  for (const char* known : kKnown)
    if (note == known) return tr(known);
  static const std::string kMoreHead = "The file holds ";
  static const std::string kMoreTail = " more hidden details than can be listed here.";
  if (note.size() > kMoreHead.size() + kMoreTail.size() && note.starts_with(kMoreHead) &&
      note.ends_with(kMoreTail)) {
    const std::string n =
        note.substr(kMoreHead.size(), note.size() - kMoreHead.size() - kMoreTail.size());
    if (n.find_first_not_of("0123456789") != std::string::npos) return FromUtf8(note);
    return tr("The file holds %1 more hidden details than can be listed here.")
        .arg(number(std::stod(n)));
  }
  return FromUtf8(note);
}

Session::Session(QObject* parent) : QObject(parent) {
  language_ = QLocale::system().language() == QLocale::Persian ? QStringLiteral("fa")
                                                               : QStringLiteral("en");
}

Session::~Session() {
  cancel_ = true;
  if (worker_.joinable()) worker_.join();
  for (auto& t : examiners_) t.join();
}

void Session::setLanguage(const QString& language) {
  const QString l = language == QLatin1String("fa") ? QStringLiteral("fa") : QStringLiteral("en");
  if (l == language_) return;
  language_ = l;
  emit languageChanged();
  emit attachmentsChanged();  // their notes, in the new language
}

QString Session::organisationName() const {
  return bundle_ ? FromUtf8(bundle_->contents().organisation_name) : QString();
}

QString Session::fingerprint() const {
  if (!bundle_) return {};
  const std::string fp = FingerprintToText(bundle_->organisation_fingerprint());
  QString out;
  for (size_t i = 0; i < fp.size(); i += 4) {
    if (!out.isEmpty()) out += QLatin1Char(' ');
    out += QString::fromLatin1(fp.substr(i, 4).c_str());
  }
  return out;
}

void Session::Refuse(const QString& why, const QString& detail) {
  // Nothing of a refused bundle, and nothing of the one before it, stays usable: the witness
  // starts this step again with a bundle they trust.
  bundle_.reset();
  confirmed_ = false;
  trust_.clear();
  reply_key_.reset();
  reply_xwing_key_.reset();
  deriving_ = 0;  // a key derived for the bundle just dropped is never used
  pending_codename_.reset();
  emit codenameChanged();
  refusal_ = why;
  refusal_detail_ = detail;
  emit bundleChanged();
}

bool Session::AcceptBundle(Result<RecipientBundle> bundle, bool built_in) {
  if (!bundle.ok()) {
    Refuse(bundle.status().code() == ErrorCode::kExpired ? QStringLiteral("expired")
                                                         : QStringLiteral("damaged"),
           FromUtf8(bundle.status().message()));
    return false;
  }
  auto pins = witness::LoadPins();
  if (!pins.ok()) {
    Refuse(QStringLiteral("damaged"), FromUtf8(pins.status().message()));
    return false;
  }
  auto trust = witness::DecideTrust(bundle.value(), false, pins.value(),
                                    built_in ? "the built-in bundle" : "this bundle");
  if (!trust.ok()) {
    Refuse(trust.status().code() == ErrorCode::kUntrustedSigner ? QStringLiteral("mismatch")
                                                                : QStringLiteral("older"),
           FromUtf8(trust.status().message()));
    return false;
  }
  bundle_ = std::make_shared<const RecipientBundle>(std::move(bundle).value());
  built_in_ = built_in;
  switch (trust->trust) {
    case witness::Trust::kPinned:
      trust_ = QStringLiteral("pinned");
      break;
    case witness::Trust::kFirstUse:
      trust_ = QStringLiteral("first-use");
      break;
    default:
      trust_ = QStringLiteral("unnamed");
  }
  // A codename's key is bound to the organisation: a new bundle needs a new one, and a key still
  // being derived for the old one is dropped when it arrives.
  reply_key_.reset();
  reply_xwing_key_.reset();
  deriving_ = 0;
  pending_codename_.reset();
  confirmed_ = trust->trust == witness::Trust::kPinned;
  refusal_.clear();
  refusal_detail_.clear();
  emit bundleChanged();
  emit codenameChanged();
  return true;
}

bool Session::openBundle(const QUrl& file) {
  return openBundlePath(file.isLocalFile() ? file.toLocalFile() : file.toString());
}

bool Session::openBundlePath(const QString& path) {
  if (busy_) return false;  // never while a send or a fetch is using the current one
  return AcceptBundle(witness::LoadBundle(path.toStdString(), "", /*require_current=*/true), false);
}

void Session::LoadBuiltInBundle(const QString& path) {
  QFile f(path);
  if (!f.open(QIODevice::ReadOnly)) return;
  const QByteArray bytes = f.read(8 + 32 + 4 + kMaxBundleBodyV2 + 64);
  auto bundle = RecipientBundle::Parse(
      {reinterpret_cast<const uint8_t*>(bytes.constData()), static_cast<size_t>(bytes.size())});
  if (bundle.ok()) {
    if (Status st = bundle->CheckCurrent(NowUnix()); !st.ok()) bundle = st;
  }
  AcceptBundle(std::move(bundle), true);
}

bool Session::confirmFingerprint() {
  if (!bundle_) return false;
  if (!amnesic_) {
    auto pins = witness::LoadPins();
    Status st = pins.ok() ? witness::Pin(*bundle_, pins.value()) : pins.status();
    if (!st.ok()) {
      Refuse(QStringLiteral("damaged"), FromUtf8(st.message()));
      return false;
    }
  }
  confirmed_ = true;
  emit bundleChanged();
  return true;
}

QVariantList Session::attachments() const {
  QVariantList out;
  for (const auto& a : attachments_) {
    QVariantMap m;
    m[QStringLiteral("name")] = a.name;
    m[QStringLiteral("size")] = static_cast<double>(a.size);
    m[QStringLiteral("format")] = a.format;
    m[QStringLiteral("findings")] = a.findings;
    m[QStringLiteral("canClean")] = a.can_clean;
    m[QStringLiteral("clean")] = a.clean;
    // Translated here, not when the file was examined: the language may change meanwhile.
    m[QStringLiteral("note")] = NoteText(a.note.toStdString());
    m[QStringLiteral("error")] = a.error;
    m[QStringLiteral("examining")] = a.examining;
    out.push_back(m);
  }
  return out;
}

void Session::addAttachment(const QUrl& file) {
  addAttachmentPath(file.isLocalFile() ? file.toLocalFile() : file.toString());
}

void Session::addAttachmentPath(const QString& path_text) {
  Attachment a;
  a.path = path_text;
  a.name = QFileInfo(a.path).fileName();
  a.token = next_token_++;
  struct stat st {};
  if (::stat(a.path.toStdString().c_str(), &st) == 0) a.size = st.st_size;
  const uint64_t token = a.token;
  const std::string path = a.path.toStdString();
  attachments_.push_back(std::move(a));
  emit attachmentsChanged();
  examiners_.emplace_back([this, token, path] {
    auto report = witness::InspectAttachment(path);
    QMetaObject::invokeMethod(
        this,
        [this, token, report = std::make_shared<Result<metadata::Report>>(std::move(report))] {
          auto it = std::find_if(attachments_.begin(), attachments_.end(),
                                 [&](const Attachment& x) { return x.token == token; });
          if (it == attachments_.end()) return;  // removed meanwhile
          Attachment& a = *it;
          a.examining = false;
          if (!report->ok()) {
            a.error = report->status().code() == ErrorCode::kTooLarge
                          ? QStringLiteral("too-large")
                          : QStringLiteral("unreadable");
          } else {
            const metadata::Report& r = report->value();
            a.format = QString::fromStdString(r.format);
            a.note = QString::fromStdString(r.note);
            a.can_clean = r.can_clean;
            // Cleaning is the safer default where it is possible: the witness chooses the
            // original knowingly.
            a.clean = r.can_clean && !r.findings.empty();
            for (const auto& f : r.findings) {
              QVariantMap m;
              m[QStringLiteral("kind")] = QString::fromLatin1(KindOf(f.kind));
              m[QStringLiteral("field")] = QString::fromStdString(f.field);
              m[QStringLiteral("value")] = FromUtf8(f.value.view());
              a.findings.push_back(m);
            }
          }
          emit attachmentsChanged();
        },
        Qt::QueuedConnection);
  });
}

bool Session::examining() const {
  return std::any_of(attachments_.begin(), attachments_.end(),
                     [](const Attachment& a) { return a.examining; });
}

void Session::removeAttachment(int index) {
  if (index < 0 || static_cast<size_t>(index) >= attachments_.size()) return;
  attachments_.erase(attachments_.begin() + index);
  emit attachmentsChanged();
}

void Session::setCleanCopy(int index, bool clean) {
  if (index < 0 || static_cast<size_t>(index) >= attachments_.size()) return;
  auto& a = attachments_[static_cast<size_t>(index)];
  a.clean = clean && a.can_clean;
  emit attachmentsChanged();
}

QString Session::makeCodename(const QString& words) {
  const auto list =
      words == QLatin1String("fa") && !witness::CodenameWords(witness::WordList::kPersian).empty()
          ? witness::WordList::kPersian
          : witness::WordList::kEnglish;
  auto made = witness::NewCodename(list);
  if (!made.ok()) return {};
  pending_codename_ = std::move(made).value();
  return FromUtf8(pending_codename_->view());
}

bool Session::confirmCodename(const QString& typed) {
  if (!pending_codename_ || !bundle_) return false;
  const SecretBuffer mine = ToSecret(typed);
  const auto list = ListOf(pending_codename_->span());
  auto theirs = CheckCodename(mine.span(), witness::CodenameWords(*list));
  auto made = CheckCodename(pending_codename_->span(), witness::CodenameWords(*list));
  if (!theirs.ok() || !made.ok() || theirs->normalised.size() != made->normalised.size() ||
      !theirs->normalised.Equals(made->normalised.span()))
    return false;
  // The codename moves to the thread, which wipes it once the key is derived.
  auto codename = std::make_shared<SecretBuffer>(std::move(*pending_codename_));
  pending_codename_.reset();
  reply_key_.reset();
  reply_xwing_key_.reset();
  const uint64_t mine_now = deriving_ = ++derivations_;
  emit codenameChanged();
  examiners_.emplace_back([this, codename, bundle = bundle_, mine_now] {
    auto key = witness::ReplyKeyFromCodename(codename->span(), *bundle);
    { SecretBuffer gone = std::move(*codename); }  // wiped here, not when the thread ends
    std::optional<PublicKey32> pk;
    std::optional<xwing::PublicKey> xpk;
    if (key.ok()) pk = key->key.public_key;
    if (key.ok() && key->key.xwing) xpk = key->key.xwing->public_key();
    QMetaObject::invokeMethod(
        this,
        [this, pk, xpk, mine_now] {
          if (deriving_ != mine_now) return;  // forgotten, or confirmed anew, meanwhile
          deriving_ = 0;
          reply_key_ = pk;
          reply_xwing_key_ = xpk;
          emit codenameChanged();
        },
        Qt::QueuedConnection);
  });
  return true;
}

void Session::forgetCodename() {
  pending_codename_.reset();
  reply_key_.reset();
  reply_xwing_key_.reset();
  deriving_ = 0;
  emit codenameChanged();
}

void Session::setAmnesic(bool on) {
  if (on == amnesic_) return;
  amnesic_ = on;
  emit amnesicChanged();
}

void Session::SetBusy(bool busy) {
  busy_ = busy;
  emit busyChanged();
}

witness::Connection Session::ConnectionFor(const QString& route, const QString& proxy) const {
  witness::Connection c;
  if (route == QLatin1String("tor")) c.proxy = proxy.trimmed().toStdString();
  // A witness on a slow, censored link: keep trying a while before giving up to the outbox.
  c.wait_seconds = 30;
  return c;
}

witness::Hooks Session::HooksForWork() {
  witness::Hooks h;
  const auto start = std::chrono::steady_clock::now();
  auto last = std::make_shared<std::chrono::steady_clock::time_point>();
  h.progress = [this, start, last](uint64_t done, uint64_t total) {
    const auto now = std::chrono::steady_clock::now();
    if (done != total && now - *last < std::chrono::milliseconds(200)) return;
    *last = now;
    const double elapsed = std::chrono::duration<double>(now - start).count();
    const int left = done > 0 && elapsed > 1 ? static_cast<int>(static_cast<double>(total - done) *
                                                                elapsed / static_cast<double>(done))
                                             : -1;
    QMetaObject::invokeMethod(
        this,
        [this, done, total, left] {
          sent_ = done;
          total_ = total;
          seconds_left_ = left;
          phase_.clear();
          emit progressChanged();
        },
        Qt::QueuedConnection);
  };
  h.on_work = [this](uint64_t, uint64_t) {
    QMetaObject::invokeMethod(
        this,
        [this] {
          if (phase_ == QLatin1String("working")) return;
          phase_ = QStringLiteral("working");
          emit progressChanged();
        },
        Qt::QueuedConnection);
  };
  h.on_wait = [this](uint64_t seconds, const std::string&) {
    QMetaObject::invokeMethod(
        this,
        [this, seconds] {
          phase_ = QStringLiteral("waiting");
          seconds_left_ = static_cast<int>(seconds);
          emit progressChanged();
        },
        Qt::QueuedConnection);
  };
  h.cancelled = [this] { return cancel_.load(); };
  return h;
}

void Session::RefuseToStart(const QString& why) {
  outcome_ = QStringLiteral("refused");
  outcome_detail_ = why;
  envelope_id_.clear();
  emit outcomeChanged();
}

void Session::RunInBackground(std::function<void()> work) {
  if (worker_.joinable()) worker_.join();
  cancel_ = false;
  SetBusy(true);
  worker_ = std::thread([this, work = std::move(work)] {
    work();
    QMetaObject::invokeMethod(
        this, [this] { SetBusy(false); }, Qt::QueuedConnection);
  });
}

void Session::send(const QString& text, const QString& textLanguage, const QString& when,
                   const QString& where, const QStringList& consent, const QString& route,
                   const QString& proxy, const QUrl& file) {
  // Not while the codename's key is derived: the testimony would go without it.
  if (busy_ || !bundle_ || examining() || deriving_ != 0) return;
  // "Through Tor" with no Tor address must never fall back to a direct connection.
  if (route == QLatin1String("tor") && proxy.trimmed().isEmpty()) {
    RefuseToStart(QStringLiteral("no address is given for Tor's HTTP tunnel"));
    return;
  }
  auto draft = std::make_shared<witness::Draft>();
  draft->text = ToSecret(text);
  draft->language = ToSecret(textLanguage);
  draft->event_time = ToSecret(when);
  draft->event_place = ToSecret(where);
  for (const auto& a : attachments_) draft->attachments.push_back({a.path.toStdString(), a.clean});
  draft->reply_key = reply_key_;
  draft->reply_xwing_key = reply_xwing_key_;
  std::vector<std::string_view> tokens;
  for (const auto known : kConsentTokens)
    if (consent.contains(FromUtf8(known))) tokens.push_back(known);
  draft->consent = tokens;
  const witness::Connection connection = ConnectionFor(route, proxy);
  const bool to_file = route == QLatin1String("file");
  const std::string out = file.isLocalFile() ? file.toLocalFile().toStdString() : "";
  const bool amnesic = amnesic_;
  sent_ = total_ = 0;
  seconds_left_ = -1;
  phase_.clear();
  emit progressChanged();
  const witness::Hooks hooks = HooksForWork();
  const std::shared_ptr<const RecipientBundle> bundle = bundle_;
  RunInBackground([this, bundle, draft, connection, to_file, out, amnesic, hooks] {
    QString outcome, detail, id;
    uint64_t index = 0, hour = 0;
    auto prepared = witness::Prepare(std::move(*draft));
    if (!prepared.ok()) {
      outcome = QStringLiteral("refused");
      detail = FromUtf8(prepared.status().message());
    } else if (to_file) {
      auto sealed = witness::SealToFile(*bundle, **prepared, out);
      if (sealed.ok()) {
        outcome = QStringLiteral("saved");
        id = QString::fromStdString(ToHex(sealed->id));
        detail = QString::fromStdString(out);
      } else {
        outcome = QStringLiteral("refused");
        detail = FromUtf8(sealed.status().message());
      }
    } else {
      auto r = witness::Submit(*bundle, **prepared, connection, hooks, amnesic);
      if (!r.ok()) {
        outcome = QStringLiteral("refused");
        detail = FromUtf8(r.status().message());
      } else {
        id = QString::fromStdString(ToHex(r->id));
        if (r->delivery && r->delivery->queued) {
          outcome = QStringLiteral("queued");
          detail = QString::fromStdString(r->delivery->endpoint);
        } else if (r->delivery) {
          outcome = QStringLiteral("delivered");
          index = r->delivery->receipt.include_by;
          hour = r->delivery->receipt.received_hour;
        } else {
          outcome = r->in_outbox ? QStringLiteral("outbox") : QStringLiteral("lost");
          detail = FromUtf8(r->not_delivered.message());
        }
      }
    }
    QMetaObject::invokeMethod(
        this,
        [this, outcome, detail, id, index, hour] {
          outcome_ = outcome;
          outcome_detail_ = detail;
          envelope_id_ = id;
          include_by_ = index ? date(static_cast<double>(index)) : QString();
          received_ = hour ? date(static_cast<double>(hour)) : QString();
          emit outcomeChanged();
          refreshOutbox();
        },
        Qt::QueuedConnection);
  });
}

void Session::cancel() { cancel_ = true; }

void Session::refreshOutbox() {
  outbox_.clear();
  receipts_.clear();
  if (auto entries = witness::ListOutbox(); entries.ok()) {
    for (const auto& e : *entries) {
      QVariantMap m;
      m[QStringLiteral("id")] = QString::fromStdString(e.id);
      m[QStringLiteral("size")] = static_cast<double>(e.size);
      outbox_.push_back(m);
    }
  }
  if (auto ids = witness::ListReceipts(); ids.ok()) {
    for (const auto& id : *ids) {
      auto r = witness::ReadReceipt(id);
      if (!r.ok()) continue;
      QVariantMap m;
      m[QStringLiteral("id")] = QString::fromStdString(id);
      m[QStringLiteral("includeBy")] = date(static_cast<double>(r->first.include_by));
      m[QStringLiteral("received")] = date(static_cast<double>(r->first.received_hour));
      receipts_.push_back(m);
    }
  }
  emit outboxChanged();
}

void Session::retryOutbox(const QString& route, const QString& proxy) {
  if (busy_) return;
  if (route == QLatin1String("tor") && proxy.trimmed().isEmpty()) {
    RefuseToStart(QStringLiteral("no address is given for Tor's HTTP tunnel"));
    return;
  }
  const witness::Connection connection = ConnectionFor(route, proxy);
  const witness::Hooks hooks = HooksForWork();
  RunInBackground([this, connection, hooks] {
    auto results = witness::RetryOutbox(connection, hooks);
    QString outcome = QStringLiteral("delivered"), detail;
    if (!results.ok()) {
      outcome = QStringLiteral("refused");
      detail = FromUtf8(results.status().message());
    } else {
      for (const auto& r : *results) {
        if (!r.delivery) {
          outcome = QStringLiteral("outbox");
          detail = FromUtf8(r.not_delivered.message());
        } else if (r.delivery->queued && outcome == QLatin1String("delivered")) {
          outcome = QStringLiteral("queued");
          detail = QString::fromStdString(r.delivery->endpoint);
        }
      }
    }
    QMetaObject::invokeMethod(
        this,
        [this, outcome, detail] {
          outcome_ = outcome;
          outcome_detail_ = detail;
          envelope_id_.clear();
          emit outcomeChanged();
          refreshOutbox();
        },
        Qt::QueuedConnection);
  });
}

void Session::fetchReplies(const QString& codename, const QString& route, const QString& proxy) {
  if (busy_ || !bundle_) return;
  if (route == QLatin1String("tor") && proxy.trimmed().isEmpty()) {
    replies_.clear();
    replies_state_ = QStringLiteral("failed");
    replies_detail_ = QStringLiteral("no address is given for Tor's HTTP tunnel");
    emit repliesChanged();
    return;
  }
  auto secret = std::make_shared<SecretBuffer>(ToSecret(codename));
  const witness::Connection connection = ConnectionFor(route, proxy);
  const witness::Hooks hooks = HooksForWork();
  replies_.clear();
  replies_state_ = QStringLiteral("fetching");
  replies_detail_.clear();
  emit repliesChanged();
  const std::shared_ptr<const RecipientBundle> bundle = bundle_;
  RunInBackground([this, bundle, secret, connection, hooks] {
    QString state, detail;
    QVariantList list;
    auto key = witness::ReplyKeyFromCodename(secret->span(), *bundle);
    if (!key.ok()) {
      state = QStringLiteral("badcodename");
      detail = FromUtf8(key.status().message());
    } else {
      auto got = witness::FetchReplies(*bundle, key->key, connection, hooks);
      if (!got.ok()) {
        state = QStringLiteral("failed");
        detail = FromUtf8(got.status().message());
      } else if (got->pending) {
        state = QStringLiteral("pending");
      } else {
        state = QStringLiteral("done");
        for (const auto& r : got->replies) {
          QVariantMap m;
          m[QStringLiteral("seq")] = static_cast<double>(r.seq);
          m[QStringLiteral("text")] = FromUtf8(witness::SafeReplyText(r.text.span()).view());
          list.push_back(m);
        }
      }
    }
    QMetaObject::invokeMethod(
        this,
        [this, state, detail, list] {
          replies_ = list;
          replies_state_ = state;
          replies_detail_ = detail;
          emit repliesChanged();
        },
        Qt::QueuedConnection);
  });
}

QString Session::number(double value) const { return LocalNumber(rightToLeft(), value); }

QString Session::size(double bytes) const { return LocalSize(rightToLeft(), bytes); }

QString Session::date(double unix_seconds) const { return LocalDate(rightToLeft(), unix_seconds); }

void Session::clearTestimony() {
  attachments_.clear();
  pending_codename_.reset();
  reply_key_.reset();
  reply_xwing_key_.reset();
  deriving_ = 0;
  outcome_.clear();
  outcome_detail_.clear();
  emit attachmentsChanged();
  emit codenameChanged();
  emit outcomeChanged();
}

void Session::leaveQuickly() {
  cancel_ = true;
  for (QWindow* w : QGuiApplication::topLevelWindows()) w->hide();
  QCoreApplication::processEvents();
  pending_codename_.reset();
  reply_key_.reset();
  reply_xwing_key_.reset();
  attachments_.clear();
  // No waiting for a send to wind down or for the toolkit to tear down its windows: the process
  // ends now, and with it every page it held.
  std::_Exit(0);
}

}  // namespace gavah::app
