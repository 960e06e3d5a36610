import QtQuick
import QtQuick.Controls
import QtQuick.Layouts

// The desk's one window: the unlock screen while locked, the case list and the testimony being
// read once unlocked. Everything is reachable from the keyboard.
ApplicationWindow {
    id: root
    objectName: "window"
    width: 1280
    height: 820
    visible: true
    title: qsTr("Gavah desk")
    LayoutMirroring.enabled: desk.rightToLeft
    LayoutMirroring.childrenInherit: true

    header: ToolBar {
        RowLayout {
            anchors.fill: parent
            anchors.leftMargin: 8
            anchors.rightMargin: 8
            Label {
                textFormat: Text.PlainText
                text: desk.locked ? qsTr("Gavah desk")
                                  : qsTr("Gavah desk: %1, %2").arg("\u2068" + desk.organisationName + "\u2069")
                                                               .arg("\u2068" + desk.investigatorName + "\u2069")
                font.bold: true
                Layout.fillWidth: true
                elide: Text.ElideRight
            }
            ToolButton {
                objectName: "languageButton"
                // Each language names itself, so whoever cannot read the other finds theirs.
                text: desk.language === "fa" ? "English" : "فارسی"
                Accessible.name: desk.language === "fa" ? "Switch to English" : "به فارسی"
                onClicked: desk.language = desk.language === "fa" ? "en" : "fa"
            }
            Button {
                objectName: "lockButton"
                visible: !desk.locked
                text: qsTr("Lock")
                Accessible.name: qsTr("Lock the desk: forget the key and close the case store")
                onClicked: desk.lock()
            }
        }
    }

    Shortcut {
        sequence: "Ctrl+L"
        enabled: !desk.locked
        onActivated: desk.lock()
    }

    Loader {
        id: screen
        objectName: "screen"
        anchors.fill: parent
        focus: true
        sourceComponent: desk.locked ? unlockScreen : deskScreen
    }
    Component { id: unlockScreen; UnlockPage {} }
    Component { id: deskScreen; DeskPage {} }
}
