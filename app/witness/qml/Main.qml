import QtQuick
import QtQuick.Controls
import QtQuick.Layouts

// One window that walks the witness through giving testimony, step by step; every step can be
// reached and left from the keyboard.
ApplicationWindow {
    id: root
    objectName: "window"
    width: 720
    height: 820
    visible: true
    title: qsTr("Gavah: give testimony safely")
    LayoutMirroring.enabled: session.rightToLeft
    LayoutMirroring.childrenInherit: true

    // The testimony being prepared. Text stays in the editor until it is sealed, then is cleared.
    property string testimonyText: ""
    property string textLanguage: session.language
    property string when: ""
    property string where: ""
    property var consent: ["investigators"]
    property string route: "direct"
    property string proxy: "http://127.0.0.1:9080"
    // "testimony" or "replies": where the organisation step leads.
    property string flow: "testimony"

    function go(page) { stack.push(Qt.resolvedUrl(page + ".qml"), { app: root }) }
    function back() { if (stack.depth > 1) stack.pop() }
    function home() {
        stack.pop(null)
    }
    function forget() {
        testimonyText = ""; when = ""; where = ""
        consent = ["investigators"]
        session.clearTestimony()
    }

    header: ToolBar {
        RowLayout {
            anchors.fill: parent
            anchors.leftMargin: 8
            anchors.rightMargin: 8
            Label {
                text: qsTr("Gavah")
                font.bold: true
                Layout.fillWidth: true
            }
            Label {
                objectName: "amnesicBadge"
                visible: session.amnesic
                text: qsTr("Keeping nothing on this device")
            }
            ToolButton {
                objectName: "languageButton"
                // Each language names itself, so a witness who cannot read the other finds theirs.
                text: session.language === "fa" ? "English" : "فارسی"
                Accessible.name: session.language === "fa" ? "Switch to English" : "به فارسی"
                onClicked: session.language = session.language === "fa" ? "en" : "fa"
            }
            Button {
                objectName: "leaveButton"
                text: qsTr("Leave quickly")
                Accessible.name: qsTr("Leave quickly: close Gavah at once")
                Accessible.description: qsTr("Closes the window at once and forgets the testimony being written")
                palette.button: "#b3261e"
                palette.buttonText: "white"
                onClicked: session.leaveQuickly()
            }
        }
    }

    // Leave quickly from anywhere, without finding the button: Ctrl+Q, or Escape twice.
    Shortcut {
        sequences: ["Ctrl+Q", "Esc,Esc"]
        onActivated: session.leaveQuickly()
    }

    StackView {
        id: stack
        objectName: "stack"
        anchors.fill: parent
        initialItem: StartPage { app: root }
        focus: true
    }
}
