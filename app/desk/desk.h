// What the desk's screens see of the investigator library: one unlocked session (a key and a
// case store), the case list, and the testimony being read. Sync, open-all and export run on a
// thread of their own and report back on the GUI thread through signals; everything else is a
// step short enough for the GUI thread.
#pragma once

#include <QImage>
#include <QObject>
#include <QQuickImageProvider>
#include <QString>
#include <QStringList>
#include <QTimer>
#include <QVariantList>
#include <atomic>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <thread>

#include "case_model.h"
#include "investigator.h"

namespace gavah::app {

// Serves the pages of the attachment being previewed (image://preview/<n>), from memory.
class PreviewImages : public QQuickImageProvider {
 public:
  PreviewImages() : QQuickImageProvider(QQuickImageProvider::Image) {}
  QImage requestImage(const QString& id, QSize* size, const QSize& requested) override;
  void Set(std::vector<QImage> pages);
  void Clear() { Set({}); }

 private:
  std::mutex mu_;
  std::vector<QImage> pages_;
};

class Desk : public QObject {
  Q_OBJECT
  Q_PROPERTY(QString language READ language WRITE setLanguage NOTIFY languageChanged)
  Q_PROPERTY(bool rightToLeft READ rightToLeft NOTIFY languageChanged)

  // The session.
  Q_PROPERTY(bool locked READ locked NOTIFY lockedChanged)
  // Why the last unlock failed: "", "key", "store", "bundle"; and the library's words.
  Q_PROPERTY(QString unlockError READ unlockError NOTIFY unlockErrorChanged)
  Q_PROPERTY(QString unlockDetail READ unlockDetail NOTIFY unlockErrorChanged)
  Q_PROPERTY(bool unlocking READ unlocking NOTIFY unlockErrorChanged)
  Q_PROPERTY(QString investigatorName READ investigatorName NOTIFY lockedChanged)
  Q_PROPERTY(QString organisationName READ organisationName NOTIFY lockedChanged)
  Q_PROPERTY(int idleMinutes READ idleMinutes WRITE setIdleMinutes NOTIFY idleChanged)

  // Long operations: "", "sync", "openAll", "export".
  Q_PROPERTY(QString operation READ operation NOTIFY busyChanged)
  Q_PROPERTY(bool busy READ busy NOTIFY busyChanged)
  Q_PROPERTY(double done READ done NOTIFY progressChanged)
  Q_PROPERTY(double total READ total NOTIFY progressChanged)
  // The last operation's outcome in words, and its warnings (testimony at risk).
  Q_PROPERTY(QString status READ status NOTIFY statusChanged)
  Q_PROPERTY(QStringList warnings READ warnings NOTIFY statusChanged)

  // The case list and its filters.
  Q_PROPERTY(QObject* cases READ cases CONSTANT)
  Q_PROPERTY(int totalCases READ totalCases NOTIFY casesChanged)
  Q_PROPERTY(QStringList allTags READ allTags NOTIFY casesChanged)

  // The testimony being read ("" none). currentError: why it could not be opened.
  Q_PROPERTY(QString currentId READ currentId NOTIFY currentChanged)
  Q_PROPERTY(QString currentState READ currentState NOTIFY currentChanged)
  Q_PROPERTY(QString currentError READ currentError NOTIFY currentChanged)
  // True while the testimony chosen is being decrypted.
  Q_PROPERTY(bool opening READ opening NOTIFY currentChanged)
  Q_PROPERTY(QString currentText READ currentText NOTIFY currentChanged)
  Q_PROPERTY(bool currentRightToLeft READ currentRightToLeft NOTIFY currentChanged)
  Q_PROPERTY(QString currentLanguage READ currentLanguage NOTIFY currentChanged)
  Q_PROPERTY(QString currentWhen READ currentWhen NOTIFY currentChanged)
  Q_PROPERTY(QString currentWhere READ currentWhere NOTIFY currentChanged)
  Q_PROPERTY(QString currentReceived READ currentReceived NOTIFY currentChanged)
  // The witness's consent: asked or not, and the tokens given.
  Q_PROPERTY(bool consentAsked READ consentAsked NOTIFY currentChanged)
  Q_PROPERTY(QStringList consent READ consent NOTIFY currentChanged)
  // Each a map: index, name, type, size, held, kind ("image", "pdf", "text", "other").
  Q_PROPERTY(QVariantList attachments READ attachments NOTIFY currentChanged)
  // Each a map: at, kind, text.
  Q_PROPERTY(QVariantList annotations READ annotations NOTIFY currentChanged)
  // Each a map: at, who, event.
  Q_PROPERTY(QVariantList custody READ custody NOTIFY currentChanged)
  // The colleagues of the bundle: each a map: name, fingerprint.
  Q_PROPERTY(QVariantList colleagues READ colleagues NOTIFY lockedChanged)

