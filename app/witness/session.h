// What the witness app's screens see of the witness library: one testimony being prepared, the
// organisation it is for, and the outbox, receipts and replies. Long operations run on a thread
// of their own and report back on the GUI thread through signals.
#pragma once

#include <QObject>
#include <QString>
#include <QStringList>
#include <QUrl>
#include <QVariantList>
#include <atomic>
#include <memory>
#include <optional>
#include <thread>

#include "witness.h"

namespace gavah::app {

class Session : public QObject {
  Q_OBJECT
  // "fa" or "en". Setting it reloads the translations and mirrors the layout.
  Q_PROPERTY(QString language READ language WRITE setLanguage NOTIFY languageChanged)
  Q_PROPERTY(bool rightToLeft READ rightToLeft NOTIFY languageChanged)

  // The organisation.
  Q_PROPERTY(bool hasBundle READ hasBundle NOTIFY bundleChanged)
  Q_PROPERTY(bool builtInBundle READ builtInBundle NOTIFY bundleChanged)
  Q_PROPERTY(QString organisationName READ organisationName NOTIFY bundleChanged)
  // The organisation key's fingerprint in groups of four, for comparing by eye.
  Q_PROPERTY(QString fingerprint READ fingerprint NOTIFY bundleChanged)
  // "first-use", "pinned", "unnamed" or "" (no bundle).
  Q_PROPERTY(QString trust READ trust NOTIFY bundleChanged)
  // Why the last bundle was refused: "mismatch", "expired", "older", "damaged" or "".
  Q_PROPERTY(QString bundleRefusal READ bundleRefusal NOTIFY bundleChanged)
  Q_PROPERTY(QString bundleRefusalDetail READ bundleRefusalDetail NOTIFY bundleChanged)
  Q_PROPERTY(bool fingerprintConfirmed READ fingerprintConfirmed NOTIFY bundleChanged)

  // The attachments, each a map: name, size (bytes), format, findings (list of maps: kind,
  // field, value), canClean, clean (the witness's choice), note, error.
  Q_PROPERTY(QVariantList attachments READ attachments NOTIFY attachmentsChanged)
  // True while a file just added is still being examined (on a thread of its own, so that the
  // window, and "leave quickly", stay responsive); nothing can be sealed until it is done.
  Q_PROPERTY(bool examining READ examining NOTIFY attachmentsChanged)

  Q_PROPERTY(bool hasCodename READ hasCodename NOTIFY codenameChanged)
  // True while the reply key is derived from a confirmed codename (Argon2id: about a second, on
  // a thread of its own so that the window keeps answering).
  Q_PROPERTY(bool derivingCodename READ derivingCodename NOTIFY codenameChanged)

  // Keep nothing on this device: no pins, no outbox, no receipts.
  Q_PROPERTY(bool amnesic READ amnesic WRITE setAmnesic NOTIFY amnesicChanged)

  // Sending.
  Q_PROPERTY(bool busy READ busy NOTIFY busyChanged)
  Q_PROPERTY(double sentBytes READ sentBytes NOTIFY progressChanged)
  Q_PROPERTY(double totalBytes READ totalBytes NOTIFY progressChanged)
  Q_PROPERTY(int secondsLeft READ secondsLeft NOTIFY progressChanged)
  // "", "working" (the server asks for proof of work) or "waiting" (before a new try).
  Q_PROPERTY(QString phase READ phase NOTIFY progressChanged)
  // The last outcome: "delivered", "queued", "outbox", "lost", "saved", "refused" or "".
  Q_PROPERTY(QString outcome READ outcome NOTIFY outcomeChanged)
  Q_PROPERTY(QString outcomeDetail READ outcomeDetail NOTIFY outcomeChanged)
  Q_PROPERTY(QString envelopeId READ envelopeId NOTIFY outcomeChanged)
  Q_PROPERTY(QString includeByDate READ includeByDate NOTIFY outcomeChanged)
  Q_PROPERTY(QString receivedDate READ receivedDate NOTIFY outcomeChanged)

  // Each a map: id, size. And the receipts: id, includeBy, received.
  Q_PROPERTY(QVariantList outbox READ outbox NOTIFY outboxChanged)
  Q_PROPERTY(QVariantList receipts READ receipts NOTIFY outboxChanged)

  // Each a map: seq, text. repliesState: "", "fetching", "done", "pending", "failed",
  // "badcodename".
  Q_PROPERTY(QVariantList replies READ replies NOTIFY repliesChanged)
  Q_PROPERTY(QString repliesState READ repliesState NOTIFY repliesChanged)
  Q_PROPERTY(QString repliesDetail READ repliesDetail NOTIFY repliesChanged)

 public:
  explicit Session(QObject* parent = nullptr);
  ~Session() override;

  QString language() const { return language_; }
  void setLanguage(const QString& language);
  bool rightToLeft() const { return language_ == QLatin1String("fa"); }

  bool hasBundle() const { return bundle_ != nullptr; }
  bool builtInBundle() const { return built_in_; }
  QString organisationName() const;
  QString fingerprint() const;
  QString trust() const { return trust_; }
  QString bundleRefusal() const { return refusal_; }
  QString bundleRefusalDetail() const { return refusal_detail_; }
  bool fingerprintConfirmed() const { return confirmed_; }
  QVariantList attachments() const;
  bool examining() const;
  bool hasCodename() const { return reply_key_.has_value(); }
  bool derivingCodename() const { return deriving_ != 0; }
  bool amnesic() const { return amnesic_; }
  void setAmnesic(bool on);
  bool busy() const { return busy_; }
  double sentBytes() const { return static_cast<double>(sent_); }
  double totalBytes() const { return static_cast<double>(total_); }
  int secondsLeft() const { return seconds_left_; }
  QString phase() const { return phase_; }
  QString outcome() const { return outcome_; }
  QString outcomeDetail() const { return outcome_detail_; }
  QString envelopeId() const { return envelope_id_; }
  QString includeByDate() const { return include_by_; }
  QString receivedDate() const { return received_; }
  QVariantList outbox() const { return outbox_; }
  QVariantList receipts() const { return receipts_; }
  QVariantList replies() const { return replies_; }
  QString repliesState() const { return replies_state_; }
  QString repliesDetail() const { return replies_detail_; }

