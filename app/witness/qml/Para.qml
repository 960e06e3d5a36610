import QtQuick
import QtQuick.Controls
import QtQuick.Layouts

// A paragraph of explanation.
Label {
    Layout.fillWidth: true
    wrapMode: Text.WordWrap
    textFormat: Text.PlainText
    Accessible.role: Accessible.StaticText
    Accessible.name: text
}