  // The attachment previewed: its pages (image://preview/<n>), or its text.
  Q_PROPERTY(int previewPages READ previewPages NOTIFY previewChanged)
  Q_PROPERTY(QString previewText READ previewText NOTIFY previewChanged)
  Q_PROPERTY(QString previewError READ previewError NOTIFY previewChanged)
  Q_PROPERTY(QString previewName READ previewName NOTIFY previewChanged)
  Q_PROPERTY(int previewSerial READ previewSerial NOTIFY previewChanged)

  // A share about to be released, for the investigator to confirm: "" none.
  Q_PROPERTY(QString pendingRelease READ pendingRelease NOTIFY releaseChanged)

  // The last package checked: "", "verified", "refused"; and what was found.
  Q_PROPERTY(QString verifyResult READ verifyResult NOTIFY verifyChanged)
  Q_PROPERTY(QStringList verifyLines READ verifyLines NOTIFY verifyChanged)

 public:
  explicit Desk(QObject* parent = nullptr);
  ~Desk() override;

  QString language() const { return language_; }
  void setLanguage(const QString& language);
  bool rightToLeft() const { return language_ == QLatin1String("fa"); }
  bool locked() const { return locking_ || !store_; }
  QString unlockError() const { return unlock_error_; }
  QString unlockDetail() const { return unlock_detail_; }
  bool unlocking() const { return unlocking_; }
  QString investigatorName() const;
  QString organisationName() const;
  int idleMinutes() const { return idle_minutes_; }
  void setIdleMinutes(int minutes);
  QString operation() const { return operation_; }
  bool busy() const { return !operation_.isEmpty(); }
  double done() const { return static_cast<double>(done_); }
  double total() const { return static_cast<double>(total_); }
  QString status() const { return status_; }
  QStringList warnings() const { return warnings_; }
  QObject* cases() { return &model_; }
  int totalCases() const { return total_cases_; }
  QStringList allTags() const { return all_tags_; }
  QString currentId() const { return current_id_; }
  QString currentState() const { return current_state_; }
  QString currentError() const { return current_error_; }
  bool opening() const { return opening_; }
  QString currentText() const;
  bool currentRightToLeft() const;
  QString currentLanguage() const;
  QString currentWhen() const;
  QString currentWhere() const;
  QString currentReceived() const { return current_received_; }
  bool consentAsked() const;
  QStringList consent() const;
  QVariantList attachments() const;
  QVariantList annotations() const { return annotations_; }
  QVariantList custody() const { return custody_; }
  QVariantList colleagues() const;
  int previewPages() const { return preview_pages_; }
  QString previewText() const { return preview_text_; }
  QString previewError() const { return preview_error_; }
  QString previewName() const { return preview_name_; }
  int previewSerial() const { return preview_serial_; }
  QString pendingRelease() const { return pending_release_text_; }
  QString verifyResult() const { return verify_result_; }
  QStringList verifyLines() const { return verify_lines_; }

  // One passphrase prompt each for the key file and the case store; an empty store passphrase
  // means the same as the key's. `bundlePath` is needed only before a store's first sync.
  Q_INVOKABLE void unlock(const QString& keyPath, const QString& storePath,
                          const QString& keyPassphrase, const QString& storePassphrase,
                          const QString& bundlePath);
  // Forgets the key, closes the store and clears every screen.
  Q_INVOKABLE void lock();
  // Any input from the investigator: the idle lock starts over.
  Q_INVOKABLE void touch();

  Q_INVOKABLE void sync();
  Q_INVOKABLE void openAll();
  Q_INVOKABLE void cancel();

  // The list again with these filters: text as typed, state ("" any), tag ("" any), dates as
  // YYYY-MM-DD ("" open-ended).
  Q_INVOKABLE void filter(const QString& text, const QString& state, const QString& tag,
                          const QString& from, const QString& to);

  Q_INVOKABLE void read(const QString& id);
  Q_INVOKABLE void closeTestimony();
  Q_INVOKABLE void preview(int attachment);
  Q_INVOKABLE void closePreview();

