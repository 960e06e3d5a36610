import QtQuick
import QtQuick.Controls
import QtQuick.Layouts

// Step 4: a codename, so that the organisation can answer without knowing who the witness is.
Page {
    id: page
    objectName: "codenamePage"
    property var app
    property string shown: ""
    property bool mistyped: false

    ScrollView {
        anchors.fill: parent
        contentWidth: availableWidth
        ColumnLayout {
            width: parent.width - 40
            x: 20
            spacing: 10
            Item { height: 8 }
            Heading { text: qsTr("4. Replies (optional)") }
            Para { text: qsTr("If you want the investigators to be able to answer you or ask a question, make a codename: nine words that only you will know. With it you can read their replies later, from any device. Anyone who has your codename can read the replies too, so keep it as you would keep a key.") }

            Para {
                visible: session.hasCodename
                objectName: "codenameReady"
                font.bold: true
                color: "#1e6b2e"
                text: qsTr("Your codename is confirmed. Investigators will be able to reply.")
            }
            RowLayout {
                visible: session.derivingCodename
                objectName: "codenameDeriving"
                BusyIndicator { running: session.derivingCodename; Accessible.name: preparing.text }
                Para { id: preparing; text: qsTr("Preparing your codename's key. This takes a moment.") }
            }

            RowLayout {
                visible: !session.hasCodename && !session.derivingCodename && page.shown === ""
                Layout.fillWidth: true
                Button {
                    objectName: "makeCodenamePersian"
                    text: qsTr("Make a codename in Persian words")
                    Accessible.name: text
                    onClicked: page.shown = session.makeCodename("fa")
                }
                Button {
                    objectName: "makeCodenameEnglish"
                    text: qsTr("Make a codename in English words")
                    Accessible.name: text
                    onClicked: page.shown = session.makeCodename("en")
                }
            }

            ColumnLayout {
                visible: !session.hasCodename && page.shown !== ""
                Layout.fillWidth: true
                spacing: 10
                Para { text: qsTr("Your codename. It is shown only this once: learn it by heart or write it down and hide it well.") }
                Label {
                    objectName: "codenameText"
                    Layout.fillWidth: true
                    horizontalAlignment: Text.AlignHCenter
                    wrapMode: Text.WordWrap
                    font.pointSize: Qt.application.font.pointSize * 2
                    font.bold: true
                    text: page.shown
                    Accessible.name: qsTr("Your codename: %1").arg(page.shown)
                }
                Para { text: qsTr("Now type it again, to be sure it was written down right:") }
                TextField {
                    id: again
                    objectName: "codenameAgain"
                    Layout.fillWidth: true
                    Accessible.name: qsTr("Type your codename again")
                    inputMethodHints: Qt.ImhSensitiveData | Qt.ImhNoPredictiveText
                    onAccepted: confirm.clicked()
                }
                Para {
                    visible: page.mistyped
                    objectName: "codenameMistyped"
                    color: "#7a1712"
                    text: qsTr("That is not the same codename. Check each word and try again.")
                }
                Button {
                    id: confirm
                    objectName: "confirmCodename"
                    text: qsTr("Confirm the codename")
                    highlighted: true
                    Accessible.name: text
                    onClicked: {
                        page.mistyped = !session.confirmCodename(again.text)
                        if (!page.mistyped) { page.shown = ""; again.text = "" }
                    }
                }
            }
            Button {
                visible: session.hasCodename
                objectName: "forgetCodename"
                text: qsTr("Send without a codename")
                Accessible.name: text
                onClicked: session.forgetCodename()
            }
            NavRow {
                nextText: session.hasCodename ? qsTr("Next") : qsTr("Continue without replies")
                nextEnabled: !session.derivingCodename && (session.hasCodename || page.shown === "")
                onBack: page.app.back()
                onNext: page.app.go("ConsentPage")
            }
        }
    }
}
