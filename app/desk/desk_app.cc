#include "desk_app.h"

#include <QEvent>
#include <QFont>
#include <QGuiApplication>
#include <QQmlContext>
#include <QQuickStyle>
#include <QQuickWindow>

#include "app_text.h"

namespace gavah::app {

QUrl LocalOnly::intercept(const QUrl& url, DataType) {
  const QString scheme = url.scheme();
  if (scheme == QLatin1String("qrc") || scheme == QLatin1String("file") ||
      scheme == QLatin1String("image") || scheme.isEmpty())
    return url;
  return QUrl(QStringLiteral("qrc:/desk/refused"));
}

bool DeskApp::Start() {
  // No compiled-QML cache under ~/.cache, as in the witness app: the desk leaves no more traces
  // than the binary.
  qputenv("QML_DISABLE_DISK_CACHE", "1");
  static const bool styled = [] {
    QQuickStyle::setStyle(QStringLiteral("Basic"));
    return true;
  }();
  (void)styled;
  ApplyLanguage();
  connect(&desk_, &Desk::languageChanged, this, &DeskApp::ApplyLanguage);
  engine_.addUrlInterceptor(&local_only_);
  engine_.addImageProvider(QStringLiteral("preview"), desk_.previewImages());
  engine_.rootContext()->setContextProperty(QStringLiteral("desk"), &desk_);
  engine_.load(QUrl(QStringLiteral("qrc:/desk/Main.qml")));
  QCoreApplication::instance()->installEventFilter(this);
  return window() != nullptr;
}

QQuickWindow* DeskApp::window() const {
  const auto roots = engine_.rootObjects();
  return roots.isEmpty() ? nullptr : qobject_cast<QQuickWindow*>(roots.first());
}

bool DeskApp::eventFilter(QObject* watched, QEvent* event) {
  switch (event->type()) {
    case QEvent::KeyPress:
    case QEvent::MouseButtonPress:
    case QEvent::Wheel:
      desk_.touch();
      break;
    default:
      break;
  }
  return QObject::eventFilter(watched, event);
}

void DeskApp::ApplyLanguage() {
  gavah::app::ApplyLanguage(desk_.rightToLeft(), QStringLiteral(":/i18n/gavah_desk_"), translator_,
                            engine_);
}

}  // namespace gavah::app
