import QtQuick
import QtQuick.Controls
import QtQuick.Layouts

// Unlock once per session: the key file and the case store, one passphrase each, or one for
// both. Nothing is kept on screen once unlocked.
Page {
    id: page
    objectName: "unlockPage"
    Component.onCompleted: keyPath.forceActiveFocus()
    function submit() {
        desk.unlock(keyPath.text, storePath.text, keyPass.text,
                    samePass.checked ? "" : storePass.text, bundlePath.text)
        keyPass.text = ""
        storePass.text = ""
    }
    ColumnLayout {
        anchors.centerIn: parent
        width: Math.min(parent.width - 40, 620)
        spacing: 10
        Label {
            textFormat: Text.PlainText
            text: qsTr("Unlock the desk")
            font.pixelSize: 22
            font.bold: true
        }
        Label {
            textFormat: Text.PlainText
            Layout.fillWidth: true
            wrapMode: Text.WordWrap
            text: qsTr("Your key and your case store stay locked until you unlock them here. The desk locks itself again after %1 minutes without use, and when you press Lock.").arg(desk.number(desk.idleMinutes))
        }
        Label { textFormat: Text.PlainText; text: qsTr("Your investigator key file") }
        TextField {
            id: keyPath
            objectName: "keyPath"
            Layout.fillWidth: true
            LayoutMirroring.enabled: false
            placeholderText: "/home/me/shirin.key"
            Accessible.name: qsTr("Your investigator key file")
            onAccepted: storePath.forceActiveFocus()
        }
        Label { textFormat: Text.PlainText; text: qsTr("Your case store") }
        TextField {
            id: storePath
            objectName: "storePath"
            Layout.fillWidth: true
            LayoutMirroring.enabled: false
            placeholderText: "/home/me/case.db"
            Accessible.name: qsTr("Your case store")
            onAccepted: keyPass.forceActiveFocus()
        }
        Label { textFormat: Text.PlainText; text: qsTr("Passphrase of the key") }
        TextField {
            id: keyPass
            objectName: "keyPassphrase"
            Layout.fillWidth: true
            echoMode: TextInput.Password
            Accessible.name: qsTr("Passphrase of the key")
            onAccepted: samePass.checked ? page.submit() : storePass.forceActiveFocus()
        }
        CheckBox {
            id: samePass
            objectName: "samePassphrase"
            checked: true
            text: qsTr("The case store has the same passphrase")
        }
        Label { textFormat: Text.PlainText; visible: !samePass.checked; text: qsTr("Passphrase of the case store") }
        TextField {
            id: storePass
            objectName: "storePassphrase"
            visible: !samePass.checked
            Layout.fillWidth: true
            echoMode: TextInput.Password
            Accessible.name: qsTr("Passphrase of the case store")
            onAccepted: page.submit()
        }
        Label {
            textFormat: Text.PlainText
            text: qsTr("The organisation's bundle (only before the store's first sync, or to use a newer one)")
            Layout.fillWidth: true
            wrapMode: Text.WordWrap
        }
        TextField {
            id: bundlePath
            objectName: "bundlePath"
            Layout.fillWidth: true
            LayoutMirroring.enabled: false
            placeholderText: "/home/me/org.bundle"
            Accessible.name: qsTr("The organisation's bundle")
        }
        Label {
            textFormat: Text.PlainText
            objectName: "unlockError"
            visible: desk.unlockError !== ""
            Layout.fillWidth: true
            wrapMode: Text.WordWrap
            color: "#b3261e"
            text: desk.unlockError === "key" ? qsTr("The key did not unlock: check the file and its passphrase.")
                  : desk.unlockError === "store" ? qsTr("The case store did not open: check the file and its passphrase.")
                  : qsTr("The bundle cannot be used with this store.")
        }
        Label {
            textFormat: Text.PlainText
            objectName: "unlockDetail"
            visible: desk.unlockError !== ""
            Layout.fillWidth: true
            wrapMode: Text.WrapAtWordBoundaryOrAnywhere
            color: "#b3261e"
            text: desk.unlockDetail
        }
        Button {
            objectName: "unlockButton"
            text: desk.unlocking ? qsTr("Unlocking…") : qsTr("Unlock")
            highlighted: true
            enabled: !desk.unlocking && keyPath.text !== "" && storePath.text !== ""
            Accessible.name: qsTr("Unlock the key and the case store")
            onClicked: page.submit()
        }
    }
}
