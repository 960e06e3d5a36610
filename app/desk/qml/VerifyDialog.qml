import QtQuick
import QtQuick.Controls
import QtQuick.Layouts

// An evidence package someone sent, checked against the organisation's bundle.
Dialog {
    id: dialog
    objectName: "verifyDialog"
    title: qsTr("Verify an evidence package")
    modal: true
    anchors.centerIn: Overlay.overlay
    width: 680
    // Its own button, in the window's language (Qt's standard ones are not translated here).
    footer: DialogButtonBox {
        Button {
            objectName: "closeButton"
            text: qsTr("Close")
            DialogButtonBox.buttonRole: DialogButtonBox.RejectRole
        }
    }
    ColumnLayout {
        width: dialog.availableWidth
        Label { textFormat: Text.PlainText; text: qsTr("The package's folder") }
        RowLayout {
            Layout.fillWidth: true
            TextField {
                id: folder
                objectName: "verifyFolder"
                Layout.fillWidth: true
                LayoutMirroring.enabled: false
                Accessible.name: qsTr("The package's folder")
                onAccepted: desk.verifyPackage(folder.text)
            }
            Button {
                objectName: "verifyRunButton"
                text: qsTr("Verify")
                enabled: folder.text !== ""
                onClicked: desk.verifyPackage(folder.text)
            }
        }
        Label {
            textFormat: Text.PlainText
            objectName: "verifyResult"
            visible: desk.verifyResult !== ""
            font.bold: true
            color: desk.verifyResult === "verified" ? "#1b5e20" : "#b3261e"
            text: desk.verifyResult === "verified" ? qsTr("Verified.") : qsTr("NOT verified:")
        }
        Repeater {
            model: desk.verifyLines
            delegate: Label {
                textFormat: Text.PlainText
                required property string modelData
                Layout.fillWidth: true
                wrapMode: Text.WordWrap
                text: modelData
            }
        }
    }
}
