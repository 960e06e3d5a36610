// The case list: one row per testimony of the case store, as ListCases gives them. Rows are
// formatted only when the view asks for them (a list of 10,000 draws some 30 at a time).
#pragma once

#include <QAbstractListModel>
#include <functional>
#include <map>
#include <vector>

#include "case_store.h"

namespace gavah::app {

class CaseListModel : public QAbstractListModel {
  Q_OBJECT
  Q_PROPERTY(int count READ count NOTIFY countChanged)

 public:
  enum Role {
    kId = Qt::UserRole + 1,
    kShortId,
    kState,
    kTags,
    kReceived,
    kSize,
    kLanguage,
    kOpened,
    kWaiting,
    kAttachments,
    kConsent,
  };
  // How a row's received hour, size and share state read in the window's language.
  struct Formatting {
    std::function<QString(uint64_t unix_seconds)> date;
    std::function<QString(uint64_t bytes)> size;
    std::function<QString(const cli::CaseStore::Row&)> waiting;
  };

  explicit CaseListModel(QObject* parent = nullptr) : QAbstractListModel(parent) {}
  void SetFormatting(Formatting f) { formatting_ = std::move(f); }
  void Reset(std::vector<cli::CaseStore::Row> rows);
  // After a change of language: every visible row again.
  void Refresh();
  int count() const { return static_cast<int>(rows_.size()); }
  const cli::CaseStore::Row* At(int row) const;

  int rowCount(const QModelIndex& parent = QModelIndex()) const override;
  QVariant data(const QModelIndex& index, int role) const override;
  QHash<int, QByteArray> roleNames() const override;

 signals:
  void countChanged();

 private:
  std::vector<cli::CaseStore::Row> rows_;
  Formatting formatting_;
  mutable std::map<uint64_t, QString> dates_;  // received hour, as the language writes it
};

}  // namespace gavah::app
