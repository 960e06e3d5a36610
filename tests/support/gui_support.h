// What the GUI tests (and the desk's benchmark) share to drive a Qt Quick window.
#pragma once

#include <QCoreApplication>
#include <QKeyEvent>
#include <QQuickItem>
#include <QQuickWindow>
#include <QTest>
#include <chrono>
#include <functional>
#include <thread>

namespace gavah::testing {

// The item or object named `name` under `root`, looking at QQuickItem children too (Repeater
// delegates are items, not QObject children).
inline QObject* FindIn(QObject* root, const QString& name) {
  if (root == nullptr) return nullptr;
  if (root->objectName() == name) return root;
  if (auto* item = qobject_cast<QQuickItem*>(root)) {
    for (QQuickItem* child : item->childItems())
      if (QObject* found = FindIn(child, name)) return found;
  }
  for (QObject* child : root->children())
    if (QObject* found = FindIn(child, name)) return found;
  return nullptr;
}

// Runs the event loop until `done` or `seconds` pass; false on the time out.
inline bool WaitFor(const std::function<bool()>& done, int seconds = 60) {
  const auto until = std::chrono::steady_clock::now() + std::chrono::seconds(seconds);
  while (!done()) {
    if (std::chrono::steady_clock::now() > until) return false;
    QCoreApplication::processEvents(QEventLoop::AllEvents, 50);
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  return true;
}

// Presses `item` from the keyboard (focus, then Space), as someone who cannot use a mouse
// would; false when it is hidden or disabled.
inline bool PressKey(QQuickWindow* window, QQuickItem* item) {
  if (item == nullptr || !item->isVisible() || !item->isEnabled()) return false;
  item->forceActiveFocus(Qt::TabFocusReason);
  QTest::keyClick(window, Qt::Key_Space);
  QCoreApplication::processEvents();
  return true;
}

// Types `text` into `item`, one key event per character as a keyboard (or an input method, for
// Persian) sends them; a line feed is the Return key.
inline void TypeKeys(QQuickWindow* window, QQuickItem* item, const QString& text) {
  item->forceActiveFocus(Qt::TabFocusReason);
  for (const QChar c : text) {
    if (c == QLatin1Char('\n')) {
      QTest::keyClick(window, Qt::Key_Return);
      continue;
    }
    QKeyEvent press(QEvent::KeyPress, Qt::Key_unknown, Qt::NoModifier, QString(c));
    QKeyEvent release(QEvent::KeyRelease, Qt::Key_unknown, Qt::NoModifier, QString(c));
    QCoreApplication::sendEvent(window, &press);
    QCoreApplication::sendEvent(window, &release);
  }
  QCoreApplication::processEvents();
}

}  // namespace gavah::testing
