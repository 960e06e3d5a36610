#include "desk.h"

#include <sys/stat.h>

#include <QCalendar>
#include <QCoreApplication>
#include <QDate>
#include <QDateTime>
#include <QLocale>
#include <QTimeZone>
#include <QUrl>

#include "app_text.h"
#include "clock.h"
#include "gavah/crypto/hex.h"
#include "gavah/crypto/process.h"
#include "preview.h"

namespace gavah::app {
namespace {

// Text of another direction inside a sentence (a path, an id, a name, the library's English
// words in a Persian sentence): isolated (U+2068 ... U+2069), so that neither reorders the other.
QString Iso(std::string_view s) {
  return QChar(0x2068) + QString::fromUtf8(s.data(), static_cast<qsizetype>(s.size())) +
         QChar(0x2069);
}
QString Iso(const QString& s) { return QChar(0x2068) + s + QChar(0x2069); }

QString FromSecret(const SecretBuffer& b) {
  return QString::fromUtf8(reinterpret_cast<const char*>(b.data()),
                           static_cast<qsizetype>(b.size()));
}

// A path typed or chosen: a file: URL or a plain path.
std::string LocalPath(const QString& typed) {
  const QString t = typed.trimmed();
  const QUrl url(t);
  return (url.isLocalFile() ? url.toLocalFile() : t).toStdString();
}

// YYYY-MM-DD as the first hour of that day (UTC), or `fallback`.
uint64_t DayStart(const QString& text, uint64_t fallback) {
  const QDate d = QDate::fromString(text.trimmed(), Qt::ISODate);
  if (!d.isValid()) return fallback;
  const qint64 s = QDateTime(d, QTime(0, 0), QTimeZone::utc()).toSecsSinceEpoch();
  return s < 0 ? fallback : static_cast<uint64_t>(s);
}

// What a preview of a media type is: the desk decodes only these, and only in the child.
QString PreviewKindOf(const QString& type, const QString& name) {
  const QString t = type.toLower(), n = name.toLower();
  if (t.startsWith(QLatin1String("image/")) || n.endsWith(QLatin1String(".jpg")) ||
      n.endsWith(QLatin1String(".jpeg")) || n.endsWith(QLatin1String(".png")))
    return QStringLiteral("image");
  if (t == QLatin1String("application/pdf") || n.endsWith(QLatin1String(".pdf")))
    return QStringLiteral("pdf");
  if (t.startsWith(QLatin1String("text/")) || n.endsWith(QLatin1String(".txt")))
    return QStringLiteral("text");
  return QStringLiteral("other");
}

}  // namespace

QImage PreviewImages::requestImage(const QString& id, QSize* size, const QSize&) {
  std::lock_guard lock(mu_);
  bool ok = false;
  const int n = id.section(QLatin1Char('/'), 1, 1).toInt(&ok);
  if (!ok || n < 0 || n >= static_cast<int>(pages_.size())) return {};
  if (size) *size = pages_[static_cast<size_t>(n)].size();
  return pages_[static_cast<size_t>(n)];
}

void PreviewImages::Set(std::vector<QImage> pages) {
  std::lock_guard lock(mu_);
  pages_ = std::move(pages);
}

Desk::Desk(QObject* parent) : QObject(parent), images_(new PreviewImages) {
  language_ = QLocale::system().language() == QLocale::Persian ? QStringLiteral("fa")
                                                               : QStringLiteral("en");
  idle_.setSingleShot(true);
  connect(&idle_, &QTimer::timeout, this, [this] {
    if (!locked()) lock();
  });
  model_.SetFormatting({[this](uint64_t t) { return date(static_cast<double>(t)); },
                        [this](uint64_t b) { return size(static_cast<double>(b)); },
                        [this](const cli::CaseStore::Row& r) { return Waiting(r); }});
}

Desk::~Desk() {
  cancel_ = true;
  cancel_read_ = true;
  if (worker_.joinable()) worker_.join();
  if (reader_.joinable()) reader_.join();
}

void Desk::setLanguage(const QString& language) {
  const QString l = language == QLatin1String("fa") ? QStringLiteral("fa") : QStringLiteral("en");
  if (l == language_) return;
  language_ = l;
  emit languageChanged();
  model_.Refresh();
  emit currentChanged();
}

void Desk::setIdleMinutes(int minutes) {
  idle_minutes_ = std::clamp(minutes, 1, 240);
  idle_ms_ = idle_minutes_ * 60 * 1000;
  emit idleChanged();
  touch();
}

void Desk::touch() {
  if (!locked()) idle_.start(idle_ms_);
}

QString Desk::investigatorName() const { return key_ ? FromUtf8(key_->public_key().name) : ""; }

QString Desk::organisationName() const {
  return bundle_ ? FromUtf8(bundle_->contents().organisation_name) : QString();
}

QString Desk::Text(const std::string& s) const { return FromUtf8(s); }

void Desk::unlock(const QString& keyPath, const QString& storePath, const QString& keyPassphrase,
                  const QString& storePassphrase, const QString& bundlePath) {
  if (!locked() || unlocking_) return;
  unlocking_ = true;
  unlock_error_.clear();
  unlock_detail_.clear();
  emit unlockErrorChanged();
  auto fail = [&](const char* what, const std::string& detail) {
    unlocking_ = false;
    unlock_error_ = QString::fromLatin1(what);
    unlock_detail_ = Iso(detail);
    emit unlockErrorChanged();
  };
  const std::string key_path = LocalPath(keyPath), store_path = LocalPath(storePath);
  const SecretBuffer key_pass = ToSecret(keyPassphrase);
  auto key = investigator::UnlockKeyFile(key_path, key_pass.span());
  if (!key.ok()) return fail("key", key.status().message());
  // A store is made only for its first sync, with the bundle that sync needs: a mistyped path
  // without one leaves no empty store behind.
  if (struct stat st{}; ::stat(store_path.c_str(), &st) != 0 && bundlePath.trimmed().isEmpty())
    return fail("store", store_path +
                             " does not exist; give the organisation's bundle to begin "
                             "a new case store there");
  const SecretBuffer store_pass =
      storePassphrase.isEmpty() ? SecretBuffer::CopyOf(key_pass.span()) : ToSecret(storePassphrase);
  auto store = cli::CaseStore::Open(store_path, store_pass.span());
  if (!store.ok()) return fail("store", store.status().message());
  // The bundle: one given now (checked against the store), else the one the store last synced.
  std::optional<RecipientBundle> bundle;
  if (!bundlePath.trimmed().isEmpty()) {
    auto bytes = ReadRegularFile(LocalPath(bundlePath), 1 << 20);
    if (!bytes.ok()) return fail("bundle", bytes.status().message());
    auto parsed = RecipientBundle::Parse(*bytes);
    if (!parsed.ok()) return fail("bundle", parsed.status().message());
    if (const Status st =
            investigator::CheckAgainstStore(*parsed, **store, LocalPath(bundlePath), store_path);
        !st.ok())
      return fail("bundle", st.message());
    bundle = std::move(parsed).value();
  } else {
    auto bytes = (*store)->Bundle();
    if (!bytes.ok()) return fail("store", bytes.status().message());
    if (bytes->empty())
      return fail("bundle", "this case store has never synced: give the organisation's bundle");
    auto parsed = RecipientBundle::Parse(*bytes);
    if (!parsed.ok()) return fail("store", parsed.status().message());
    bundle = std::move(parsed).value();
  }
  if (const Status st = investigator::IsInvestigatorOf(*bundle, *key, key_path); !st.ok())
    return fail("key", st.message());
  key_ = std::make_unique<InvestigatorSecretKey>(std::move(key).value());
  store_ = std::move(store).value();
  bundle_ = std::make_shared<const RecipientBundle>(std::move(*bundle));
  key_path_ = QString::fromStdString(key_path);
  store_path_ = QString::fromStdString(store_path);
  me_ = FingerprintToText(key_->public_key().fingerprint());
  unlocking_ = false;
  emit unlockErrorChanged();
  status_.clear();
  warnings_.clear();
  emit statusChanged();
  emit lockedChanged();
  filter_ = {};
  RefreshList();
  touch();
}

void Desk::lock() {
  if (locking_) return;
  // What is on screen goes first, and the window shows the unlock screen before the work under
  // way is waited for: a lock never waits with testimony in view.
  locking_ = true;
  ++session_;
  ++reading_;
  current_.reset();
  images_->Clear();
  model_.Reset({});
  emit lockedChanged();
  for (int i = 0; i < 5; ++i)
    QCoreApplication::processEvents(QEventLoop::ExcludeUserInputEvents, 10);
  closeTestimony();
  pending_release_.reset();
  pending_release_text_.clear();
  emit releaseChanged();
  model_.Reset({});
  total_cases_ = 0;
  all_tags_.clear();
  emit casesChanged();
  verify_result_.clear();
  verify_lines_.clear();
  emit verifyChanged();
  status_.clear();
  warnings_.clear();
  emit statusChanged();
  filter_ = {};
  // Then the work under way, stopped at its next step.
  cancel_ = true;
  if (worker_.joinable()) worker_.join();
  operation_.clear();
  emit busyChanged();
  store_.reset();
  key_.reset();  // its SecretBuffer wipes the key
  bundle_.reset();
  idle_.stop();
  locking_ = false;
  emit lockedChanged();
}

std::vector<investigator::KeyRef> Desk::Keys() const {
  return {investigator::KeyRef{key_path_.toStdString(), nullptr, key_.get()}};
}

investigator::Hooks Desk::HooksForWork() {
  investigator::Hooks h;
  const uint64_t session = session_;
  h.note = [this, session](const investigator::Note& n) {
    if (n.kind != investigator::Note::Kind::kWarning) return;
    const QString text = Iso(n.text);
    QMetaObject::invokeMethod(
        this,
        [this, session, text] {
          if (session == session_) warnings_.append(text);
        },
        Qt::QueuedConnection);
  };
  h.progress = [this, session](uint64_t d, uint64_t t) {
    QMetaObject::invokeMethod(
        this,
        [this, session, d, t] {
          if (session != session_) return;
          done_ = d;
          total_ = t;
          emit progressChanged();
        },
        Qt::QueuedConnection);
  };
  h.cancelled = [this] { return cancel_.load(); };
  return h;
}

void Desk::RunInBackground(const QString& operation, std::function<void()> work) {
  if (worker_.joinable()) worker_.join();
  cancel_ = false;
  operation_ = operation;
  done_ = total_ = 0;
  warnings_.clear();
  status_.clear();
  emit busyChanged();
  emit progressChanged();
  emit statusChanged();
  worker_ = std::thread(std::move(work));
}

void Desk::Finished(uint64_t session, const std::function<QString()>& status) {
  // A job of a session locked since: its words are not shown to whoever unlocks next.
  if (session != session_) return;
  if (worker_.joinable()) worker_.join();
  operation_.clear();
  status_ = status();
  emit busyChanged();
  emit statusChanged();
  RefreshList();
  RefreshCurrent();
  touch();
}

void Desk::sync() {
  if (locked() || busy()) return;
  auto bundle = bundle_;
  const uint64_t session = session_;
  RunInBackground(QStringLiteral("sync"), [this, bundle, session, hooks = HooksForWork()] {
    auto r = std::make_shared<Result<investigator::SyncReport>>(
        investigator::Sync(*bundle, *key_, *store_, store_path_.toStdString(), hooks));
    // Said in words on the window's thread, in the window's language.
    QMetaObject::invokeMethod(
        this,
        [this, session, r] {
          Finished(session, [this, r] {
            if (!r->ok())
              return r->status().code() == ErrorCode::kCancelled
                         ? tr("Sync stopped; what arrived is kept.")
                         : tr("Sync failed: %1").arg(Iso(r->status().message()));
            const investigator::SyncReport& s = r->value();
            QString status = tr("Synced: %1 new testimonies, %2 shares from colleagues; the "
                                "server's log of %3 entries checks out.")
                                 .arg(number(static_cast<double>(s.added)))
                                 .arg(number(static_cast<double>(s.shares)))
                                 .arg(number(static_cast<double>(s.log_size)));
            if (s.tampered)
              status += QLatin1Char(' ') + tr("%1 arrived tampered and were not kept.")
                                               .arg(number(static_cast<double>(s.tampered)));
            if (s.withheld)
              status +=
                  QLatin1Char(' ') + tr("THE SERVER WITHHOLDS %1 testimonies (see the warnings).")
                                         .arg(number(static_cast<double>(s.withheld)));
            return status;
          });
        },
        Qt::QueuedConnection);
  });
}

void Desk::openAll() {
  if (locked() || busy()) return;
  const uint64_t session = session_;
  RunInBackground(QStringLiteral("openAll"), [this, session, hooks = HooksForWork()] {
    auto r = std::make_shared<Result<investigator::OpenAllReport>>(
        investigator::OpenAll(*store_, Keys(), store_path_.toStdString(), hooks));
    QMetaObject::invokeMethod(
        this,
        [this, session, r] {
          Finished(session, [this, r] {
            if (!r->ok())
              return r->status().code() == ErrorCode::kCancelled
                         ? tr("Stopped; what was opened is kept.")
                         : tr("Opening failed: %1").arg(Iso(r->status().message()));
            const investigator::OpenAllReport& o = r->value();
            QString status = tr("Opened %1 testimonies; %2 were open already; %3 need more shares.")
                                 .arg(number(static_cast<double>(o.opened)))
                                 .arg(number(static_cast<double>(o.already)))
                                 .arg(number(static_cast<double>(o.waiting)));
            if (o.failed)
              status += QLatin1Char(' ') + tr("%1 would not open (see the warnings).")
                                               .arg(number(static_cast<double>(o.failed)));
            return status;
          });
        },
        Qt::QueuedConnection);
  });
}

void Desk::cancel() { cancel_ = true; }

void Desk::filter(const QString& text, const QString& state, const QString& tag,
                  const QString& from, const QString& to) {
  if (locked()) return;
  filter_.text = ToSecret(text);
  filter_.state = state.toStdString();
  filter_.tag = ToSecret(tag.trimmed());
  filter_.from_hour = DayStart(from, 0);
  const uint64_t to_day = DayStart(to, UINT64_MAX);
  filter_.to_hour = to_day == UINT64_MAX ? UINT64_MAX : to_day + 86400 - 3600;
  RefreshList(/*totals=*/false);
  touch();
}

void Desk::RefreshList(bool totals) {
  if (locked()) return;
  auto rows = investigator::ListCases(*store_, filter_, store_path_.toStdString());
  if (!rows.ok()) {
    status_ = FromUtf8(rows.status().message());
    emit statusChanged();
    return;
  }
  model_.Reset(std::move(rows).value());
  // The total and the tags in use come from the whole store, not the filtered list; a new
  // filter changes neither.
  if (!totals) {
    emit casesChanged();
    return;
  }
  auto all = investigator::ListCases(*store_, {}, store_path_.toStdString());
  if (all.ok()) {
    total_cases_ = static_cast<int>(all->size());
    QStringList tags;
    for (const auto& r : *all) {
      if (r.tags.empty()) continue;
      for (const QString& t : FromSecret(r.tags).split(QChar(0x1f), Qt::SkipEmptyParts))
        if (!tags.contains(t)) tags.append(t);
    }
    tags.sort();
    all_tags_ = tags;
  }
  emit casesChanged();
}

QString Desk::Waiting(const cli::CaseStore::Row& row) const {
  if (row.threshold == 0 || row.held >= row.threshold || !bundle_) return {};
  const uint64_t missing = row.threshold - row.held;
  QStringList ask;
  for (const auto& name : investigator::WhoToAsk(*bundle_, me_, row)) ask.append(Iso(name));
  const QString names = ask.join(rightToLeft() ? QStringLiteral(" یا ") : QStringLiteral(" or "));
  return missing == 1 ? tr("needs one more share: ask %1").arg(names)
                      : tr("needs %1 more shares: ask %2")
                            .arg(number(static_cast<double>(missing)))
                            .arg(names);
}

void Desk::StopReader() {
  ++reading_;  // a result still on its way is for an earlier reading: dropped
  cancel_read_ = true;
  if (reader_.joinable()) reader_.join();
  cancel_read_ = false;
}

void Desk::read(const QString& id) {
  if (locked()) return;
  closeTestimony();
  emit testimonyChosen();
  current_id_ = id;
  auto parsed = investigator::ParseEnvelopeId(id.toStdString());
  if (!parsed.ok()) {
    current_error_ = FromUtf8(parsed.status().message());
    emit currentChanged();
    return;
  }
  auto found = store_->Find(*parsed);
  if (found.ok() && *found) {
    current_state_ = FromUtf8((*found)->state);
    current_received_ = date(static_cast<double>((*found)->received_hour));
  }
  RefreshCurrent();
  // Decrypted on a thread of its own: a testimony of gigabytes keeps the window (and the idle
  // lock) answering, and choosing another stops it.
  const uint64_t reading = reading_;
  const Digest32 envelope = *parsed;
  opening_ = true;
  emit currentChanged();
  reader_ = std::thread([this, reading, envelope] {
    investigator::Hooks hooks;
    hooks.cancelled = [this] { return cancel_read_.load(); };
    auto r = std::make_shared<Result<investigator::ReadTestimony>>(investigator::Read(
        *store_, envelope, Keys(), investigator::ReadLimits{}, store_path_.toStdString(), hooks));
    QMetaObject::invokeMethod(
        this,
        [this, reading, r] {
          if (reading != reading_) return;  // wiped with r
          opening_ = false;
          if (!r->ok()) {
            const auto code = r->status().code();
            current_error_ =
                current_state_ == QLatin1String("tampered")
                    ? tr("This testimony did not match its id when it was synced: it was "
                         "tampered with on the way, and it is not opened.")
                : code == ErrorCode::kNotEnoughKeys
                    ? tr("This testimony needs more key shares than you hold. Ask a colleague "
                         "to release theirs, then sync.")
                    : FromUtf8(r->status().message());
          } else {
            current_ = std::move(*r).value();
          }
          RefreshCurrent();
        },
        Qt::QueuedConnection);
  });
  touch();
}

void Desk::RefreshCurrent() {
  if (locked() || current_id_.isEmpty()) {
    emit currentChanged();
    return;
  }
  auto parsed = investigator::ParseEnvelopeId(current_id_.toStdString());
  if (!parsed.ok()) return;
  auto d = investigator::Details(*store_, *parsed, store_path_.toStdString());
  annotations_.clear();
  custody_.clear();
  if (d.ok()) {
    current_state_ = FromUtf8(d->envelope.state);
    for (const auto& a : d->annotations)
      annotations_.append(QVariantMap{{QStringLiteral("at"), date(static_cast<double>(a.at))},
                                      {QStringLiteral("kind"), FromUtf8(a.kind)},
                                      {QStringLiteral("text"), FromSecret(a.text)}});
    for (const auto& c : d->custody)
      custody_.append(QVariantMap{{QStringLiteral("at"), date(static_cast<double>(c.at))},
                                  {QStringLiteral("who"), FromUtf8(c.investigator)},
                                  {QStringLiteral("event"), FromUtf8(c.event)}});
  }
  emit currentChanged();
}

void Desk::closeTestimony() {
  // Wiped before the reader is waited for: it works on copies of its own, never on these.
  current_.reset();  // wipes the text and every attachment held
  images_->Clear();
  StopReader();
  opening_ = false;
  closePreview();
  current_id_.clear();
  current_state_.clear();
  current_error_.clear();
  current_received_.clear();
  annotations_.clear();
  custody_.clear();
  emit currentChanged();
}

QString Desk::currentText() const { return current_ ? FromSecret(current_->text) : QString(); }

bool Desk::currentRightToLeft() const {
  if (!current_) return rightToLeft();
  // The witness's language when given; otherwise the text's first strong letter.
  const QString lang = FromSecret(current_->language);
  if (lang == QLatin1String("fa") || lang == QLatin1String("ar")) return true;
  if (!lang.isEmpty()) return false;
  return currentText().isRightToLeft();
}

QString Desk::currentLanguage() const {
  return current_ ? FromSecret(current_->language) : QString();
}
QString Desk::currentWhen() const { return current_ ? FromSecret(current_->event_time) : ""; }
QString Desk::currentWhere() const { return current_ ? FromSecret(current_->event_place) : ""; }

bool Desk::consentAsked() const { return current_ && current_->opened.consent.has_value(); }

QStringList Desk::consent() const {
  if (!current_ || !current_->opened.consent) return {};
  return FromUtf8(*current_->opened.consent).split(QStringLiteral(", "), Qt::SkipEmptyParts);
}

QVariantList Desk::attachments() const {
  QVariantList out;
  if (!current_) return out;
  for (size_t i = 0; i < current_->attachments.size(); ++i) {
    const auto& a = current_->attachments[i];
    const QString name = FromSecret(a.name), type = FromSecret(a.media_type);
    out.append(QVariantMap{{QStringLiteral("index"), static_cast<int>(i)},
                           {QStringLiteral("name"), name},
                           {QStringLiteral("type"), type},
                           {QStringLiteral("size"), size(static_cast<double>(a.size))},
                           {QStringLiteral("held"), a.held},
                           {QStringLiteral("kind"), PreviewKindOf(type, name)}});
  }
  return out;
}

void Desk::preview(int attachment) {
  closePreview();
  if (!current_ || attachment < 0 || attachment >= static_cast<int>(current_->attachments.size()))
    return;
  const auto& a = current_->attachments[static_cast<size_t>(attachment)];
  const QString name = FromSecret(a.name), type = FromSecret(a.media_type);
  preview_name_ = name;
  const QString kind = PreviewKindOf(type, name);
  if (!a.held) {
    preview_error_ = tr("Too large to preview from memory: export the testimony to see it.");
  } else if (kind == QLatin1String("text")) {
    // Text is shown as text: nothing to decode but UTF-8, at most 1 MiB of it.
    const size_t n = std::min<size_t>(a.bytes.size(), size_t{1} << 20);
    preview_text_ =
        QString::fromUtf8(reinterpret_cast<const char*>(a.bytes.data()), static_cast<qsizetype>(n));
  } else if (kind == QLatin1String("image") || kind == QLatin1String("pdf")) {
    // Decoded by the previewer process, waited for on the reader's thread with bytes of its
    // own: closing the testimony meanwhile stops it and wipes nothing it still reads.
    StopReader();
    const uint64_t reading = reading_;
    auto bytes = std::make_shared<SecretBuffer>(SecretBuffer::CopyOf(a.bytes.span()));
    const PreviewKind k = kind == QLatin1String("pdf") ? PreviewKind::kPdf : PreviewKind::kImage;
    const QString program = preview_program_;
    previewing_ = true;
    reader_ = std::thread([this, reading, bytes, k, program] {
      auto p =
          std::make_shared<Preview>(RenderInChild(program, k, bytes->span(), 30000, &cancel_read_));
      QMetaObject::invokeMethod(
          this,
          [this, reading, p] {
            if (reading != reading_) return;
            previewing_ = false;
            if (p->error.isEmpty()) {
              preview_pages_ = static_cast<int>(p->pages.size());
              images_->Set(std::move(p->pages));
            } else {
              preview_error_ =
                  tr("This file could not be previewed: export the testimony to see it.");
            }
            emit previewChanged();
          },
          Qt::QueuedConnection);
    });
  } else {
    preview_error_ = tr("This kind of file is not previewed: export the testimony to see it.");
  }
  emit previewChanged();
  touch();
}

void Desk::closePreview() {
  if (previewing_) StopReader();
  previewing_ = false;
  images_->Clear();
  ++preview_serial_;
  preview_pages_ = 0;
  preview_text_.clear();
  preview_error_.clear();
  preview_name_.clear();
  emit previewChanged();
}

bool Desk::Annotate(const std::string& kind, const QString& text, const QString& done) {
  if (locked() || current_id_.isEmpty()) return false;
  auto id = investigator::ParseEnvelopeId(current_id_.toStdString());
  const SecretBuffer t = ToSecret(text.trimmed());
  const Status st = id.ok()
                        ? investigator::Annotate(*store_, *id, kind, t, store_path_.toStdString())
                        : id.status();
  Say(st.ok() ? done : Iso(st.message()), !st.ok());
  RefreshCurrent();
  RefreshList();
  return st.ok();
}

bool Desk::addNote(const QString& text) { return Annotate("note", text, tr("Note kept.")); }

bool Desk::addTag(const QString& text) { return Annotate("tag", text, tr("Tag added.")); }

QVariantList Desk::colleagues() const {
  QVariantList out;
  if (!bundle_) return out;
  for (const auto& inv : bundle_->contents().investigators) {
    const std::string f = FingerprintToText(inv.fingerprint());
    if (f == me_) continue;
    out.append(QVariantMap{{QStringLiteral("name"), FromUtf8(inv.name)},
                           {QStringLiteral("fingerprint"), FromUtf8(f)}});
  }
  return out;
}

void Desk::prepareRelease(int colleague) {
  cancelRelease();
  if (locked() || current_id_.isEmpty() || !bundle_) return;
  const InvestigatorPublicKey* to = nullptr;
  int i = 0;
  for (const auto& inv : bundle_->contents().investigators) {
    if (FingerprintToText(inv.fingerprint()) == me_) continue;
    if (i++ == colleague) to = &inv;
  }
  if (to == nullptr) return;
  auto id = investigator::ParseEnvelopeId(current_id_.toStdString());
  if (!id.ok()) return;
  auto prepared = investigator::PrepareRelease(*store_, *id, *key_, key_path_.toStdString(),
                                               *bundle_, *to, to->name, store_path_.toStdString());
  if (!prepared.ok()) {
    Say(FromUtf8(prepared.status().message()), true);
    return;
  }
  pending_release_ = std::move(prepared).value();
  // Which testimony and to whom, in full, before anything is sent.
  pending_release_text_ =
      tr("Release your key share of testimony %1 (received %2) to %3, fingerprint %4? With it "
         "and their own share, %3 can read this testimony.")
          .arg(Iso(current_id_))
          .arg(date(static_cast<double>(pending_release_->envelope.received_hour)))
          .arg(Iso(to->name))
          .arg(Iso(FingerprintToText(to->fingerprint())));
  emit releaseChanged();
  touch();
}

void Desk::confirmRelease() {
  if (!pending_release_ || locked()) return;
  const Status st =
      investigator::Release(*pending_release_, *key_, *bundle_, *store_, store_path_.toStdString());
  const QString to = Iso(pending_release_->to.name);
  cancelRelease();
  Say(st.ok() ? tr("Your share was released to %1.").arg(to) : Iso(st.message()), !st.ok());
  RefreshCurrent();
}

void Desk::cancelRelease() {
  pending_release_.reset();
  pending_release_text_.clear();
  emit releaseChanged();
}

bool Desk::reply(const QString& text) {
  if (locked() || current_id_.isEmpty()) return false;
  auto id = investigator::ParseEnvelopeId(current_id_.toStdString());
  if (!id.ok()) return false;
  const SecretBuffer t = ToSecret(text);
  auto prepared = investigator::PrepareReply(*store_, *id, t, store_path_.toStdString());
  Status st = prepared.status();
  if (prepared.ok()) {
    auto sent =
        investigator::SendReply(*prepared, *key_, *bundle_, *store_, store_path_.toStdString());
    st = sent.status();
  }
  Say(st.ok() ? tr("Reply left in the witness's mailbox.") : Iso(st.message()), !st.ok());
  RefreshCurrent();
  RefreshList();
  return st.ok();
}

bool Desk::markForDeletion() {
  if (locked() || current_id_.isEmpty()) return false;
  auto id = investigator::ParseEnvelopeId(current_id_.toStdString());
  if (!id.ok()) return false;
  auto r = investigator::MarkDelete(*bundle_, *key_, *id);
  if (r.ok()) {
    const Status st = store_->Record(*id, me_,
                                     "marked for deletion (" + std::to_string(r->marks) + " of " +
                                         std::to_string(r->threshold) + ")",
                                     "", NowUnix());
    (void)st;  // the server holds the mark; the custody line is the desk's own record
  }
  Say(r.ok() ? (r->deleted ? tr("Marked for deletion: the server deleted it.")
                           : tr("Marked for deletion: %1 of %2 investigators agree.")
                                 .arg(number(static_cast<double>(r->marks)))
                                 .arg(number(static_cast<double>(r->threshold))))
             : FromUtf8(r.status().message()),
      !r.ok());
  RefreshCurrent();
  return r.ok();
}

bool Desk::needsReason(const QString& use) const {
  if (!current_) return true;
  return !investigator::ConsentAllows(current_->opened.consent, use.toStdString());
}

void Desk::exportPackage(const QString& folder, const QString& use, const QString& reason) {
  if (locked() || busy() || current_id_.isEmpty()) return;
  auto id = investigator::ParseEnvelopeId(current_id_.toStdString());
  if (!id.ok()) return;
  const std::string out = LocalPath(folder);
  investigator::ExportUse u{use.toStdString(), reason.simplified().toStdString()};
  const Digest32 envelope = *id;
  const uint64_t session = session_;
  RunInBackground(
      QStringLiteral("export"), [this, envelope, out, u, session, hooks = HooksForWork()] {
        const Status st = investigator::Export(*store_, envelope, Keys(), out,
                                               store_path_.toStdString(), hooks, &u);
        QMetaObject::invokeMethod(
            this,
            [this, session, st, out] {
              const QString status = st.ok() ? tr("Evidence package written to %1.").arg(Iso(out))
                                             : tr("Export failed: %1").arg(Iso(st.message()));
              Finished(session, [status] { return status; });
              if (session == session_) Say(status, !st.ok());
            },
            Qt::QueuedConnection);
      });
}

void Desk::verifyPackage(const QString& folder) {
  if (locked()) return;
  const std::string dir = LocalPath(folder);
  auto v = investigator::VerifyExport(dir, bundle_.get(), "the organisation's bundle");
  verify_lines_.clear();
  if (!v.ok()) {
    verify_result_ = QStringLiteral("refused");
    verify_lines_.append(FromUtf8(v.status().message()));
  } else if (!v->problems.empty()) {
    verify_result_ = QStringLiteral("refused");
    for (const auto& p : v->problems) verify_lines_.append(Iso(p));
  } else {
    verify_result_ = QStringLiteral("verified");
    verify_lines_.append(
        tr("Testimony %1 is exactly what was sealed in its envelope.").arg(Iso(v->envelope_id)));
    verify_lines_.append(
        v->in_log ? tr("The server's log holds it as entry %1, received in the hour from %2.")
                        .arg(number(static_cast<double>(v->log_index)))
                        .arg(date(static_cast<double>(v->received_hour)))
                  : tr("The server promised to log it by %1.")
                        .arg(date(static_cast<double>(v->promised_by))));
    verify_lines_.append(tr("Exported by %1 (%2) on %3, an investigator of %4.")
                             .arg(Iso(v->signer_name))
                             .arg(Iso(v->signer_fingerprint))
                             .arg(date(static_cast<double>(v->exported_at)))
                             .arg(Iso(v->organisation)));
  }
  emit verifyChanged();
  touch();
}

QString Desk::number(double value) const { return LocalNumber(rightToLeft(), value); }

QString Desk::size(double bytes) const { return LocalSize(rightToLeft(), bytes); }

// Short months in English, and no "(UTC)" in Persian: the list's rows are narrow.
QString Desk::date(double unix_seconds) const {
  return LocalDate(rightToLeft(), unix_seconds, QStringLiteral("MMM"), QString());
}

}  // namespace gavah::app
