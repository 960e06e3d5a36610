import QtQuick
import QtQuick.Controls
import QtQuick.Layouts

// Sealed testimony that has not reached the server yet, and the receipts of what has.
Page {
    id: page
    objectName: "outboxPage"
    property var app
    ScrollView {
        anchors.fill: parent
        contentWidth: availableWidth
        ColumnLayout {
            width: parent.width - 40
            x: 20
            spacing: 10
            Item { height: 8 }
            Heading { text: qsTr("Outbox") }
            Para {
                objectName: "outboxEmpty"
                visible: session.outbox.length === 0
                text: qsTr("Nothing is waiting to be sent.")
            }
            Para {
                visible: session.outbox.length > 0
                text: qsTr("Sealed and waiting to be sent (nobody can read them here):")
            }
            Repeater {
                model: session.outbox
                delegate: Label {
                    required property var modelData
                    Layout.fillWidth: true
                    elide: Text.ElideMiddle
                    LayoutMirroring.enabled: false
                    font.family: "DejaVu Sans Mono"
                    text: modelData.id.substring(0, 16) + "…  " + session.size(modelData.size)
                }
            }
            Label {
                objectName: "outboxStatus"
                Layout.fillWidth: true
                wrapMode: Text.WordWrap
                visible: !session.busy && session.outcome !== ""
                text: session.outcome === "delivered" ? qsTr("Delivered.")
                      : session.outcome === "queued" ? qsTr("Handed to a relay; the receipt is not back yet.")
                      : session.outcome === "outbox" ? qsTr("Still not delivered: %1").arg(session.outcomeDetail)
                      : ""
            }
            BusyIndicator { visible: session.busy; running: session.busy }
            RowLayout {
                Layout.fillWidth: true
                Button {
                    objectName: "retryButton"
                    enabled: session.outbox.length > 0 && !session.busy
                    text: qsTr("Try again")
                    highlighted: true
                    Accessible.name: qsTr("Try sending the outbox again")
                    onClicked: session.retryOutbox(page.app.route, page.app.proxy)
                }
                CheckBox {
                    objectName: "retryTor"
                    text: qsTr("Through Tor")
                    checked: page.app.route === "tor"
                    onToggled: page.app.route = checked ? "tor" : "direct"
                    Accessible.name: qsTr("Try again through Tor")
                }
            }
            Heading { text: qsTr("Receipts") }
            Para {
                visible: session.receipts.length === 0
                text: qsTr("No receipts on this device.")
            }
            Repeater {
                model: session.receipts
                delegate: Para {
                    required property var modelData
                    text: qsTr("Promised to be in the server's public log by %1; received in the hour from %2").arg(modelData.includeBy).arg(modelData.received)
                }
            }
            NavRow {
                nextEnabled: false
                nextText: ""
                onBack: page.app.back()
            }
        }
    }
}
