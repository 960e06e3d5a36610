import QtQuick
import QtQuick.Controls
import QtQuick.Layouts

// What became of the testimony, in plain words.
Page {
    id: page
    objectName: "outcomePage"
    property var app
    ScrollView {
        anchors.fill: parent
        contentWidth: availableWidth
        ColumnLayout {
            width: parent.width - 40
            x: 20
            spacing: 10
            Item { height: 8 }
            Heading {
                objectName: "outcomeHeading"
                text: session.outcome === "delivered" ? qsTr("Delivered")
                      : session.outcome === "queued" ? qsTr("Handed to a relay")
                      : session.outcome === "outbox" ? qsTr("Not sent yet: waiting in the outbox")
                      : session.outcome === "lost" ? qsTr("Not sent, and nothing was kept")
                      : session.outcome === "saved" ? qsTr("Sealed and saved")
                      : qsTr("Not sealed")
            }
            Para {
                visible: session.outcome === "delivered"
                text: (session.amnesic ? qsTr("The organisation's server has your testimony and signed a receipt: it promises to have it in its public log by %1, and received it in the hour from %2. As you asked, the receipt is not kept on this device.")
                                       : qsTr("The organisation's server has your testimony and signed a receipt: it promises to have it in its public log by %1, and received it in the hour from %2. The receipt is kept on this device."))
                      .arg(session.includeByDate).arg(session.receivedDate)
            }
            Para {
                visible: session.outcome === "queued"
                text: session.amnesic ? qsTr("A relay (%1) holds your sealed testimony and will pass it to the organisation's server. As you asked, nothing is kept on this device, so no receipt will come back here.").arg(session.outcomeDetail)
                                      : qsTr("A relay (%1) holds your sealed testimony and will pass it to the organisation's server. It waits in the outbox until the server's receipt comes back; open the outbox later and press \"Try again\".").arg(session.outcomeDetail)
            }
            Para {
                visible: session.outcome === "outbox"
                text: qsTr("It was not delivered (the reason is below). Your testimony is sealed and waits in the outbox on this device; nobody can read it there. Try again later, or through Tor.")
            }
            Para {
                visible: session.outcome === "lost"
                text: qsTr("It was not delivered (the reason is below), and as you asked, nothing was kept on this device. You can write it again when you are able to connect.")
            }
            Para {
                visible: session.outcome === "saved"
                text: qsTr("The sealed testimony is in %1. Whoever carries it cannot read it.").arg(session.outcomeDetail)
            }
            Para {
                visible: session.outcome === "refused"
                text: qsTr("Nothing was sent. What went wrong:")
            }
            Label {
                objectName: "outcomeDetail"
                visible: session.outcome === "refused" || session.outcome === "outbox" || session.outcome === "lost"
                Layout.fillWidth: true
                wrapMode: Text.WrapAnywhere
                opacity: 0.75
                LayoutMirroring.enabled: false
                text: session.outcomeDetail
            }
            Para {
                visible: session.envelopeId !== ""
                opacity: 0.75
                font.family: "DejaVu Sans Mono"
                LayoutMirroring.enabled: false
                text: session.envelopeId
            }
            RowLayout {
                Layout.fillWidth: true
                Button {
                    objectName: "outcomeOutbox"
                    visible: session.outcome === "outbox" || session.outcome === "queued"
                    text: qsTr("Open the outbox")
                    Accessible.name: text
                    onClicked: { session.refreshOutbox(); page.app.go("OutboxPage") }
                }
                Item { Layout.fillWidth: true }
                Button {
                    objectName: "doneButton"
                    highlighted: true
                    text: session.outcome === "refused" ? qsTr("Back") : qsTr("Done")
                    Accessible.name: text
                    onClicked: {
                        if (session.outcome === "refused") { page.app.back(); return }
                        page.app.forget()
                        page.app.home()
                    }
                }
            }
        }
    }
}
