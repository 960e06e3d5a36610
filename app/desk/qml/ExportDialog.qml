import QtQuick
import QtQuick.Controls
import QtQuick.Layouts

// An evidence package, for a use the investigator names. A use the witness did not consent to
// needs a reason, which goes into the chain of custody.
Dialog {
    id: dialog
    objectName: "exportDialog"
    title: qsTr("Export an evidence package")
    modal: true
    anchors.centerIn: Overlay.overlay
    width: 600
    property string use: uses.currentValue === undefined ? "investigators" : uses.currentValue
    property bool needsReason: desk.currentId !== "" && desk.needsReason(use)
    ColumnLayout {
        width: dialog.availableWidth
        Label { textFormat: Text.PlainText; text: qsTr("What is it for?") }
        ComboBox {
            id: uses
            objectName: "exportUse"
            Layout.fillWidth: true
            textRole: "text"
            valueRole: "value"
            model: [
                { value: "prosecutors-courts", text: qsTr("prosecutors and courts") },
                { value: "un-mechanism", text: qsTr("a UN commission of inquiry or mechanism") },
                { value: "quote-anonymously", text: qsTr("quoting it without their name") },
                { value: "investigators", text: qsTr("the organisation's own investigators") }
            ]
            Accessible.name: qsTr("What the package is for")
        }
        Label {
            textFormat: Text.PlainText
            objectName: "exportConsentWarning"
            visible: dialog.needsReason
            Layout.fillWidth: true
            wrapMode: Text.WordWrap
            color: "#b3261e"
            text: qsTr("The witness did not consent to this use. Say why it is needed: the reason goes into the chain of custody.")
        }
        TextField {
            id: reason
            objectName: "exportReason"
            visible: dialog.needsReason
            Layout.fillWidth: true
            placeholderText: qsTr("The reason")
            Accessible.name: qsTr("The reason for a use the witness did not consent to")
        }
        Label { textFormat: Text.PlainText; text: qsTr("New folder for the package") }
        TextField {
            id: folder
            objectName: "exportFolder"
            Layout.fillWidth: true
            LayoutMirroring.enabled: false
            placeholderText: "/media/usb/package-1"
            Accessible.name: qsTr("New folder for the package")
        }
    }
    footer: DialogButtonBox {
        Button {
            objectName: "confirmExportButton"
            text: qsTr("Export")
            enabled: folder.text !== "" && (!dialog.needsReason || reason.text.trim() !== "")
            DialogButtonBox.buttonRole: DialogButtonBox.AcceptRole
        }
        Button {
            text: qsTr("Cancel")
            DialogButtonBox.buttonRole: DialogButtonBox.RejectRole
        }
    }
    onAccepted: { desk.exportPackage(folder.text, dialog.use, dialog.needsReason ? reason.text : ""); reason.text = "" }
}