  Q_INVOKABLE bool addNote(const QString& text);
  Q_INVOKABLE bool addTag(const QString& text);
  Q_INVOKABLE void prepareRelease(int colleague);
  Q_INVOKABLE void confirmRelease();
  Q_INVOKABLE void cancelRelease();
  Q_INVOKABLE bool reply(const QString& text);
  Q_INVOKABLE bool markForDeletion();
  // `use`: a consent token; `reason`: required when the witness did not consent to it.
  Q_INVOKABLE bool needsReason(const QString& use) const;
  Q_INVOKABLE void exportPackage(const QString& folder, const QString& use, const QString& reason);
  Q_INVOKABLE void verifyPackage(const QString& folder);

  // Numbers and dates as the language writes them (Persian digits and the Solar Hijri calendar
  // in Persian).
  Q_INVOKABLE QString number(double value) const;
  Q_INVOKABLE QString size(double bytes) const;
  Q_INVOKABLE QString date(double unix_seconds) const;

  PreviewImages* previewImages() { return images_; }
  // Who decodes previews: gavah-desk itself, run with --preview.
  void SetPreviewProgram(const QString& program) { preview_program_ = program; }
  // The idle time in milliseconds (idleMinutes sets it in minutes; the tests in less).
  void SetIdleInterval(int ms) {
    idle_ms_ = ms;
    touch();
  }
  // The case store's path, for the tests.
  QString storePath() const { return store_path_; }

 signals:
  void languageChanged();
  void lockedChanged();
  void unlockErrorChanged();
  void idleChanged();
  void busyChanged();
  void progressChanged();
  void statusChanged();
  void casesChanged();
  void currentChanged();
  void previewChanged();
  void releaseChanged();
  void verifyChanged();
  // An action on the testimony succeeded or failed, in words, for the window to announce.
  void said(const QString& text, bool failed);
  // Another testimony was chosen: what was said of the last one no longer applies.
  void testimonyChosen();

 private:
  investigator::Hooks HooksForWork();
  void RunInBackground(const QString& operation, std::function<void()> work);
  // A job's end, in the session it started in; `status` is said on the window's thread.
  void Finished(uint64_t session, const std::function<QString()>& status);
  // Stops the reading or preview under way and drops its result.
  void StopReader();
  void RefreshList(bool totals = true);
  void RefreshCurrent();  // annotations, custody, state of the testimony being read
  std::vector<investigator::KeyRef> Keys() const;
  QString Waiting(const cli::CaseStore::Row& row) const;
  QString Text(const std::string& s) const;
  void Say(const QString& text, bool failed) { emit said(text, failed); }
  // A note or a tag on the testimony being read; `done` is said when it is kept.
  bool Annotate(const std::string& kind, const QString& text, const QString& done);

  QString language_;
  int idle_minutes_ = 10;
  int idle_ms_ = 10 * 60 * 1000;
  QTimer idle_;

  // The session: all of it forgotten by lock().
  std::unique_ptr<InvestigatorSecretKey> key_;
  std::unique_ptr<cli::CaseStore> store_;
  std::shared_ptr<const RecipientBundle> bundle_;
  QString key_path_, store_path_;
  std::string me_;  // the key's fingerprint
  QString unlock_error_, unlock_detail_;
  bool unlocking_ = false;
  bool locking_ = false;  // between lock()'s clearing the screen and its closing the store

  QString operation_;
  uint64_t done_ = 0, total_ = 0;
  QString status_;
  QStringList warnings_;
  std::atomic<bool> cancel_{false};
  std::thread worker_;
  // Counts lock(): a job's result that arrives from an earlier session is dropped.
  uint64_t session_ = 0;
  // Reading and previewing, on a thread of their own; reading_ counts them, as session_ does.
  std::thread reader_;
  std::atomic<bool> cancel_read_{false};
  uint64_t reading_ = 0;
  bool opening_ = false, previewing_ = false;

  CaseListModel model_;
  int total_cases_ = 0;
  QStringList all_tags_;
  investigator::CaseFilter filter_;

  QString current_id_, current_state_, current_error_, current_received_;
  std::optional<investigator::ReadTestimony> current_;
  QVariantList annotations_, custody_;

  PreviewImages* images_;  // owned by the QML engine once handed to it
  QString preview_program_;
  int preview_pages_ = 0;
  int preview_serial_ = 0;
  QString preview_text_, preview_error_, preview_name_;

  std::optional<investigator::ShareToRelease> pending_release_;
  QString pending_release_text_;

  QString verify_result_;
  QStringList verify_lines_;
};

}  // namespace gavah::app
