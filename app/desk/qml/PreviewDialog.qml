import QtQuick
import QtQuick.Controls
import QtQuick.Layouts

// An attachment shown from memory: pages decoded by the previewer process, or text.
Dialog {
    id: dialog
    objectName: "previewDialog"
    // The name is the sender's: shown as plain text below, never as the title (which Qt styles
    // as rich text).
    title: qsTr("Preview")
    modal: true
    anchors.centerIn: Overlay.overlay
    width: Overlay.overlay ? Overlay.overlay.width * 0.8 : 800
    height: Overlay.overlay ? Overlay.overlay.height * 0.85 : 600
    // Its own button, in the window's language (Qt's standard ones are not translated here).
    footer: DialogButtonBox {
        Button {
            objectName: "closeButton"
            text: qsTr("Close")
            DialogButtonBox.buttonRole: DialogButtonBox.RejectRole
        }
    }
    onClosed: desk.closePreview()
    ScrollView {
        anchors.fill: parent
        contentWidth: availableWidth
        ColumnLayout {
            width: parent.width
            Label {
                textFormat: Text.PlainText
                objectName: "previewName"
                Layout.fillWidth: true
                elide: Text.ElideMiddle
                font.bold: true
                text: desk.previewName
            }
            Label {
                textFormat: Text.PlainText
                objectName: "previewError"
                visible: desk.previewError !== ""
                Layout.fillWidth: true
                wrapMode: Text.WordWrap
                text: desk.previewError
            }
            TextArea {
                objectName: "previewText"
                visible: desk.previewText !== ""
                Layout.fillWidth: true
                readOnly: true
                wrapMode: TextEdit.Wrap
                textFormat: TextEdit.PlainText
                text: desk.previewText
            }
            Repeater {
                model: desk.previewPages
                delegate: Image {
                    required property int index
                    objectName: "previewPage" + index
                    Layout.fillWidth: true
                    Layout.preferredHeight: implicitHeight * Math.min(1, width / Math.max(1, implicitWidth))
                    fillMode: Image.PreserveAspectFit
                    cache: false
                    // The page's number only, and a counter so that a new preview is never an old
                    // one from the cache.
                    source: "image://preview/" + desk.previewSerial + "/" + index
                    Accessible.name: qsTr("Page %1").arg(index + 1)
                }
            }
        }
    }
}
