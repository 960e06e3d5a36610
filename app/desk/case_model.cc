#include "case_model.h"

#include "gavah/crypto/hex.h"

namespace gavah::app {

void CaseListModel::Reset(std::vector<cli::CaseStore::Row> rows) {
  beginResetModel();
  rows_ = std::move(rows);
  endResetModel();
  emit countChanged();
}

void CaseListModel::Refresh() {
  dates_.clear();
  if (!rows_.empty()) emit dataChanged(index(0), index(count() - 1));
}

const cli::CaseStore::Row* CaseListModel::At(int row) const {
  return row >= 0 && row < count() ? &rows_[static_cast<size_t>(row)] : nullptr;
}

int CaseListModel::rowCount(const QModelIndex& parent) const {
  return parent.isValid() ? 0 : count();
}

QVariant CaseListModel::data(const QModelIndex& index, int role) const {
  const cli::CaseStore::Row* r = At(index.row());
  if (r == nullptr) return {};
  const auto text = [](std::string_view s) {
    return QString::fromUtf8(s.data(), static_cast<qsizetype>(s.size()));
  };
  switch (role) {
    case kId:
      return text(ToHex(r->envelope.id));
    case kShortId:
      return text(ToHex(r->envelope.id).substr(0, 12));
    case kState:
      return text(r->envelope.state);
    case kTags: {
      QString tags = QString::fromUtf8(reinterpret_cast<const char*>(r->tags.data()),
                                       static_cast<qsizetype>(r->tags.size()));
      tags.replace(QChar(0x1f), QStringLiteral(", "));
      return tags;
    }
    case kReceived: {
      // Thousands of rows share a few hundred hours: each is written out once.
      if (!formatting_.date) return QString();
      auto it = dates_.find(r->envelope.received_hour);
      if (it == dates_.end())
        it = dates_.emplace(r->envelope.received_hour, formatting_.date(r->envelope.received_hour))
                 .first;
      return it->second;
    }
    case kSize:
      return formatting_.size ? formatting_.size(r->envelope.size) : QString();
    case kLanguage:
      return text(r->language);
    case kOpened:
      return r->indexed;
    case kWaiting:
      return r->threshold != 0 && formatting_.waiting ? formatting_.waiting(*r) : QString();
    case kAttachments:
      return static_cast<int>(r->attachments);
    case kConsent:
      return r->consent ? text(*r->consent) : QString();
  }
  return {};
}

QHash<int, QByteArray> CaseListModel::roleNames() const {
  return {{kId, "envelopeId"},     {kShortId, "shortId"},
          {kState, "state"},       {kTags, "tags"},
          {kReceived, "received"}, {kSize, "size"},
          {kLanguage, "lang"},     {kOpened, "opened"},
          {kWaiting, "waiting"},   {kAttachments, "attachments"},
          {kConsent, "consent"}};
}

}  // namespace gavah::app
