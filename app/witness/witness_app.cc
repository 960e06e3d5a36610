#include "witness_app.h"

#include <QFont>
#include <QGuiApplication>
#include <QQmlContext>
#include <QQuickStyle>
#include <QQuickWindow>

namespace gavah::app {

bool WitnessApp::Start() {
  // No compiled-QML cache under ~/.cache: in "keep nothing on this device" mode the app should
  // leave no more traces than the binary itself. Set here, before any QML is loaded, so that the
  // GUI tests run the app exactly as main() does.
  qputenv("QML_DISABLE_DISK_CACHE", "1");
  // Basic: the one Quick Controls style that looks the same on every platform and mirrors fully
  // for right-to-left layouts.
  // Once per process, before any QML is loaded (a second window must not ask again).
  static const bool styled = [] {
    QQuickStyle::setStyle(QStringLiteral("Basic"));
    return true;
  }();
  (void)styled;
  ApplyLanguage();
  connect(&session_, &Session::languageChanged, this, &WitnessApp::ApplyLanguage);
  session_.LoadBuiltInBundle();
  session_.refreshOutbox();
  engine_.rootContext()->setContextProperty(QStringLiteral("session"), &session_);
  engine_.load(QUrl(QStringLiteral("qrc:/qml/Main.qml")));
  return window() != nullptr;
}

QQuickWindow* WitnessApp::window() const {
  const auto roots = engine_.rootObjects();
  return roots.isEmpty() ? nullptr : qobject_cast<QQuickWindow*>(roots.first());
}

void WitnessApp::ApplyLanguage() {
  const bool fa = session_.rightToLeft();
  if (translator_) QCoreApplication::removeTranslator(translator_.get());
  translator_ = std::make_unique<QTranslator>();
  if (translator_->load(fa ? QStringLiteral(":/i18n/gavah_witness_fa.qm")
                           : QStringLiteral(":/i18n/gavah_witness_en.qm")))
    QCoreApplication::installTranslator(translator_.get());
  QGuiApplication::setLayoutDirection(fa ? Qt::RightToLeft : Qt::LeftToRight);
  // Noto Sans Arabic (Debian's fonts-noto-core) draws Persian clearly at small sizes; Latin
  // letters and digits in mixed text come from Noto Sans. The size stays the system's.
  QFont font = QGuiApplication::font();
  font.setFamilies(fa ? QStringList{QStringLiteral("Noto Sans Arabic"), QStringLiteral("Noto Sans"),
                                    QStringLiteral("DejaVu Sans")}
                      : QStringList{QStringLiteral("Noto Sans"), QStringLiteral("DejaVu Sans"),
                                    QStringLiteral("Noto Sans Arabic")});
  QGuiApplication::setFont(font);
  engine_.retranslate();
}

}  // namespace gavah::app
