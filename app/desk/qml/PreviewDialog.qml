import QtQuick
import QtQuick.Controls
import QtQuick.Layouts

// An attachment shown from memory: pages decoded by the previewer process, or text.
Dialog {
    id: dialog
    objectName: "previewDialog"
    title: desk.previewName
    modal: true
    anchors.centerIn: Overlay.overlay
    width: Overlay.overlay ? Overlay.overlay.width * 0.8 : 800
    height: Overlay.overlay ? Overlay.overlay.height * 0.85 : 600
    standardButtons: Dialog.Close
    onClosed: desk.closePreview()
    ScrollView {
        anchors.fill: parent
        contentWidth: availableWidth
        ColumnLayout {
            width: parent.width
            Label {
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
                    source: "image://preview/" + index + "/" + desk.previewName
                    Accessible.name: qsTr("Page %1").arg(index + 1)
                }
            }
        }
    }
}