  // A bundle file the witness chose. False, with bundleRefusal set, when refused.
  Q_INVOKABLE bool openBundle(const QUrl& file);
  // The same, for a path typed by the witness (any character, '#' and '%' included).
  Q_INVOKABLE bool openBundlePath(const QString& path);
  // The witness compared the fingerprint with the published one: pin it (not when amnesic).
  Q_INVOKABLE bool confirmFingerprint();

  Q_INVOKABLE void addAttachment(const QUrl& file);
  Q_INVOKABLE void addAttachmentPath(const QString& path);
  Q_INVOKABLE void removeAttachment(int index);
  Q_INVOKABLE void setCleanCopy(int index, bool clean);

  // A new codename, shown once. "fa" or "en" words.
  Q_INVOKABLE QString makeCodename(const QString& words);
  // True when `typed` is the codename just made (normalised as the protocol says); the codename
  // is then forgotten, and its reply key, derived on a thread, kept for the testimony
  // (hasCodename once it is ready).
  Q_INVOKABLE bool confirmCodename(const QString& typed);
  Q_INVOKABLE void forgetCodename();

  // Seals and sends (route "direct" or "tor", with `proxy` for Tor), or seals to `file`
  // (route "file"). `consent`: the permission tokens chosen.
  Q_INVOKABLE void send(const QString& text, const QString& textLanguage, const QString& when,
                        const QString& where, const QStringList& consent, const QString& route,
                        const QString& proxy, const QUrl& file);
  Q_INVOKABLE void cancel();

  Q_INVOKABLE void refreshOutbox();
  Q_INVOKABLE void retryOutbox(const QString& route, const QString& proxy);

  Q_INVOKABLE void fetchReplies(const QString& codename, const QString& route,
                                const QString& proxy);

  // Numbers and dates as the language writes them: Persian digits and the Solar Hijri calendar
  // in Persian, the Gregorian calendar in English.
  Q_INVOKABLE QString number(double value) const;
  Q_INVOKABLE QString size(double bytes) const;
  Q_INVOKABLE QString date(double unix_seconds) const;

  // Forgets the testimony being prepared and closes the application at once.
  Q_INVOKABLE void leaveQuickly();
  // Forgets the testimony being prepared (after it was sent, or on request).
  Q_INVOKABLE void clearTestimony();

  // A sentence of the metadata library in the window's language.
  QString NoteText(const std::string& note) const;
  // For an organisation's own build: the bundle in the resources (-DGAVAH_APP_BUNDLE), if any;
  // `path` is a Qt resource path or, for the tests, a file standing in for it.
  void LoadBuiltInBundle(const QString& path = QStringLiteral(":/bundle/org.bundle"));

 signals:
  void languageChanged();
  void bundleChanged();
  void attachmentsChanged();
  void codenameChanged();
  void amnesicChanged();
  void busyChanged();
  void progressChanged();
  void outcomeChanged();
  void outboxChanged();
  void repliesChanged();

 private:
  struct Attachment {
    QString path, name, format, note, error;
    qint64 size = 0;
    bool can_clean = false, clean = false;
    bool examining = true;
    uint64_t token = 0;  // matches an examination's result to its entry
    QVariantList findings;
  };
  bool AcceptBundle(Result<RecipientBundle> bundle, bool built_in);
  // The outcome "refused" with `why`, for an operation that could not start.
  void RefuseToStart(const QString& why);
  void Refuse(const QString& why, const QString& detail);
  witness::Connection ConnectionFor(const QString& route, const QString& proxy) const;
  witness::Hooks HooksForWork();
  void RunInBackground(std::function<void()> work);
  void SetBusy(bool busy);

  QString language_;
  // Shared with the worker thread, which keeps its own reference: a bundle opened while it
  // works replaces this one without pulling the ground from under it.
  std::shared_ptr<const RecipientBundle> bundle_;
  bool built_in_ = false;
  QString trust_, refusal_, refusal_detail_;
  bool confirmed_ = false;
  std::vector<Attachment> attachments_;
  std::optional<SecretBuffer> pending_codename_;
  uint64_t deriving_ = 0;  // the derivation under way (its number), or 0
  uint64_t derivations_ = 0;
  std::optional<PublicKey32> reply_key_;
  std::optional<xwing::PublicKey> reply_xwing_key_;  // set and cleared with reply_key_
  bool amnesic_ = false;
  bool busy_ = false;
  uint64_t sent_ = 0, total_ = 0;
  int seconds_left_ = -1;
  QString phase_;
  QString outcome_, outcome_detail_, envelope_id_, received_;
  QString include_by_;  // the hour the receipt promises the log holds the testimony by
  QVariantList outbox_, receipts_, replies_;
  QString replies_state_, replies_detail_;
  std::atomic<bool> cancel_{false};
  std::thread worker_;
  std::vector<std::thread> examiners_;
  uint64_t next_token_ = 1;
};

}  // namespace gavah::app
