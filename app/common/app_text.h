// What the Qt front ends share: the window's language (translations, mirroring, fonts) and
// numbers, sizes and dates as that language writes them.
#pragma once

#include <QCalendar>
#include <QDateTime>
#include <QFont>
#include <QGuiApplication>
#include <QLocale>
#include <QQmlEngine>
#include <QTimeZone>
#include <QTranslator>
#include <memory>
#include <string_view>

#include "gavah/crypto/secret_buffer.h"

namespace gavah::app {

inline QString FromUtf8(std::string_view s) {
  return QString::fromUtf8(s.data(), static_cast<qsizetype>(s.size()));
}

// Text from the screen into secret memory. The QString it came from is the toolkit's; what this
// process keeps of it from here on is wiped.
inline SecretBuffer ToSecret(const QString& text) {
  QByteArray utf8 = text.toUtf8();
  SecretBuffer out = SecretBuffer::CopyOf(
      {reinterpret_cast<const uint8_t*>(utf8.constData()), static_cast<size_t>(utf8.size())});
  utf8.fill('\0');
  return out;
}

// Loads `<qm_prefix>fa.qm` or `<qm_prefix>en.qm` in place of `translator`, mirrors the layout
// for Persian and picks fonts that draw it clearly: Noto Sans Arabic (Debian's fonts-noto-core),
// with Latin letters and digits from Noto Sans; the size stays the system's.
inline void ApplyLanguage(bool fa, const QString& qm_prefix,
                          std::unique_ptr<QTranslator>& translator, QQmlEngine& engine) {
  if (translator) QCoreApplication::removeTranslator(translator.get());
  translator = std::make_unique<QTranslator>();
  if (translator->load(qm_prefix + (fa ? QStringLiteral("fa.qm") : QStringLiteral("en.qm"))))
    QCoreApplication::installTranslator(translator.get());
  QGuiApplication::setLayoutDirection(fa ? Qt::RightToLeft : Qt::LeftToRight);
  QFont font = QGuiApplication::font();
  font.setFamilies(fa ? QStringList{QStringLiteral("Noto Sans Arabic"), QStringLiteral("Noto Sans"),
                                    QStringLiteral("DejaVu Sans")}
                      : QStringList{QStringLiteral("Noto Sans"), QStringLiteral("DejaVu Sans"),
                                    QStringLiteral("Noto Sans Arabic")});
  QGuiApplication::setFont(font);
  engine.retranslate();
}

inline QLocale LocaleFor(bool fa) {
  return fa ? QLocale(QLocale::Persian, QLocale::Iran)
            : QLocale(QLocale::English, QLocale::UnitedKingdom);
}

// Persian digits in Persian.
inline QString LocalNumber(bool fa, double value) {
  return LocaleFor(fa).toString(static_cast<qlonglong>(value));
}

inline QString LocalSize(bool fa, double bytes) {
  return LocaleFor(fa).formattedDataSize(static_cast<qint64>(bytes), 1,
                                         QLocale::DataSizeTraditionalFormat);
}

// The Solar Hijri calendar in Persian, the Gregorian in English; UTC, to the minute. `month`
// is the month's format ("MMMM" in full, "MMM" short in English, where a list is narrow).
inline QString LocalDate(bool fa, double unix_seconds,
                         const QString& month = QStringLiteral("MMMM"),
                         const QString& utc_fa = QStringLiteral(" (UTC)")) {
  const QDateTime t =
      QDateTime::fromSecsSinceEpoch(static_cast<qint64>(unix_seconds), QTimeZone::utc());
  if (fa) {
    const QLocale l = LocaleFor(true);
    return l.toString(t.date(), QStringLiteral("d MMMM yyyy"),
                      QCalendar(QCalendar::System::Jalali)) +
           QStringLiteral("، ") + l.toString(t.time(), QStringLiteral("HH:mm")) + utc_fa;
  }
  const QLocale l = LocaleFor(false);
  return l.toString(t.date(), QStringLiteral("d ") + month + QStringLiteral(" yyyy")) +
         QStringLiteral(", ") + l.toString(t.time(), QStringLiteral("HH:mm")) +
         QStringLiteral(" UTC");
}

}  // namespace gavah::app
