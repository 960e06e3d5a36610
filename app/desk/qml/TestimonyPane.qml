import QtQuick
import QtQuick.Controls
import QtQuick.Layouts

// The testimony being read. The witness's consent stays at the top, outside the scrolling text,
// so that no use of the testimony starts without it in view.
Pane {
    id: pane
    objectName: "testimonyPane"
    function consentName(t) {
        return t === "investigators" ? qsTr("the organisation's own investigators")
             : t === "prosecutors-courts" ? qsTr("prosecutors and courts")
             : t === "un-mechanism" ? qsTr("a UN commission of inquiry or mechanism")
             : t === "quote-anonymously" ? qsTr("quoting it without their name")
             : t === "contact-again" ? qsTr("being contacted again") : t
    }

    Label {

        textFormat: Text.PlainText
        objectName: "nothingOpen"
        visible: desk.currentId === ""
        anchors.centerIn: parent
        width: parent.width - 40
        wrapMode: Text.WordWrap
        horizontalAlignment: Text.AlignHCenter
        text: qsTr("Choose a testimony in the list (arrow keys and Enter) to read it. It is opened in memory only.")
    }

    ColumnLayout {
        visible: desk.currentId !== ""
        anchors.fill: parent
        spacing: 6

        Label {

            textFormat: Text.PlainText
            objectName: "currentId"
            Layout.fillWidth: true
            elide: Text.ElideMiddle
            LayoutMirroring.enabled: false
            font.family: "DejaVu Sans Mono"
            text: desk.currentId
        }
        Label {
            textFormat: Text.PlainText
            objectName: "currentError"
            visible: desk.currentError !== ""
            Layout.fillWidth: true
            wrapMode: Text.WordWrap
            color: "#b3261e"
            font.bold: true
            text: desk.currentError
        }
        // Consent, always in view.
        Frame {
            objectName: "consentBanner"
            visible: desk.currentText !== "" || desk.consentAsked
            Layout.fillWidth: true
            background: Rectangle { color: desk.consentAsked ? "#e8f0fe" : "#fff4e5"; radius: 4 }
            Label {
                textFormat: Text.PlainText
                objectName: "consentText"
                width: parent.width
                wrapMode: Text.WordWrap
                text: desk.consentAsked
                      ? qsTr("The witness allows: %1.").arg(desk.consent.map(pane.consentName).join(qsTr(", ")))
                      : qsTr("The witness was not asked for consent: use it for the organisation's own review only.")
            }
        }
        Label {
            textFormat: Text.PlainText
            visible: desk.currentText !== ""
            Layout.fillWidth: true
            wrapMode: Text.WordWrap
            text: [qsTr("Received %1").arg(desk.currentReceived),
                   desk.currentLanguage !== "" ? qsTr("language: %1").arg(desk.currentLanguage) : "",
                   desk.currentWhen !== "" ? qsTr("when: %1").arg(desk.currentWhen) : "",
                   desk.currentWhere !== "" ? qsTr("where: %1").arg(desk.currentWhere) : ""]
                  .filter(function (s) { return s !== "" }).join(" · ")
        }

        ScrollView {
            Layout.fillWidth: true
            Layout.fillHeight: true
            contentWidth: availableWidth
            ColumnLayout {
                width: parent.width
                spacing: 8
                TextArea {
                    objectName: "testimonyText"
                    visible: desk.currentText !== ""
                    Layout.fillWidth: true
                    readOnly: true
                    wrapMode: TextEdit.Wrap
                    textFormat: TextEdit.PlainText
                    selectByMouse: true
                    // The witness's text runs in its own direction, whatever the window's.
                    LayoutMirroring.enabled: false
                    horizontalAlignment: desk.currentRightToLeft ? Text.AlignRight : Text.AlignLeft
                    text: desk.currentText
                    Accessible.name: qsTr("The testimony")
                }
                Label {
                    textFormat: Text.PlainText
                    visible: desk.attachments.length > 0
                    text: qsTr("Attachments")
                    font.bold: true
                }
                Repeater {
                    model: desk.attachments
                    delegate: RowLayout {
                        required property var modelData
                        Layout.fillWidth: true
                        Label {
                            textFormat: Text.PlainText
                            Layout.fillWidth: true
                            elide: Text.ElideMiddle
                            text: modelData.name + " (" + modelData.type + ", " + modelData.size + ")"
                        }
                        Button {
                            objectName: "previewButton" + modelData.index
                            text: qsTr("Preview")
                            enabled: modelData.held && modelData.kind !== "other"
                            Accessible.name: qsTr("Preview %1 from memory").arg(modelData.name)
                            onClicked: { desk.preview(modelData.index); previewDialog.open() }
                        }
                    }
                }
                Label { textFormat: Text.PlainText; text: qsTr("Notes and tags"); font.bold: true; visible: desk.currentText !== "" }
                Repeater {
                    model: desk.annotations
                    delegate: Label {
                        textFormat: Text.PlainText
                        required property var modelData
                        Layout.fillWidth: true
                        wrapMode: Text.WordWrap
                        text: (modelData.kind === "tag" ? "🏷 " : "✎ ") + modelData.text + "  (" + modelData.at + ")"
                    }
                }
                RowLayout {
                    visible: desk.currentText !== ""
                    Layout.fillWidth: true
                    TextField {
                        id: noteText
                        objectName: "noteField"
                        Layout.fillWidth: true
                        placeholderText: qsTr("A note, or a tag")
                        Accessible.name: qsTr("A note, or a tag")
                    }
                    Button {
                        objectName: "addNoteButton"
                        text: qsTr("Add note")
                        enabled: noteText.text.trim() !== ""
                        onClicked: if (desk.addNote(noteText.text)) noteText.text = ""
                    }
                    Button {
                        objectName: "addTagButton"
                        text: qsTr("Add tag")
                        enabled: noteText.text.trim() !== ""
                        onClicked: if (desk.addTag(noteText.text)) noteText.text = ""
                    }
                }
                Label { textFormat: Text.PlainText; text: qsTr("Reply to the witness"); font.bold: true; visible: desk.currentText !== "" }
                RowLayout {
                    visible: desk.currentText !== ""
                    Layout.fillWidth: true
                    TextField {
                        id: replyText
                        objectName: "replyField"
                        Layout.fillWidth: true
                        placeholderText: qsTr("Only the witness, with their codename, can read it")
                        Accessible.name: qsTr("Reply to the witness")
                    }
                    Button {
                        objectName: "replyButton"
                        text: qsTr("Send reply")
                        enabled: replyText.text.trim() !== ""
                        onClicked: if (desk.reply(replyText.text)) replyText.text = ""
                    }
                }
                Label { textFormat: Text.PlainText; text: qsTr("Chain of custody"); font.bold: true }
                Repeater {
                    model: desk.custody
                    delegate: Label {
                        textFormat: Text.PlainText
                        required property var modelData
                        objectName: "custodyLine"
                        Layout.fillWidth: true
                        wrapMode: Text.WordWrap
                        font.pixelSize: 12
                        text: modelData.at + " · " + modelData.who.substring(0, 8) + "… · " + modelData.event
                    }
                }
            }
        }

        Label {

            textFormat: Text.PlainText
            objectName: "said"
            Layout.fillWidth: true
            wrapMode: Text.WordWrap
            Connections {
                target: desk
                function onSaid(text, failed) { said.text = text; said.color = failed ? "#b3261e" : "#1b5e20" }
                function onTestimonyChosen() { said.text = "" }
            }
            id: said
        }
        // Working on it.
        RowLayout {
            visible: desk.currentText !== ""
            Layout.fillWidth: true
            ComboBox {
                id: colleague
                objectName: "colleagueChoice"
                model: desk.colleagues
                textRole: "name"
                visible: desk.colleagues.length > 0
                // Names come from the bundle: listed as plain text, never as markup.
                delegate: ItemDelegate {
                    required property int index
                    required property var modelData
                    width: colleague.width
                    highlighted: colleague.highlightedIndex === index
                    contentItem: Label { textFormat: Text.PlainText; text: modelData.name; elide: Text.ElideRight }
                }
                Accessible.name: qsTr("The colleague to release your share to")
            }
            Button {
                objectName: "releaseButton"
                visible: desk.colleagues.length > 0
                text: qsTr("Release my share…")
                onClicked: { desk.prepareRelease(colleague.currentIndex); if (desk.pendingRelease !== "") releaseDialog.open() }
            }
            Item { Layout.fillWidth: true }
            Button {
                objectName: "exportButton"
                text: qsTr("Export evidence package…")
                enabled: !desk.busy
                onClicked: exportDialog.open()
            }
            Button {
                objectName: "deleteButton"
                text: qsTr("Mark for deletion…")
                onClicked: deleteDialog.open()
            }
        }
    }

    Dialog {
        id: releaseDialog
        objectName: "releaseDialog"
        title: qsTr("Release your key share?")
        modal: true
        anchors.centerIn: Overlay.overlay
        width: Math.min(pane.width, 560)
        Label {
            textFormat: Text.PlainText
            width: releaseDialog.availableWidth
            wrapMode: Text.WrapAtWordBoundaryOrAnywhere
            text: desk.pendingRelease
        }
        footer: DialogButtonBox {
            Button {
                objectName: "confirmReleaseButton"
                text: qsTr("Release")
                DialogButtonBox.buttonRole: DialogButtonBox.AcceptRole
            }
            Button {
                text: qsTr("Cancel")
                DialogButtonBox.buttonRole: DialogButtonBox.RejectRole
            }
        }
        onAccepted: desk.confirmRelease()
        onRejected: desk.cancelRelease()
    }

    Dialog {
        id: deleteDialog
        objectName: "deleteDialog"
        title: qsTr("Mark this testimony for deletion?")
        modal: true
        anchors.centerIn: Overlay.overlay
        width: Math.min(pane.width, 560)
        Label {
            textFormat: Text.PlainText
            width: deleteDialog.availableWidth
            wrapMode: Text.WrapAtWordBoundaryOrAnywhere
            text: qsTr("The server deletes it once the threshold of investigators agree. This cannot be undone. Testimony %1.").arg(desk.currentId)
        }
        footer: DialogButtonBox {
            Button {
                objectName: "confirmDeleteButton"
                text: qsTr("Mark for deletion")
                DialogButtonBox.buttonRole: DialogButtonBox.AcceptRole
            }
            Button {
                text: qsTr("Cancel")
                DialogButtonBox.buttonRole: DialogButtonBox.RejectRole
            }
        }
        onAccepted: desk.markForDeletion()
    }

    ExportDialog { id: exportDialog }
    PreviewDialog { id: previewDialog }
}
