import QtQuick
import QtQuick.Controls
import QtQuick.Layouts

Page {
    id: page
    objectName: "startPage"
    property var app
    ScrollView {
        anchors.fill: parent
        contentWidth: availableWidth
        ColumnLayout {
            width: parent.width
            anchors.margins: 20
            spacing: 14
            Item { height: 8 }
            Heading {
                Layout.leftMargin: 20; Layout.rightMargin: 20
                text: qsTr("Your testimony, sealed on this device")
            }
            Para {
                Layout.leftMargin: 20; Layout.rightMargin: 20
                text: qsTr("What you write and the files you add are locked here, on your own device, so that only the organisation's investigators can open them. The server that receives them cannot read them, and neither can anyone watching the network.")
            }
            Button {
                objectName: "startButton"
                Layout.leftMargin: 20; Layout.rightMargin: 20
                Layout.fillWidth: true
                text: qsTr("Give testimony")
                highlighted: true
                focus: true
                Accessible.name: text
                onClicked: { page.app.flow = "testimony"; page.app.go("OrganisationPage") }
            }
            Button {
                objectName: "outboxButton"
                Layout.leftMargin: 20; Layout.rightMargin: 20
                Layout.fillWidth: true
                text: qsTr("Outbox and receipts")
                Accessible.name: text
                onClicked: { session.refreshOutbox(); page.app.go("OutboxPage") }
            }
            Button {
                objectName: "repliesButton"
                Layout.leftMargin: 20; Layout.rightMargin: 20
                Layout.fillWidth: true
                text: qsTr("Read replies")
                Accessible.name: text
                onClicked: { page.app.flow = "replies"; page.app.go(session.hasBundle && session.fingerprintConfirmed ? "RepliesPage" : "OrganisationPage") }
            }
            CheckBox {
                objectName: "amnesicCheck"
                Layout.leftMargin: 20; Layout.rightMargin: 20
                Layout.fillWidth: true
                text: qsTr("Keep nothing on this device")
                checked: session.amnesic
                Accessible.name: text
                onToggled: session.amnesic = checked
            }
            Para {
                Layout.leftMargin: 20; Layout.rightMargin: 20
                text: qsTr("With this chosen, Gavah keeps no copy of what you send, no receipt, and does not remember the organisation (one remembered before is kept). If sending fails, nothing is kept and you will have to start again.")
            }
            Para {
                Layout.leftMargin: 20; Layout.rightMargin: 20
                opacity: 0.8
                text: qsTr("If someone comes, press \"Leave quickly\" (or Escape twice): the window closes at once and what you were writing is gone.")
            }
        }
    }
}
