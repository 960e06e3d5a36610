import QtQuick
import QtQuick.Controls
import QtQuick.Layouts

// The organisation's replies, read with the codename.
Page {
    id: page
    objectName: "repliesPage"
    property var app
    ScrollView {
        anchors.fill: parent
        contentWidth: availableWidth
        ColumnLayout {
            width: parent.width - 40
            x: 20
            spacing: 10
            Item { height: 8 }
            Heading { text: qsTr("Replies") }
            Para { text: qsTr("Type the codename you made when you gave your testimony.") }
            TextField {
                id: codename
                objectName: "repliesCodename"
                Layout.fillWidth: true
                echoMode: TextInput.Password
                inputMethodHints: Qt.ImhSensitiveData | Qt.ImhNoPredictiveText
                Accessible.name: qsTr("Your codename")
                onAccepted: read.clicked()
            }
            CheckBox {
                objectName: "repliesTor"
                text: qsTr("Through Tor")
                checked: page.app.route === "tor"
                onToggled: page.app.route = checked ? "tor" : "direct"
                Accessible.name: qsTr("Read the replies through Tor")
            }
            Button {
                id: read
                objectName: "readReplies"
                text: qsTr("Read replies")
                highlighted: true
                enabled: codename.text.length > 0 && !session.busy
                Accessible.name: text
                onClicked: { session.fetchReplies(codename.text, page.app.route, page.app.proxy); codename.text = "" }
            }
            BusyIndicator { visible: session.busy; running: session.busy }
            Para {
                objectName: "repliesState"
                visible: session.repliesState !== "" && session.repliesState !== "fetching"
                text: session.repliesState === "badcodename" ? qsTr("That codename is not right: a word is missing or mistyped.")
                      : session.repliesState === "pending" ? qsTr("A relay is fetching your replies; ask again in a few minutes.")
                      : session.repliesState === "failed" ? qsTr("The organisation could not be reached.")
                      : session.replies.length === 0 ? qsTr("No replies yet.")
                      : session.replies.length === 1 ? qsTr("One reply:")
                      : qsTr("%1 replies:").arg(session.number(session.replies.length))
            }
            Repeater {
                model: session.replies
                delegate: Frame {
                    required property var modelData
                    Layout.fillWidth: true
                    Label {
                        width: parent.width
                        wrapMode: Text.WordWrap
                        textFormat: Text.PlainText
                        text: modelData.text
                        Accessible.name: text
                    }
                }
            }
            NavRow {
                nextEnabled: false
                nextText: ""
                onBack: page.app.home()
            }
        }
    }
}
