#include "witness_app.h"

#include <QFont>
#include <QGuiApplication>
#include <QQmlContext>
#include <QQuickStyle>
#include <QQuickWindow>

#include "app_text.h"

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
  gavah::app::ApplyLanguage(session_.rightToLeft(), QStringLiteral(":/i18n/gavah_witness_"),
                            translator_, engine_);
}

}  // namespace gavah::app
