// The witness application without main(): its window, its translations and its session. The GUI
// tests create it in their own process exactly as main() does.
#pragma once

#include <QObject>
#include <QQmlApplicationEngine>
#include <QTranslator>
#include <memory>

#include "session.h"

class QQuickWindow;

namespace gavah::app {

class WitnessApp : public QObject {
  Q_OBJECT
 public:
  // Call after QGuiApplication exists. Loads the window; false if the interface cannot load.
  bool Start();
  Session& session() { return session_; }
  QQuickWindow* window() const;
  QQmlApplicationEngine& engine() { return engine_; }

 private:
  void ApplyLanguage();

  Session session_;
  QQmlApplicationEngine engine_;
  std::unique_ptr<QTranslator> translator_;
};

}  // namespace gavah::app
