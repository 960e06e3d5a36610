import QtQuick
import QtQuick.Controls
import QtQuick.Layouts

// A screen's title: larger than the text, in the system's size.
Label {
    Layout.fillWidth: true
    wrapMode: Text.WordWrap
    font.pointSize: Qt.application.font.pointSize * 1.5
    font.bold: true
    Accessible.role: Accessible.Heading
}
