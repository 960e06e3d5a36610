// The desk without main(): its window, its translations and its session. The GUI tests create
// it in their own process exactly as main() does.
#pragma once

#include <QObject>
#include <QQmlAbstractUrlInterceptor>
#include <QQmlApplicationEngine>
#include <QTranslator>
#include <memory>

#include "desk.h"

class QQuickWindow;

namespace gavah::app {

// Lets the QML engine load only what ships with the desk (qrc:, Qt's own QML modules) and the
// preview's pages (image:): markup a sender slipped into a name can then fetch nothing from a
// network, which would tell an onlooker who reads that testimony, and when.
class LocalOnly : public QQmlAbstractUrlInterceptor {
 public:
  QUrl intercept(const QUrl& url, DataType type) override;
};

class DeskApp : public QObject {
  Q_OBJECT
 public:
  // Call after QGuiApplication exists. Loads the window; false if the interface cannot load.
  bool Start();
  Desk& desk() { return desk_; }
  QQuickWindow* window() const;
  QQmlApplicationEngine& engine() { return engine_; }

 protected:
  // Every key press and click restarts the idle lock.
  bool eventFilter(QObject* watched, QEvent* event) override;

 private:
  void ApplyLanguage();

  Desk desk_;
  LocalOnly local_only_;
  QQmlApplicationEngine engine_;
  std::unique_ptr<QTranslator> translator_;
};

}  // namespace gavah::app
