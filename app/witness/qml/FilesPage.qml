import QtQuick
import QtQuick.Controls
import QtQuick.Layouts
import QtQuick.Dialogs

// Step 3: the files, and what each one says about whoever made it.
Page {
    id: page
    objectName: "filesPage"
    property var app

    function kindLabel(kind) {
        switch (kind) {
        case "location": return qsTr("Where it was made")
        case "device": return qsTr("The camera or phone")
        case "person": return qsTr("A name")
        case "time": return qsTr("When it was made")
        case "software": return qsTr("The software used")
        default: return qsTr("Other detail")
        }
    }

    // The library names formats in English; the common ones are named in the witness's language.
    function formatLabel(format) {
        switch (format) {
        case "JPEG image": return qsTr("JPEG picture")
        case "PNG image": return qsTr("PNG picture")
        case "WebP image": return qsTr("WebP picture")
        case "HEIF image": return qsTr("HEIF picture")
        case "TIFF image": return qsTr("TIFF picture")
        case "PDF document": return qsTr("PDF document")
        case "MP4 video": return qsTr("MP4 video")
        case "unknown": return qsTr("A file of a kind Gavah does not know")
        default: return format
        }
    }

    FileDialog {
        id: chooser
        objectName: "attachDialog"
        // Never the desktop's own dialog: GTK's records every file chosen in
        // ~/.local/share/recently-used.xbel, which would name the witness's files to whoever
        // looks at the device.
        options: FileDialog.DontUseNativeDialog
        title: qsTr("Add a file")
        onAccepted: session.addAttachment(selectedFile)
    }

    ScrollView {
        anchors.fill: parent
        contentWidth: availableWidth
        ColumnLayout {
            width: parent.width - 40
            x: 20
            spacing: 10
            Item { height: 8 }
            Heading { text: qsTr("3. Files and what they reveal") }
            Para { text: qsTr("Photos, documents, recordings. Files often carry hidden details: where a photo was taken, the phone's serial number, the author's name. Gavah shows them here, and you choose for each file.") }
            RowLayout {
                Layout.fillWidth: true
                TextField {
                    id: pathField
                    objectName: "attachPath"
                    Layout.fillWidth: true
                    placeholderText: qsTr("Path of a file to add")
                    Accessible.name: qsTr("Path of a file to add")
                    onAccepted: if (text.length > 0) { session.addAttachmentPath(text); text = "" }
                }
                Button {
                    objectName: "addPathButton"
                    text: qsTr("Add")
                    enabled: pathField.text.length > 0
                    Accessible.name: qsTr("Add this file")
                    onClicked: { session.addAttachmentPath(pathField.text); pathField.text = "" }
                }
                Button {
                    objectName: "chooseFileButton"
                    text: qsTr("Choose…")
                    Accessible.name: qsTr("Choose a file to add")
                    onClicked: chooser.open()
                }
            }
            Para {
                visible: session.attachments.length === 0
                opacity: 0.7
                text: qsTr("No files added. Files are optional.")
            }
            Repeater {
                model: session.attachments
                delegate: Frame {
                    id: card
                    objectName: "attachment" + index
                    required property var modelData
                    required property int index
                    Layout.fillWidth: true
                    ColumnLayout {
                        width: parent.width
                        spacing: 6
                        RowLayout {
                            Layout.fillWidth: true
                            Label {
                                Layout.fillWidth: true
                                font.bold: true
                                elide: Text.ElideMiddle
                                text: card.modelData.name
                            }
                            Label { text: session.size(card.modelData.size) }
                            Button {
                                objectName: "remove" + card.index
                                text: qsTr("Remove")
                                Accessible.name: qsTr("Remove %1").arg(card.modelData.name)
                                onClicked: session.removeAttachment(card.index)
                            }
                        }
                        Para {
                            visible: card.modelData.examining
                            text: qsTr("Looking at what this file reveals…")
                        }
                        Para {
                            visible: card.modelData.error !== ""
                            color: "#7a1712"
                            text: card.modelData.error === "too-large"
                                  ? qsTr("This file is too large to examine here; it would be sent as it is.")
                                  : qsTr("This file cannot be read.")
                        }
                        Para {
                            visible: !card.modelData.examining && card.modelData.error === "" && card.modelData.findings.length === 0
                                     && card.modelData.format !== "unknown" && card.modelData.note === ""
                            text: qsTr("%1: no identifying details found.").arg(page.formatLabel(card.modelData.format))
                        }
                        Para {
                            // Not looked into is not clean: a word processor's file names its author.
                            visible: !card.modelData.examining && card.modelData.error === "" && card.modelData.findings.length === 0
                                     && (card.modelData.format === "unknown" || card.modelData.note !== "")
                            color: "#7a4a00"
                            text: qsTr("%1: Gavah could not look inside this file, so it cannot say what it reveals about you.").arg(page.formatLabel(card.modelData.format))
                        }
                        Label {
                            // Why, in the window's language (Session::NoteText).
                            objectName: "note" + card.index
                            visible: card.modelData.note !== ""
                            Layout.fillWidth: true
                            wrapMode: Text.WordWrap
                            opacity: 0.7
                            text: card.modelData.note
                        }
                        Para {
                            visible: card.modelData.findings.length > 0
                            text: qsTr("%1. It says:").arg(page.formatLabel(card.modelData.format))
                        }
                        Repeater {
                            model: card.modelData.findings
                            delegate: Label {
                                required property var modelData
                                Layout.fillWidth: true
                                wrapMode: Text.WrapAnywhere
                                text: "• " + page.kindLabel(modelData.kind) + ": " + modelData.value
                                Accessible.name: text
                            }
                        }
                        ColumnLayout {
                            visible: !card.modelData.examining && card.modelData.error === "" && card.modelData.canClean
                            Layout.fillWidth: true
                            RadioButton {
                                objectName: "clean" + card.index
                                Layout.fillWidth: true
                                text: qsTr("Send a cleaned copy: these details removed, and the file renamed")
                                checked: card.modelData.clean
                                Accessible.name: qsTr("Send a cleaned copy of %1").arg(card.modelData.name)
                                onToggled: if (checked) session.setCleanCopy(card.index, true)
                            }
                            RadioButton {
                                objectName: "original" + card.index
                                Layout.fillWidth: true
                                text: qsTr("Send the original: it keeps the most value as evidence, and these details go with it")
                                checked: !card.modelData.clean
                                Accessible.name: qsTr("Send the original of %1").arg(card.modelData.name)
                                onToggled: if (checked) session.setCleanCopy(card.index, false)
                            }
                        }
                        Para {
                            visible: !card.modelData.examining && card.modelData.error === "" && !card.modelData.canClean
                            color: "#7a4a00"
                            text: qsTr("This kind of file cannot be cleaned here. Send it only if you accept what it reveals.")
                        }
                    }
                }
            }
            NavRow {
                nextEnabled: !session.examining
                onBack: page.app.back()
                onNext: page.app.go("CodenamePage")
            }
        }
    }
}
